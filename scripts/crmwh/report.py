"""Plain-text summaries printed by `crmwh` for the data team's terminal and logs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from crmwh.contract import load_contract
from crmwh.load import LoadReport


def print_load_report(report: LoadReport) -> None:
    if report.load_id is None:
        print(f"load: nothing new, every file was loaded before ({report.database})")
    else:
        print(f"load {report.load_id} into {report.database}")
    for f in report.files:
        extra = f" ({f.malformed} malformed lines)" if f.malformed else ""
        enc = f", {f.encoding}" if f.encoding else ""
        ignored = f"; ignored columns: {', '.join(f.ignored_columns)}" if f.ignored_columns else ""
        if f.status == "loaded":
            print(f"  {f.entity:<18} {f.rows:>10,} rows landed from {f.path.name} [{f.file_format}{enc}]{extra}{ignored}")
        else:
            print(f"  {f.entity:<18} {'':>10} {f.path.name} already loaded (sha256 {f.sha256[:12]}...), skipped")
    for name in report.ignored_files:
        print(f"  ignored file: {name}")


RECONCILIATION_QUERY = """
select
    entity,
    sum(rows_landed),
    sum(rows_staged),
    sum(rows_quarantined),
    sum(rows_duplicate_or_superseded),
    sum(rows_replaced_by_later_load),
    sum(rows_not_yet_valid)
from marts.mart_load_reconciliation
group by entity
"""


def reconciliation_rows(database: Path) -> dict[str, tuple[int, int, int, int, int, int]]:
    """entity -> (landed, staged, quarantined, of which duplicate/superseded, replaced by a later load,
    not yet valid on the as-of night)."""
    with duckdb.connect(str(database), read_only=True) as con:
        found = {row[0]: tuple(int(v) for v in row[1:]) for row in con.execute(RECONCILIATION_QUERY).fetchall()}
    return {entity: found.get(entity, (0, 0, 0, 0, 0, 0)) for entity in load_contract()}


def print_reconciliation(database: Path) -> None:
    print(
        f"{'entity':<18} {'landed':>10} {'staged':>10} {'quarantined':>12} "
        f"{'(dup/superseded)':>17} {'replaced later':>15} {'not yet valid':>14}"
    )
    for entity, (landed, staged, quarantined, dup, replaced, later) in reconciliation_rows(database).items():
        flag = "" if landed == staged + quarantined + replaced + later else "  <-- DOES NOT RECONCILE"
        print(f"{entity:<18} {landed:>10,} {staged:>10,} {quarantined:>12,} {dup:>17,} {replaced:>15,} {later:>14,}{flag}")
