"""Step progress of `crmwh nightly` on the terminal.

On a terminal (TTY) each step starts with a progress bar of the night (tqdm's bar format,
coloured) and ends with a coloured outcome; when the output is a file or a scheduler's log,
the same information is printed as plain, greppable lines:

    == 12:03:04 [2/5] dbt build: as_of_date=2026-11-23
       build: ok in 53.2 s
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from tqdm import tqdm

BOLD, GREEN, RED, YELLOW, RESET = "\033[1m", "\033[32m", "\033[31m", "\033[33m", "\033[0m"


def is_terminal(stream=None) -> bool:
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def step_line(number: int, total: int, name: str, detail: str = "", *, terminal: bool) -> str:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    text = f"{name}{(': ' + detail) if detail else ''}"
    if not terminal:
        return f"== {stamp} [{number}/{total}] {text}"
    bar = tqdm.format_meter(number - 1, total, 0, ncols=32, bar_format="{bar}| {n_fmt}/{total_fmt} steps done")
    return f"{BOLD}== {stamp} [{number}/{total}] {text}{RESET}\n   {bar}"


def outcome_line(name: str, seconds: float, outcome: str = "ok", *, terminal: bool) -> str:
    text = f"   {name}: {outcome} in {seconds:.1f} s"
    if not terminal:
        return text
    colour = GREEN if outcome == "ok" else (RED if "fail" in outcome or "reject" in outcome or "exited" in outcome
                                             else YELLOW)
    return f"{colour}{text}{RESET}"
