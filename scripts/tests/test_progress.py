"""Step progress: a bar on a terminal, plain greppable lines in a log."""

from __future__ import annotations

import io
import re

from crmwh.progress import is_terminal, outcome_line, step_line


def test_plain_lines_for_logs_have_no_escape_codes():
    line = step_line(2, 5, "dbt build", "as_of_date=2026-11-23", terminal=False)
    assert re.fullmatch(r"== \d\d:\d\d:\d\d \[2/5\] dbt build: as_of_date=2026-11-23", line)
    assert outcome_line("build", 53.24, terminal=False) == "   build: ok in 53.2 s"


def test_terminal_shows_a_bar_of_the_steps_done_and_colours_the_outcome():
    line = step_line(3, 5, "source freshness", terminal=True)
    assert "\033[1m" in line and "[3/5] source freshness" in line
    assert "2/5 steps done" in line  # steps 1 and 2 are done when step 3 starts
    assert "\033[31m" in outcome_line("build", 1.0, "dbt exited 1", terminal=True)  # red
    assert "\033[32m" in outcome_line("load", 1.0, "ok", terminal=True)  # green


def test_a_file_is_not_a_terminal():
    assert not is_terminal(io.StringIO())
