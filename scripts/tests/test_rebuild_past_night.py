"""Rebuilding a past night gives what that night gave (issue 3, item 1: as-of logic).

One small generated export set (200 customers, as of 2026-11-23) is split into two nights
(nightly_exports.split_nights): night 1 = everything exported by 2026-10-30, night 2 = the
new and changed rows up to 2026-11-23. Three versions are added by hand:

  - night 2: a completed order of night 1 refunded on 2026-11-05 (new status, new
    updated_at) and a customer of night 1 whose owner rep changed on 2026-11-06;
  - night 1: a dirty version of another order with updated_at 2027-01-01 (after the night
    it was exported in) and another amount.

Warehouse "night1" loads night 1 and builds as of 2026-10-30. Warehouse "rebuilt" loads
both nights and then builds as of 2026-10-30 again: its marts must equal the first ones
(the refund and the owner change are not known on 2026-10-30), and the later versions are
counted as not_yet_valid (not as orphans of customers that are new too), landed = staged +
quarantined + replaced + not_yet_valid per load. Building the rebuilt warehouse's staging as of 2026-11-23 then stages the two
night-2 versions. Builds select only seeds and the models the compared marts need.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from nightly_exports import split_nights

from crmwh.dbt_runner import run_dbt
from crmwh.generate import generate_exports
from crmwh.load import load_exports

NIGHTS = [dt.date(2026, 10, 30), dt.date(2026, 11, 23)]
CUSTOMERS = 200
MARTS = (
    "dim_customers", "fct_orders", "customer_tier_history", "fct_tier_reviews", "fct_cadence_compliance",
    "fct_interactions", "fct_leads", "fct_opportunities", "fct_plan_attainment", "mart_customer_worklist",
)
SELECT = " ".join("+" + name for name in (*MARTS, "mart_load_reconciliation"))
REFUNDED_AT = "2026-11-05 09:00:00"
OWNER_CHANGED_AT = "2026-11-06 10:00:00"
DIRTY_UPDATED_AT = "2027-01-01 00:00:00"
STATE: dict = {}


def _build(warehouse: Path, as_of: dt.date, select: str = SELECT) -> None:
    result = run_dbt(
        ["build", "--select", select, "--resource-type", "model", "--resource-type", "seed", "--threads", "2"],
        warehouse_dir=warehouse, as_of=as_of, capture=True, target_path=warehouse / "dbt_target",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def _rows(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _snapshot(database: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for name in MARTS:
            rows = con.execute(f"select * from marts.{name}").fetchall()
            out[name] = sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))
    return out


def _line(path: Path, row_number: int) -> dict:
    """The CSV row at physical line `row_number` (header = line 1) as a dict."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    return dict(zip(header, next(csv.reader([lines[row_number - 1]])), strict=True))


def _append(path: Path, row: dict) -> None:
    header = next(csv.reader([path.read_text(encoding="utf-8").splitlines()[0]]))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[h] for h in header])
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buffer.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> dict:
    """Both warehouses built; the hand-made versions described in the module docstring."""
    root = tmp_path_factory.mktemp("rebuild")
    generate_exports(root / "full", customers=CUSTOMERS, as_of=NIGHTS[-1], seed=11)
    night1, night2 = split_nights(root / "full", NIGHTS, root / "split")

    # night 1 alone, built that night (loaded the next morning)
    first = root / "night1"
    load_exports(night1, first, loaded_at=dt.datetime(2026, 10, 30, 18, 0))
    probe = first / "build.duckdb"
    _build(first, NIGHTS[0], "base_crm__orders base_crm__customers base_crm__sales_reps stg_crm__orders"
           " stg_crm__customers stg_crm__sales_reps ref_codes")
    order_id, order_line, customer_of_order = _rows(probe, """
        select order_id, _row_number, customer_id from staging.stg_crm__orders
        where status = 'completed' and order_date between date '2026-08-01' and date '2026-10-20'
            and updated_at < timestamp '2026-10-30 00:00:00'
        order by order_id limit 1
    """)[0]
    dirty_order_id, dirty_line = _rows(probe, """
        select order_id, _row_number from staging.stg_crm__orders
        where status = 'completed' and order_id != ? and updated_at < timestamp '2026-10-30 00:00:00'
        order by order_id desc limit 1
    """, [order_id])[0]
    customer_id, customer_line, old_rep = _rows(probe, """
        select customer_id, _row_number, owner_rep_id from staging.stg_crm__customers
        where owner_rep_id is not null and customer_id != ? and updated_at < timestamp '2026-10-30 00:00:00'
            and customer_id in (select customer_id from staging.stg_crm__orders where status = 'completed')
        order by customer_id limit 1
    """, [customer_of_order])[0]
    new_rep = _rows(probe, "select min(rep_id) from staging.stg_crm__sales_reps where rep_id != ?", [old_rep])[0][0]
    # the hand-made versions; the night-1 warehouse is rebuilt from scratch with the dirty one
    refunded = {**_line(night1 / "orders.csv", order_line), "status": "refunded", "updated_at": REFUNDED_AT}
    moved = {**_line(night1 / "customers.csv", customer_line), "owner_rep_id": new_rep, "updated_at": OWNER_CHANGED_AT}
    dirty = {**_line(night1 / "orders.csv", dirty_line), "amount": "1", "updated_at": DIRTY_UPDATED_AT}
    _append(night2 / "orders.csv", refunded)
    _append(night2 / "customers.csv", moved)
    _append(night1 / "orders.csv", dirty)

    first = root / "night1_final"
    load_exports(night1, first, loaded_at=dt.datetime(2026, 10, 30, 18, 0))
    _build(first, NIGHTS[0])

    rebuilt = root / "rebuilt"
    load_exports(night1, rebuilt, loaded_at=dt.datetime(2026, 10, 30, 18, 0))
    load_exports(night2, rebuilt, loaded_at=dt.datetime(2026, 11, 23, 18, 0))
    _build(rebuilt, NIGHTS[0])
    STATE.update(first=first / "build.duckdb", rebuilt=rebuilt / "build.duckdb", rebuilt_dir=rebuilt,
                 order_id=order_id, dirty_order_id=dirty_order_id, customer_id=customer_id,
                 old_rep=old_rep, new_rep=new_rep)
    return STATE


