"""Run the hand-tuned baseline script (baseline.sql) on a warehouse's landed rows.

    python -m crmwh.baseline --warehouse-dir DIR --as-of YYYY-MM-DD

Reads raw.* of DIR/build.duckdb read-only and writes its tables to DIR/baseline.duckdb
(replaced), with the same DuckDB settings as the dbt profile (every core, memory limit
CRMWH_MEMORY_LIMIT or 6GB, insertion order not preserved). `crmwh bench` times it against the dbt build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import duckdb

from crmwh.paths import BUILD_DB_NAME, SEEDS_DIR

SCRIPT = Path(__file__).with_name("baseline.sql")
BASELINE_DB_NAME = "baseline.duckdb"
OUTPUTS = ("customer_states", "cadence_compliance", "kpi_monthly")


def statements(as_of: dt.date) -> list[str]:
    text = SCRIPT.read_text(encoding="utf-8").replace("{as_of}", as_of.isoformat()).replace("{seeds}", str(SEEDS_DIR))
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def run_baseline(warehouse_dir: Path, as_of: dt.date) -> dict[str, int]:
    """Run the script; returns the row count of each output table."""
    warehouse_dir = Path(warehouse_dir)
    target = warehouse_dir / BASELINE_DB_NAME
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"set memory_limit = '{os.environ.get('CRMWH_MEMORY_LIMIT', '6GB')}'")
        con.execute("set preserve_insertion_order = false")
        con.execute(f"attach '{warehouse_dir / BUILD_DB_NAME}' as w (read_only)")
        for statement in statements(as_of):
            started = time.perf_counter()
            try:
                con.execute(statement)
            except duckdb.Error as exc:
                raise RuntimeError(f"baseline.sql failed at: {statement[:200]}\n{exc}") from exc
            if os.environ.get("CRMWH_BASELINE_VERBOSE"):
                print(f"{time.perf_counter() - started:8.2f} s  {' '.join(statement.split())[:70]}", flush=True)
        return {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in OUTPUTS}
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crmwh.baseline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse-dir", required=True)
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = run_baseline(Path(args.warehouse_dir), args.as_of)
    print(f"baseline: {', '.join(f'{k} {v:,} rows' for k, v in counts.items())} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
