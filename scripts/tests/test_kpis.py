"""KPI marts, rep scorecard, campaign evaluation and the semantic layer on a hand-made night.

The export set and the customers' timelines are in kpi_fixture.py (night 2025-07-15). Every
expected value below is worked out by hand from those rows and the rules of
business_rules.md (see doc block kpi_marts_rules for the decisions):

Orders by month (completed): Jan C1 100,000 + C2 20,000; Feb C1 50,000 (hardware, cross-sell);
Mar C3 10,000 + 10,000; Apr C1 30,000; May C2 40,000 (C1's cancelled order ignored); Jun none;
Jul C3 0 (software, cross-sell of 0 CNY). Q1 = 190,000 / 5 = 38,000; Q2 = 70,000 / 2 = 35,000.

Churn (active at the end of the day before the period; churned = last order + 90 days):
Apr: C1, C2 (at risk), C3 active; C2 churns 04-05 -> 1/3. Jun: C1, C2 (won back 05-10), C3
(at risk) active; C3 churns 06-18 -> 1/3. Q2: 3 active at 03-31, C2 and C3 churn -> 2/3.
Jan and Q1: nobody active at start (prospects) -> null. Win-back: May C2 (churned at 04-30,
orders 05-10) 1/1; Jul and Q3 C3 (churned at 06-30, orders 07-01) 1/1; Q2 nobody churned at
03-31 -> zero denominator -> null.

Repurchase (>= 2 / >= 1 completed orders in the 365 days ending on the period end, or as-of):
Jan 0/2, Feb 1/2 (C1), Mar and Apr 2/3 (C1, C3), May .. Jul 3/3.

Surveys: Feb scores 5, 3 / NPS 10 (promoter), 6 (detractor) -> CSAT 4.0, satisfied 1/2, NPS 0;
May scores 4, 4 / NPS 8 (passive), 9 (promoter) -> CSAT 4.0, satisfied 2/2, NPS 50.

Complaints: Mar T1 (1 h response, 11 h resolution: both met), T2 (3 h response: missed,
resolved) -> resolution 2/2, SLA 1/2; Apr T3 (never resolved, window passed) -> 0/1, 0/1.

Leads: Jan L1 (A, contacted after 10 h, converted), L2 (B, contacted after 72 h > 48 h, open)
-> conversion 1/2, SLA 1/2; Feb L3 (C, never contacted, 168 h passed, owner R02) -> 0/1, 0/1.

Sales cycle (won, by closing month): Feb P1 40 and P2 46 days -> median 43 (> 42, not met);
May P4 40 days -> 40 (met). P3 is lost.

Logging: Feb I1 2 h; Mar I3 exactly 24 h (inclusive), I5; May I4, I6 -> all within 24 h; Jun
I2 48 h -> missed. Q2 = 2/3.

Cadence (closed customer-periods counted in the month of their end; weeks are ISO weeks;
the risk row - weekly, visit/video/phone - applies while a customer is at_risk or churned, and
a satisfaction_risk segment makes a customer at_risk):
C1 tier B quarterly from 01-10 (Q1: visit 02-01 compliant); complaint 03-03 -> satisfaction
risk until 05-31 -> weeks 03-03 .. 05-26 (13, all missed); quarterly again 06-01 .. 06-18 (Q2:
phone 06-20 compliant); at risk from 06-19 (week 06-16 compliant by that call, 06-23, 06-30,
07-07 missed). C2 tier C half-year from 01-05 (H1 compliant: calls 03-12, 05-15); NPS 6 on 02-20
makes its NPS -100 -> satisfaction risk for a year -> weeks 02-17 .. 07-07 (compliant only
03-10 and 05-12). C3 tier C half-year from 03-01 (H1 compliant: WeChat 03-05); complaint 03-10,
then NPS 8 on 05-05 (NPS 0 < 30) -> weeks 03-10 .. 07-07, all missed (the 05-20 e-mail does not
qualify). Feb 0/1, Mar 2/13, Apr 0/12, May 1/12, Jun 4/16, Jul 0/6; Q1 2/14, Q2 5/40, Q3 0/6.

Profile completeness: Jan C1 14 + C2 12 of 28; from Feb (C3 acquired 02-01) 40 of 42.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_helpers import build, query
from kpi_fixture import AS_OF, TEAM_EAST, TEAM_SOUTH, write_kpi_exports

from crmwh.paths import PROJECT_ROOT

SELECT = "+path:models/marts/kpis +path:models/semantic"
MONTHS = [dt.date(2025, m, 1) for m in range(1, 8)]
QUARTERS = [dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 1)]
N = None

# value per month Jan .. Jul 2025 (dimension all); None = null
MONTHLY = {
    "csat_avg": [N, 4.0, N, N, 4.0, N, N],
    "satisfaction_rate": [N, 0.5, N, N, 1.0, N, N],
    "nps": [N, 0.0, N, N, 50.0, N, N],
    "churn_rate": [N, 0.0, 0.0, 0.3333, 0.0, 0.3333, 0.0],
    "repurchase_rate": [0.0, 0.5, 0.6667, 0.6667, 1.0, 1.0, 1.0],
    "complaint_resolution_rate": [N, N, 1.0, 0.0, N, N, N],
    "complaint_sla_rate": [N, N, 0.5, 0.0, N, N, N],
    "winback_rate": [N, N, N, N, 1.0, N, 1.0],
    "avg_order_value": [60000.0, 50000.0, 10000.0, 30000.0, 40000.0, N, 0.0],
    "cross_sell_share": [0.0, 1.0, 0.0, 0.0, 0.0, N, N],
    "lead_conversion_rate": [0.5, 0.0, N, N, N, N, N],
    "lead_sla_rate": [0.5, 0.0, N, N, N, N, N],
    "sales_cycle_days": [N, 43.0, N, N, 40.0, N, N],
    "cadence_compliance_rate": [N, 0.0, 0.1538, 0.0, 0.0833, 0.25, 0.0],
    "logging_sla_rate": [N, 1.0, 1.0, N, 1.0, 0.0, N],
    "profile_completeness": [0.9286, 0.9524, 0.9524, 0.9524, 0.9524, 0.9524, 0.9524],
}
# value per quarter Q1 .. Q3 2025 (dimension all)
QUARTERLY = {
    "csat_avg": [4.0, 4.0, N],
    "satisfaction_rate": [0.5, 1.0, N],
    "nps": [0.0, 50.0, N],
    "churn_rate": [N, 0.6667, 0.0],
    "repurchase_rate": [0.6667, 1.0, 1.0],
    "complaint_resolution_rate": [1.0, 0.0, N],
    "complaint_sla_rate": [0.5, 0.0, N],
    "winback_rate": [N, N, 1.0],
    "avg_order_value": [38000.0, 35000.0, 0.0],
    "cross_sell_share": [0.2632, 0.0, N],
    "lead_conversion_rate": [0.3333, N, N],
    "lead_sla_rate": [0.3333, N, N],
    "sales_cycle_days": [43.0, 40.0, N],
    "cadence_compliance_rate": [0.1429, 0.125, 0.0],
    "logging_sla_rate": [1.0, 0.6667, N],
    "profile_completeness": [0.9524, 0.9524, 0.9524],
}


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("kpis")
    exports = write_kpi_exports(root / "exports")
    warehouse = root / "wh"
    build(warehouse, AS_OF, SELECT, exports=exports)
    return warehouse


def _values(warehouse, table, dimension="all", dimension_value="all"):
    rows = query(warehouse, f"""
        select kpi_code, period_start, value, numerator, denominator, record_count
        from marts.{table} where dimension = ? and dimension_value = ?""", [dimension, dimension_value])
    return {(r[0], r[1]): r[2:] for r in rows}


def _as_float(value):
    return None if value is None else round(float(value), 4)


def _assert_series(values, expected, periods, label):
    mismatches = []
    for kpi_code, series in expected.items():
        for period, want in zip(periods, series, strict=True):
            got = _as_float(values[(kpi_code, period)][0])
            if (got is None) != (want is None) or (got is not None and abs(got - want) > 0.00005):
                mismatches.append(f"{label} {kpi_code} {period}: got {got}, expected {want}")
    assert not mismatches, "\n".join(mismatches)


def test_every_kpi_of_the_seed_is_published(night):
    codes = {r[0] for r in query(night, "select distinct kpi_code from marts.mart_kpi_monthly")}
    seed = {r[0] for r in query(night, "select kpi_code from reference.policy_kpi_targets")}
    assert codes == seed == set(MONTHLY)


def test_monthly_values_overall(night):
    values = _values(night, "mart_kpi_monthly")
    assert {p for _, p in values} == set(MONTHS)
    _assert_series(values, MONTHLY, MONTHS, "month")


def test_quarterly_values_overall(night):
    values = _values(night, "mart_kpi_quarterly")
    assert {p for _, p in values} == set(QUARTERS)
    _assert_series(values, QUARTERLY, QUARTERS, "quarter")


def test_no_data_and_zero_denominator_are_null(night):
    monthly = _values(night, "mart_kpi_monthly")
    quarterly = _values(night, "mart_kpi_quarterly")
    # June has no order: a null value, not zero
    assert monthly[("avg_order_value", dt.date(2025, 6, 1))] == (None, Decimal("0.00"), Decimal("0.00"), 0)
    # July's only order is worth 0: the average is 0 (not null), the cross-sell share has a
    # zero denominator over one record -> null
    assert monthly[("avg_order_value", dt.date(2025, 7, 1))] == (Decimal("0.0000"), Decimal("0.00"), Decimal("1.00"), 1)
    assert monthly[("cross_sell_share", dt.date(2025, 7, 1))] == (None, Decimal("0.00"), Decimal("0.00"), 1)
    # nobody churned at the start of Q2: win-back rate has a zero denominator
    assert quarterly[("winback_rate", dt.date(2025, 4, 1))] == (None, Decimal("0.00"), Decimal("0.00"), 0)
    # the median KPI has no numerator
    assert monthly[("sales_cycle_days", dt.date(2025, 2, 1))] == (Decimal("43.0000"), None, Decimal("2.00"), 2)


def test_numerators_and_denominators(night):
    quarterly = _values(night, "mart_kpi_quarterly")
    assert quarterly[("churn_rate", dt.date(2025, 4, 1))][1:] == (Decimal("2.00"), Decimal("3.00"), 3)
    assert quarterly[("cadence_compliance_rate", dt.date(2025, 4, 1))][1:] == (Decimal("5.00"), Decimal("40.00"), 40)
    assert quarterly[("cross_sell_share", dt.date(2025, 1, 1))][1:] == (Decimal("50000.00"), Decimal("190000.00"), 5)
    assert quarterly[("nps", dt.date(2025, 4, 1))][1:] == (Decimal("1.00"), Decimal("2.00"), 2)
    assert quarterly[("profile_completeness", dt.date(2025, 1, 1))][1:] == (Decimal("40.00"), Decimal("42.00"), 3)


def test_team_with_one_customer(night):
    south = _values(night, "mart_kpi_monthly", "team", TEAM_SOUTH)
    expected = {
        ("repurchase_rate", dt.date(2025, 3, 1)): 1.0,  # C3: 2 orders
        ("churn_rate", dt.date(2025, 6, 1)): 1.0,  # C3 at risk at 05-31, churned 06-18
        ("winback_rate", dt.date(2025, 7, 1)): 1.0,  # C3 orders 07-01
        ("csat_avg", dt.date(2025, 5, 1)): 4.0,
        ("nps", dt.date(2025, 5, 1)): 0.0,  # one passive
        ("cadence_compliance_rate", dt.date(2025, 6, 1)): 0.1667,  # C3: H1 met, 5 weeks missed
        ("lead_conversion_rate", dt.date(2025, 2, 1)): 0.0,  # L3 owned by R02
        ("profile_completeness", dt.date(2025, 1, 1)): None,  # C3 not acquired yet
        ("profile_completeness", dt.date(2025, 2, 1)): 1.0,
        ("avg_order_value", dt.date(2025, 3, 1)): 10000.0,
        ("avg_order_value", dt.date(2025, 7, 1)): 0.0,
        ("logging_sla_rate", dt.date(2025, 6, 1)): None,  # no contact by R02 in June
    }
    got = {key: _as_float(south[key][0]) for key in expected}
    assert got == expected
    rep = _values(night, "mart_kpi_monthly", "owner_rep_id", "R02")
    assert {key: _as_float(rep[key][0]) for key in expected} == expected
    east = _values(night, "mart_kpi_monthly", "team", TEAM_EAST)
    assert _as_float(east[("cadence_compliance_rate", dt.date(2025, 6, 1))][0]) == 0.3  # C1 2/4, C2 1/6


def test_baseline_change_target_and_met(night):
    rows = query(night, """
        select kpi_code, period_start, value, baseline_value, change_value, change_pct, target_value, is_met,
               direction, kpi_name_zh, is_closed_period, dimension_label_zh, direction_label_zh
        from marts.mart_kpi_monthly where dimension = 'all'""")
    by_key = {(r[0], r[1]): r[2:] for r in rows}
    feb_aov = by_key[("avg_order_value", dt.date(2025, 2, 1))]
    # baseline = January 60,000; change -10,000 = -16.67 %; growth target needs last year's value
    assert feb_aov[1:6] == (Decimal("60000.0000"), Decimal("-10000.0000"), Decimal("-0.1667"), None, None)
    assert by_key[("logging_sla_rate", dt.date(2025, 2, 1))][4:6] == (Decimal("0.9500"), True)
    assert by_key[("logging_sla_rate", dt.date(2025, 6, 1))][4:6] == (Decimal("0.9500"), False)
    # sales cycle: lower is better, 43 > 42 not met, 40 met
    assert by_key[("sales_cycle_days", dt.date(2025, 2, 1))][5:7] == (False, "lower_is_better")
    assert by_key[("sales_cycle_days", dt.date(2025, 5, 1))][5] is True
    # churn has no monthly target -> is_met null
    assert by_key[("churn_rate", dt.date(2025, 4, 1))][4:6] == (None, None)
    assert by_key[("csat_avg", dt.date(2025, 2, 1))][7:] == ("客户满意度均分", True, "全部", "越高越好")
    assert by_key[("csat_avg", dt.date(2025, 7, 1))][8] is False  # July contains the as-of date
    quarterly = {(r[0], r[1]): r[2:] for r in query(night, """
        select kpi_code, period_start, value, target_value, is_met
        from marts.mart_kpi_quarterly where dimension = 'all'""")}
    assert quarterly[("churn_rate", dt.date(2025, 4, 1))] == (Decimal("0.6667"), Decimal("0.0400"), False)


def test_months_add_up_to_quarters(night):
    additive = [r[0] for r in query(night, "select distinct kpi_code from marts.mart_kpi_quarterly where is_additive")]
    assert len(additive) == 11
    rows = query(night, """
        with months as (
            select kpi_code, dimension, dimension_value, date_trunc('quarter', period_start) as quarter_start,
                   sum(numerator) as numerator, sum(denominator) as denominator, sum(record_count) as records
            from marts.mart_kpi_monthly group by 1, 2, 3, 4
        )
        select q.kpi_code, q.dimension, q.dimension_value, q.period_start
        from marts.mart_kpi_quarterly as q
        inner join months as m
            on q.kpi_code = m.kpi_code and q.dimension = m.dimension and q.dimension_value = m.dimension_value
            and q.period_start = m.quarter_start
        where q.is_additive and (q.numerator != m.numerator or q.denominator != m.denominator
                                 or q.record_count != m.records)""")
    assert rows == []


def test_rep_scorecard(night):
    rows = query(night, """
        select rep_id, month_start, customers_owned, customers_tier_rank_2, customers_tier_rank_3,
               customers_at_risk, customers_churned, cadence_closed_periods, cadence_compliant_periods,
               interactions_decided, interactions_logged_in_sla, complaints_handled, complaints_handled_in_sla,
               completed_orders, revenue, leads_created, leads_converted, lead_conversion_rate
        from marts.mart_rep_scorecard
        where (rep_id, month_start) in (('R01', date '2025-06-01'), ('R02', date '2025-06-01'),
                                        ('S01', date '2025-03-01'), ('R01', date '2025-01-01'))
        order by rep_id, month_start""")
    assert rows == [
        # R01 in January: C1 (B), C2 (C) owned; orders 120,000; leads L1 (converted), L2
        ("R01", dt.date(2025, 1, 1), 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, Decimal("120000.00"), 2, 1, Decimal("0.5000")),
        # R01 in June: C1 (no order for 60 days) and C2 (satisfaction risk) at risk; cadence 3 of
        # 10; I2 logged late
        ("R01", dt.date(2025, 6, 1), 2, 1, 1, 2, 0, 10, 3, 1, 0, 0, 0, 0, Decimal("0.00"), 0, 0, None),
        # R02 in June: C3 churned at the month end; cadence 1 of 6
        ("R02", dt.date(2025, 6, 1), 1, 0, 1, 0, 1, 6, 1, 0, 0, 0, 0, 0, Decimal("0.00"), 0, 0, None),
        # the service agent handled March's two complaints, one within SLA
        ("S01", dt.date(2025, 3, 1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, Decimal("0.00"), 0, 0, None),
    ]


def test_campaign_effectiveness(night):
    rows = query(night, """
        select campaign_id, invited, opened, registered, attended, participation_rate, attendees_satisfaction_risk,
               target_segment_share, feedback_avg, is_feedback_excellent, negative_feedback_count,
               is_negative_feedback_ok, attributed_orders, attributed_revenue, roi, is_roi_met, goal_actual,
               goal_attainment, is_goal_excellent, actual_prep_days, prep_efficiency, is_prep_efficient,
               campaign_type_label_zh, goal_metric_label_zh
        from marts.mart_campaign_effectiveness""")
    # C2 (churned and satisfaction_risk on 05-01) attends and orders 40,000 on 05-10 -> ROI 4 < 5;
    # reactivation 1 / 1 against 0.5 -> 2.0; preparation 20 of 25 days = 0.8
    assert rows == [
        ("CP1", 2, 1, 1, 1, Decimal("0.5000"), 1, Decimal("1.0000"), Decimal("5.00"), True, 0, True, 1,
         Decimal("40000.00"), Decimal("4.0000"), False, Decimal("1.0000"), Decimal("2.0000"), True, 20,
         Decimal("0.8000"), True, "召回优惠", "唤醒率"),
    ]


def _mf_executable() -> Path | None:
    candidate = Path(sys.executable).with_name("mf")
    return candidate if candidate.exists() else None


def _project_copy(night: Path, tmp_path: Path) -> tuple[Path, dict]:
    """A copy of the dbt project pointed at the fixture warehouse: MetricFlow and dbt docs
    write into <project>/target, so nothing is written into the shared project directory."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_ROOT, project,
        ignore=shutil.ignore_patterns("target", "logs", ".venv", "data", "warehouse", "scripts", ".git",
                                      "dbt_packages", "*.egg-info"),
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    env["CRMWH_WAREHOUSE_DIR"] = str(night.resolve())
    return project, env