def test_past_night_rebuilt_from_later_loads_equals_that_night(nights):
    first, rebuilt = _snapshot(nights["first"]), _snapshot(nights["rebuilt"])
    assert {name: len(rows) for name, rows in first.items()} == {name: len(rows) for name, rows in rebuilt.items()}
    assert len(first["dim_customers"]) > 100 and len(first["fct_orders"]) > 1000
    differing = [name for name in MARTS if first[name] != rebuilt[name]]
    assert not differing, f"marts differ between night 1 and night 1 rebuilt after night 2: {differing}"


def test_later_versions_are_not_yet_valid_and_counted(nights):
    rebuilt = nights["rebuilt"]
    # the refund of 2026-11-05 is not known on 2026-10-30: the order is completed in the marts
    assert _rows(rebuilt, "select status from marts.fct_orders where order_id = ?", [nights["order_id"]]) == [
        ("completed",)
    ]
    assert _rows(rebuilt, "select owner_rep_id from marts.dim_customers where customer_id = ?",
                 [nights["customer_id"]]) == [(nights["old_rep"],)]
    statuses = _rows(rebuilt, """
        select _load_id, status, cast(updated_at as varchar), _row_status from staging.base_crm__orders
        where order_id = ? order by _load_id, updated_at
    """, [nights["order_id"]])
    assert [(s[0], s[1], s[3]) for s in statuses] == [(1, "completed", "staged"), (2, "refunded", "not_yet_valid")]
    assert statuses[1][2] == REFUNDED_AT
    assert _rows(rebuilt, """
        select _load_id, owner_rep_id, _row_status from staging.base_crm__customers
        where customer_id = ? order by _load_id
    """, [nights["customer_id"]]) == [(1, nights["old_rep"], "staged"), (2, nights["new_rep"], "not_yet_valid")]
    # reconciliation: every landed row has exactly one status, per entity and load
    for database in (nights["first"], rebuilt):
        broken = _rows(database, """
            select entity, load_id from marts.mart_load_reconciliation
            where rows_landed != rows_staged + rows_quarantined + rows_replaced_by_later_load + rows_not_yet_valid
        """)
        assert broken == []
    later = dict(_rows(rebuilt, """
        select entity, rows_not_yet_valid from marts.mart_load_reconciliation where load_id = 2
    """))
    # night 2 holds only rows known after 2026-10-30: every versioned row there is not yet valid
    for entity in ("customers", "orders", "leads", "opportunities"):
        clean_later = _rows(rebuilt, f"""
            select count(*) from staging.base_crm__{entity}
            where _load_id = 2 and _row_status != 'quarantined'
        """)[0][0]
        assert later.get(entity, 0) == clean_later, entity
    assert later["orders"] >= 1 and later["customers"] >= 1
    # a later order of a customer that is new too is not an orphan of the past night
    assert _rows(rebuilt, """
        select count(*) from staging.base_crm__orders where _load_id = 2 and _quarantine_reason = 'orphan_reference'
    """) == [(0,)]


def test_dirty_future_version_of_the_night_is_counted_not_used(nights):
    for database in (nights["first"], nights["rebuilt"]):
        assert _rows(database, """
            select _load_id, amount, _row_status, _quarantine_reason from staging.base_crm__orders
            where order_id = ? and updated_at = timestamp '2027-01-01 00:00:00'
        """, [nights["dirty_order_id"]]) == [(1, 1, "not_yet_valid", None)]
        # the order keeps its clean version of night 1
        assert _rows(database, "select count(*), max(amount) > 1 from staging.stg_crm__orders where order_id = ?",
                     [nights["dirty_order_id"]]) == [(1, True)]
    assert _rows(nights["first"], """
        select rows_not_yet_valid from marts.mart_load_reconciliation where entity = 'orders' and load_id = 1
    """) == [(1,)]


def test_later_night_stages_the_later_versions(nights):
    _build(nights["rebuilt_dir"], NIGHTS[1], "base_crm__orders base_crm__customers stg_crm__orders stg_crm__customers")
    rebuilt = nights["rebuilt"]
    assert _rows(rebuilt, "select status, cast(updated_at as varchar) from staging.stg_crm__orders where order_id = ?",
                 [nights["order_id"]]) == [("refunded", REFUNDED_AT)]
    assert _rows(rebuilt, "select owner_rep_id from staging.stg_crm__customers where customer_id = ?",
                 [nights["customer_id"]]) == [(nights["new_rep"],)]
    assert _rows(rebuilt, "select _row_status from staging.base_crm__orders where order_id = ? and _load_id = 1",
                 [nights["order_id"]]) == [("replaced",)]
