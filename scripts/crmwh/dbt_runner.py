"""Run dbt for this project in a subprocess.

dbt runs in its own process so that the DuckDB file lock it takes is released when it
ends, and so that tests exercise exactly what the scheduler runs. On Linux the dbt process
is tied to its parent: when `crmwh` dies (even by `kill -9`), dbt is killed too, so a
killed night never leaves a dbt process behind that still holds build.duckdb.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from crmwh.paths import PROJECT_ROOT

_PR_SET_PDEATHSIG = 1


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(warehouse_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CRMWH_WAREHOUSE_DIR"] = str(Path(warehouse_dir).resolve())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# `preexec_fn` of a child that must not outlive this process (dbt, a benchmark step)
DIE_WITH_PARENT = _die_with_parent if sys.platform.startswith("linux") else None


def dbt_command(
    args: list[str],
    *,
    as_of=None,
    target_path: Path | None = None,
    extra_vars: dict | None = None,
) -> list[str]:
    """The command line of `dbt <args>` for this project, with as_of_date and extra vars."""
    args = [a for a in args if a != "--"]
    command = [dbt_executable(), *args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    variables = dict(extra_vars or {})
    if as_of is not None:
        variables["as_of_date"] = str(as_of)
    if variables:
        command += ["--vars", json.dumps(variables, sort_keys=True)]
    if target_path is not None:
        command += ["--target-path", str(target_path), "--log-path", str(Path(target_path) / "logs")]
    return command


def run_dbt(
    args: list[str],
    *,
    warehouse_dir: Path,
    as_of=None,
    capture: bool = False,
    target_path: Path | None = None,
    extra_vars: dict | None = None,
) -> subprocess.CompletedProcess:
    """`dbt <args>` in the project directory, with the warehouse dir and as_of_date set."""
    return subprocess.run(
        dbt_command(args, as_of=as_of, target_path=target_path, extra_vars=extra_vars),
        cwd=PROJECT_ROOT,
        env=dbt_env(warehouse_dir),
        text=True,
        capture_output=capture,
        check=False,
        preexec_fn=DIE_WITH_PARENT,
    )
