"""Run dbt for this project in a subprocess.

dbt runs in its own process so that the DuckDB file lock it takes is released when it
ends, and so that tests exercise exactly what the scheduler runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crmwh.paths import PROJECT_ROOT


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(warehouse_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CRMWH_WAREHOUSE_DIR"] = str(Path(warehouse_dir).resolve())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def run_dbt(
    args: list[str],
    *,
    warehouse_dir: Path,
    as_of=None,
    capture: bool = False,
    target_path: Path | None = None,
) -> subprocess.CompletedProcess:
    """`dbt <args>` in the project directory, with the warehouse dir and as_of_date set."""
    args = [a for a in args if a != "--"]
    command = [dbt_executable(), *args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    if as_of is not None:
        command += ["--vars", json.dumps({"as_of_date": str(as_of)})]
    if target_path is not None:
        command += ["--target-path", str(target_path), "--log-path", str(Path(target_path) / "logs")]
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=dbt_env(warehouse_dir),
        text=True,
        capture_output=capture,
        check=False,
    )
