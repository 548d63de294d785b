"""Customer intelligence end to end through `crmwh nightly` on a hand-made export set.

Night 2025-06-30. Expected values worked out by hand from the business rules:

C100  acquired 2025-05-01; one completed order 2025-05-15 of 600,000 (46 days ago)
      -> tier A (600,000 >= 500,000, upgrade on the order day), stage new (first order
      < 180 days ago, last order < 60 days ago), segment high_potential (spend >= 50,000;
      tenure < 730 so not high_value_stable). A policy: monthly visit/video.
      May: visit 05-20 -> compliant. June (contains as_of): only a phone call -> due.
C200  acquired 2025-01-01; completed orders 2025-01-15 150,000 and 2025-04-20 10,000
      (a cancelled 2025-06-01 order does not count) -> annual spend 160,000 -> tier B
      (since 01-15); last completed order 71 days ago -> at_risk (>= 60, < 90) since
      06-19; segment high_potential. It was at risk once before: 60 days after 01-15 is
      03-16, until the order of 04-20. Policies: B quarterly (visit/video/phone) from
      01-15, risk weekly 03-16..04-19 and from 06-19. Phone 02-10 -> Q1 compliant; the six
      ISO weeks touching 03-16..04-19 (03-10 .. 04-14) have no touch -> missed; visit
      06-20 -> Q2 (current) compliant and week 06-16 compliant; week 06-23 has no touch
      -> missed; week 06-30 (current) -> due.
C300  prospect (no order) with a complaint 2025-06-01 -> segment satisfaction_risk
      (segments in order: a prospect with a recent complaint is at risk), stage prospect,
      tier C; contact_title and email empty -> 12 of 14 required fields = 0.8571.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import duckdb
import pytest
from dbt_helpers import write_export

from test_staging import customer


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("intelligence")
    exports = root / "exports"
    write_export(exports, "sales_reps", [
        {"rep_id": "R01", "rep_name": "王五", "team": "华东一组", "role": "account_manager", "is_active": "true"},
    ])
    write_export(exports, "customers", [
        customer("C100", acquired_at="2025-05-01"),
        customer("C200", acquired_at="2025-01-01"),
        customer("C300", acquired_at="2025-03-01", contact_title="", email=""),
    ])

    def order(oid, cid, day, amount, status="completed"):
        return {"order_id": oid, "customer_id": cid, "order_date": day, "amount": amount,
                "product_category": "software", "status": status, "rep_id": "R01", "updated_at": f"{day} 12:00:00"}

    write_export(exports, "orders", [
        order("O1", "C100", "2025-05-15", "600000"),
        order("O2", "C200", "2025-01-15", "150,000.00"),
        order("O3", "C200", "2025-04-20", "¥10,000"),
        order("O4", "C200", "2025-06-01", "90000", status="cancelled"),
    ])

    def touch(iid, cid, when, channel):
        return {"interaction_id": iid, "customer_id": cid, "rep_id": "R01", "occurred_at": when,
                "logged_at": when, "channel": channel, "summary": "跟进"}

    write_export(exports, "interactions", [
        touch("I1", "C100", "2025-05-20 10:00:00", "visit"),
        touch("I2", "C100", "2025-06-10 10:00:00", "phone"),
        touch("I3", "C200", "2025-02-10 10:00:00", "phone"),
        touch("I4", "C200", "2025-06-20 10:00:00", "visit"),
    ])
    write_export(exports, "tickets", [
        {"ticket_id": "T1", "customer_id": "C300", "ticket_type": "complaint", "opened_at": "2025-06-01 09:00:00",
         "first_response_at": "2025-06-01 10:00:00", "resolved_at": "2025-06-01 20:00:00", "status": "resolved"},
    ])
    warehouse = root / "wh"
    result = subprocess.run(
        [sys.executable, "-m", "crmwh.cli", "nightly", "--exports", str(exports), "--as-of", "2025-06-30",
         "--warehouse-dir", str(warehouse)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return warehouse


def _serving(warehouse, sql):
    with duckdb.connect(str(warehouse / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_dim_customers_as_published(night):
    rows = _serving(night, """
        select customer_id, value_tier, value_tier_label_zh, segment, lifecycle_stage, annual_spend,
               orders_last_365d, first_order_date, last_order_date, tenure_days, required_fields_filled,
               profile_completeness, team, as_of_date
        from marts.dim_customers order by customer_id""")
    assert rows == [
        ("C100", "A", "高价值 / A类", "high_potential", "new", Decimal("600000.00"), 1,
         dt.date(2025, 5, 15), dt.date(2025, 5, 15), 46, 14, Decimal("1.0000"), "华东一组", dt.date(2025, 6, 30)),
        ("C200", "B", "中价值 / B类", "high_potential", "at_risk", Decimal("160000.00"), 2,
         dt.date(2025, 1, 15), dt.date(2025, 4, 20), 166, 14, Decimal("1.0000"), "华东一组", dt.date(2025, 6, 30)),
        ("C300", "C", "低价值 / C类", "satisfaction_risk", "prospect", Decimal("0.00"), 0,
         None, None, None, 12, Decimal("0.8571"), "华东一组", dt.date(2025, 6, 30)),
    ]


def test_reasons_name_the_rule_and_numbers(night):
    reasons = dict(_serving(night, "select customer_id, value_tier_reason from marts.dim_customers"))
    assert "600,000" in reasons["C100"] and "500,000" in reasons["C100"]


def test_cadence_compliance_rows(night):
    rows = _serving(night, """
        select customer_id, period_grain, period_start, period_end, qualifying_touches, all_touches, period_status
        from marts.fct_cadence_compliance order by customer_id, period_grain, period_start""")
    assert rows == [
        ("C100", "month", dt.date(2025, 5, 1), dt.date(2025, 5, 31), 1, 1, "compliant"),
        ("C100", "month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 0, 1, "due"),
        ("C200", "quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31), 1, 1, "compliant"),
        ("C200", "quarter", dt.date(2025, 4, 1), dt.date(2025, 6, 30), 1, 1, "compliant"),
        *[("C200", "week", monday, monday + dt.timedelta(days=6), 0, 0, "missed")
          for monday in (dt.date(2025, 3, 10) + dt.timedelta(weeks=w) for w in range(6))],
        ("C200", "week", dt.date(2025, 6, 16), dt.date(2025, 6, 22), 1, 1, "compliant"),
        ("C200", "week", dt.date(2025, 6, 23), dt.date(2025, 6, 29), 0, 0, "missed"),
        ("C200", "week", dt.date(2025, 6, 30), dt.date(2025, 7, 6), 0, 0, "due"),
    ]


def test_tier_history_shows_the_upgrade_day(night):
    rows = _serving(night, """
        select valid_from, valid_to, value_tier, lifecycle_stage
        from marts.customer_tier_history where customer_id = 'C200' order by valid_from""")
    assert rows[0][:1] == (dt.date(2025, 1, 1),)
    tiers = [(r[0], r[2], r[3]) for r in rows]
    assert (dt.date(2025, 1, 15), "B", "new") in tiers
    assert rows[-1][1] is None and rows[-1][2:] == ("B", "at_risk")
    assert rows[-1][0] == dt.date(2025, 6, 19)
