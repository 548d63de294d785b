"""The night: load the exports, then `dbt build` for the night's as-of date.

`crmwh nightly` is the one command a scheduler calls. Its interface is stable: later
steps (publishing, data-quality checkpoint, run report) are added behind it.
Exit codes: 0 the night built and every error-level test passed; 1 the build or a test
failed; 2 the exports were rejected (nothing of the night was loaded).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from crmwh.dbt_runner import run_dbt
from crmwh.load import load_exports
from crmwh.paths import BUILD_DB_NAME
from crmwh.report import print_load_report, print_reconciliation


def resolve_as_of(exports_dir: Path, as_of: dt.date | None) -> tuple[dt.date, str]:
    """The night's date: given, else the date a generated export set was made for, else today."""
    if as_of is not None:
        return as_of, "--as-of"
    marker = exports_dir / "_generated.json"
    if marker.exists():
        return dt.date.fromisoformat(json.loads(marker.read_text(encoding="utf-8"))["as_of"]), marker.name
    return dt.date.today(), "today"


def run_nightly(exports_dir: Path, as_of: dt.date | None, warehouse_dir: Path) -> int:
    as_of, why = resolve_as_of(exports_dir, as_of)
    print(f"crmwh nightly: exports {exports_dir}, as of {as_of} (from {why}), warehouse {warehouse_dir}")

    started = time.perf_counter()
    print("== step 1/2: load")
    report = load_exports(exports_dir, warehouse_dir)
    print_load_report(report)
    load_seconds = time.perf_counter() - started

    print("== step 2/2: dbt build")
    started = time.perf_counter()
    result = run_dbt(["build"], warehouse_dir=warehouse_dir, as_of=as_of)
    build_seconds = time.perf_counter() - started

    database = Path(warehouse_dir) / BUILD_DB_NAME
    if result.returncode != 0:
        print(f"crmwh nightly: dbt build FAILED (exit {result.returncode}) after {build_seconds:.1f} s")
        return 1
    print("== rows per entity (all nights loaded so far)")
    print_reconciliation(database)
    print(f"crmwh nightly: done; load {load_seconds:.1f} s, build {build_seconds:.1f} s; warehouse {database}")
    return 0