def test_docs_site_builds_as_one_offline_page(night, tmp_path):
    """`dbt docs generate --static` (the README's command) gives one self-contained page:
    manifest and catalog inlined (marts, exposures, metrics, column docs in both languages),
    no script or stylesheet fetched from the network."""
    project, env = _project_copy(night, tmp_path)
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "docs", "generate", "--static", "--vars", f'{{"as_of_date": "{AS_OF}"}}'],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    page = (project / "target" / "static_index.html").read_text(encoding="utf-8")
    assert len(page) > 1_000_000
    assert not re.search(r"<script[^>]+src=[\"']https?://", page)
    assert not re.search(r"<link[^>]+href=[\"']https?://", page)
    for needle in ("model.crmwh.mart_kpi_monthly", "exposure.crmwh.management_kpi_dashboard",
                   "metric.crmwh.churn_rate", "value_tier_label_zh"):
        assert needle in page, needle
    # the catalog (column types read from the warehouse) is inlined too
    catalog = json.loads((project / "target" / "catalog.json").read_text(encoding="utf-8"))
    assert "model.crmwh.mart_kpi_monthly" in catalog["nodes"]


def test_metricflow_metrics_match_the_marts(night, tmp_path):
    """The semantic layer (models/semantic) gives the marts' numbers through `mf query`."""
    mf = _mf_executable()
    if mf is None:
        pytest.skip("dbt-metricflow is not installed in this environment (requirements.lock; make install)")
    project, env = _project_copy(night, tmp_path)
    dbt = Path(sys.executable).with_name("dbt")
    parsed = subprocess.run(
        [str(dbt), "parse", "--vars", f'{{"as_of_date": "{AS_OF}"}}'],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )
    assert parsed.returncode == 0, parsed.stdout[-3000:]

    def mf_query(metrics: list[str], grain: str) -> dict:
        out = tmp_path / f"{grain}.csv"
        result = subprocess.run(
            [str(mf), "query", "--metrics", ",".join(metrics), "--group-by", f"metric_time__{grain}",
             "--csv", str(out), "--quiet"],
            cwd=project, env=env, capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
        with open(out, encoding="utf-8") as handle:
            return {row[f"metric_time__{grain}"][:10]: row for row in csv.DictReader(handle)}

    checked = 0
    for grain, table, metrics in (
        ("month", "mart_kpi_monthly",
         ["avg_order_value", "cross_sell_share", "csat_avg", "satisfaction_rate", "nps", "complaint_resolution_rate",
          "complaint_sla_rate", "lead_conversion_rate", "lead_sla_rate", "sales_cycle_days",
          "cadence_compliance_rate", "logging_sla_rate", "churn_rate", "winback_rate", "repurchase_rate",
          "profile_completeness"]),
        ("quarter", "mart_kpi_quarterly",
         ["avg_order_value", "nps", "sales_cycle_days", "cadence_compliance_rate", "churn_rate_quarterly",
          "winback_rate_quarterly"]),
    ):
        result = mf_query(metrics, grain)
        mart = {(r[0], r[1].isoformat()): r[2] for r in query(night, f"""
            select kpi_code, period_start, value from marts.{table} where dimension = 'all'""")}
        for metric in metrics:
            kpi_code = metric.removesuffix("_quarterly")
            for (code, period), want in mart.items():
                if code != kpi_code:
                    continue
                got = result.get(period, {}).get(metric) or None
                if want is None:
                    assert got is None, (metric, period, got)
                else:
                    assert got is not None and abs(float(got) - float(want)) < 0.0001, (metric, period, got, want)
                checked += 1
    assert checked == 16 * 7 + 6 * 3
