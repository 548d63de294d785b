"""The personal-data test fails when a BI mart leaks a phone number or e-mail address.

Builds a throwaway copy of the dbt project with one extra mart that leaks contact data,
then runs `dbt build` on it: test assert_no_personal_data_in_marts must fail, name the
leaking columns, and its stored failures must not contain the values themselves.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from dbt_helpers import query, write_export

from crmwh.dbt_runner import dbt_env, dbt_executable
from crmwh.load import load_exports
from crmwh.paths import PROJECT_ROOT

LEAKY_MART = """
select
    'C001' as customer_id,
    '请联系 13912345678' as note,
    'zhang.san@example.com' as contact,
    '021-62345678' as office,
    'ed773fd7ea45fe73834bdeca90108aeb' as not_a_phone
"""


def _project_copy(root: Path) -> Path:
    project = root / "project"
    for name in ("models", "macros", "tests", "seeds", "analyses"):
        if (PROJECT_ROOT / name).exists():
            shutil.copytree(PROJECT_ROOT / name, project / name)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_ROOT / name, project / name)
    (project / "models" / "marts" / "data_quality" / "mart_zz_leak_canary.sql").write_text(LEAKY_MART)
    # register the canary so that dbt orders the scan after it
    test = project / "tests" / "data_quality" / "assert_no_personal_data_in_marts.sql"
    test.write_text(test.read_text().replace("'mart_test_results',", "'mart_test_results',\n    'mart_zz_leak_canary',"))
    return project


def test_personal_data_scan_fails_on_a_leaking_mart(tmp_path):
    exports = tmp_path / "exports"
    write_export(exports, "sales_reps", [{"rep_id": "R01", "rep_name": "王五", "team": "华东一组",
                                          "role": "sales_rep", "is_active": "是"}])
    warehouse = tmp_path / "wh"
    load_exports(exports, warehouse, loaded_at=dt.datetime(2026, 1, 1, 3, 0))
    project = _project_copy(tmp_path)
    result = subprocess.run(
        [dbt_executable(), "build", "--select", "mart_zz_leak_canary+", "assert_no_personal_data_in_marts",
         "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--vars", '{"as_of_date": "2026-01-01"}'],
        cwd=project, env=dbt_env(warehouse), text=True, capture_output=True, check=False,
    )
    assert result.returncode == 1, result.stdout[-4000:]
    assert "FAIL 3 assert_no_personal_data_in_marts" in result.stdout
    findings = query(
        warehouse,
        "select model_name, column_name, pattern_name, matching_rows"
        " from audit.assert_no_personal_data_in_marts order by column_name",
    )
    assert findings == [
        ("mart_zz_leak_canary", "contact", "email", 1),
        ("mart_zz_leak_canary", "note", "mobile_phone", 1),
        ("mart_zz_leak_canary", "office", "office_phone", 1),
    ]
    # the hook recorded the failure
    recorded = query(
        warehouse,
        "select status, failures from audit.dbt_test_results where test_name = 'assert_no_personal_data_in_marts'",
    )
    assert recorded == [("fail", 3)]


def _customer(cid: str, **overrides) -> dict:
    row = {
        "customer_id": cid, "customer_name": f"客户{cid}", "industry": "manufacturing",
        "customer_type": "end_customer", "contact_name": "张三", "contact_title": "经理",
        "phone": "13800000000", "email": "a@example.com", "address": "上海市", "initial_need": "ERP",
        "lead_source": "referral", "acquired_at": "2024-01-05", "owner_rep_id": "R01",
        "updated_at": "2025-01-01 10:00:00",
    }
    row.update(overrides)
    return row


def test_completeness_warns_below_target_errors_below_floor_and_results_survive(tmp_path):
    from dbt_helpers import build

    exports = tmp_path / "exports"
    # 20 customers: contact_title filled on 8 (0.40 < error_below 0.50 -> error),
    # email on 18 (0.90 = target -> met), initial_need on 17 (0.85 < 0.90 -> warn only)
    rows = [
        _customer(
            f"C{i:03d}",
            contact_title="经理" if i < 8 else "",
            email="a@example.com" if i < 18 else "",
            initial_need="ERP" if i < 17 else " ",
        )
        for i in range(20)
    ]
    write_export(exports, "customers", rows)
    write_export(exports, "sales_reps", [{"rep_id": "R01", "rep_name": "王五", "team": "华东一组",
                                          "role": "sales_rep", "is_active": "是"}])
    warehouse = tmp_path / "wh"
    result = build(warehouse, "2026-01-01", "path:seeds path:models/staging mart_test_results", exports=exports,
                   expect_success=False)
    assert result.returncode == 1, result.stdout[-4000:]  # error-level failure fails the night
    below = query(
        warehouse,
        "select column_name, row_count, filled, is_below_error_floor"
        " from audit.completeness_stg_crm__customers_ order by column_name",
    )
    assert below == [("contact_title", 20, 8, 1), ("initial_need", 20, 17, 0)]
    # the on-run-end hook ran although the build failed; the view shows it
    recorded = query(
        warehouse,
        "select status, failures, severity from marts.mart_test_results"
        " where test_kind = 'completeness' and model_name = 'stg_crm__customers'",
    )
    assert recorded == [("fail", 2, "error")]
