"""Helpers for tests that build the warehouse: dbt always runs in a subprocess."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb

from crmwh.contract import load_contract
from crmwh.dbt_runner import run_dbt
from crmwh.load import load_exports


def write_export(directory: Path, entity: str, rows: list[dict], *, encoding: str = "utf-8", zh: bool = False) -> Path:
    """Write `<entity>.csv` with every contract column (missing keys -> empty cells)."""
    columns = load_contract()[entity].columns
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{entity}.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh if zh else c.name for c in columns])
        for row in rows:
            writer.writerow([row.get(c.name, "") for c in columns])
    return path


def build(
    warehouse_dir: Path,
    as_of: dt.date | str,
    select: str | None = None,
    *,
    exports: Path | None = None,
    expect_success: bool = True,
):
    """Optionally load `exports`, then `dbt build` (selection optional) into warehouse_dir."""
    if exports is not None:
        load_exports(exports, warehouse_dir, loaded_at=dt.datetime(2026, 1, 1, 3, 0, 0))
    # cautious: a test is selected only when every model it refs is (in_code_list tests of
    # unselected marts also ref the selected ref_codes seed)
    args = ["build"] + (["--select", select, "--indirect-selection", "cautious"] if select else [])
    result = run_dbt(
        args,
        warehouse_dir=warehouse_dir,
        as_of=as_of,
        capture=True,
        target_path=warehouse_dir / "dbt_target",
    )
    if expect_success:
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return result


def query(warehouse_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse_dir / "build.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
