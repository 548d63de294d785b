"""The Great Expectations checkpoint on landed data (`crmwh.quality`).

A hand-made night (written with the contract's columns, landed with `load_exports`) is
validated once per module; every expected outcome below is worked out by hand from the
fixture rows. As of 2025-03-31.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_helpers import write_export

from crmwh import quality
from crmwh.contract import load_code_lists, load_contract
from crmwh.load import load_exports
from crmwh.paths import BUILD_DB_NAME

AS_OF = dt.date(2025, 3, 31)
CONTRACT = load_contract()

# Ten well-formed customers; the comments give the hand count per checked column.
PHONES = ["138 0000 0000", "+86 139-1234-5678", "021-62345678", "(010)87654321", "400-820-8820",
          "13912345678", "0571 8888 6666", "0086 13800001111", "021-62345678转801", "15012345678"]


def customer(n: int, **overrides: str) -> dict:
    row = {
        "customer_id": f"C{n:03d}",
        "customer_name": f"客户{n}",
        "industry": "manufacturing",
        "customer_type": "end_customer",
        "contact_name": "张三",
        "contact_title": "经理",
        "phone": PHONES[n - 1],
        "email": f" user{n}@Example.COM ",
        "address": "上海市",
        "initial_need": "ERP",
        "lead_source": "referral",
        "acquired_at": "2024-01-05",
        "owner_rep_id": "R01",
        "updated_at": "2025-03-01 10:00:00",
        "contact_birthday": "1975-05-01",  # time_range life: before 2000 is fine
    }
    row.update(overrides)
    return row


CUSTOMERS = [
    # contact_title: 8 of 10 filled ('' and '   ' are missing) -> 0.8 < 0.90: complete fails
    # initial_need: 9 of 10 -> exactly 0.90: passes
    # customer_name: 4 of 10 -> 0.4 < error_below 0.50: complete_error (critical) fails
    # industry: 1 unknown of 10 -> 90 % valid < 95 %: code fails ('Retail', '零售' are fine)
    # email: 1 bad of 10 -> code fails; lead_source 'Trade Show' / 'trade-show' normalise
    # updated_at: 1 of 10 after the as-of date -> time_range fails; all forms accepted
    customer(1, contact_title="", customer_name="", acquired_at="2025/3/18"),
    customer(2, contact_title="   ", customer_name="", acquired_at="2025-03-18 14:05:00"),
    customer(3, initial_need="", customer_name="", acquired_at="2025-03-18T14:05:00+08:00"),
    customer(4, industry="unknown_sector", customer_name="", acquired_at="2025/3/18 14:05"),
    customer(5, email="zhang#qq.com", customer_name="", industry="Retail"),
    customer(6, customer_name="", industry="零售", lead_source="Trade Show"),
    customer(7, updated_at="2026-01-01 10:00:00", lead_source="trade-show"),
    customer(8),
    customer(9),
    customer(10),
]
ORDERS = [
    # amount: number forms all fine; 1 negative of 3 -> range fails
    {"order_id": "O1", "customer_id": "C001", "order_date": "2025/1/3", "amount": "¥1,250.50",
     "product_category": "software", "status": "Completed", "updated_at": "2025-01-03 12:00:00"},
    {"order_id": "O2", "customer_id": "C002", "order_date": "2025-01-04", "amount": "1,000",
     "product_category": "hardware", "status": "completed", "updated_at": "2025-01-04 12:00:00"},
    {"order_id": "O3", "customer_id": "C002", "order_date": "2025-01-05", "amount": "-5",
     "product_category": "hardware", "status": "已退款", "updated_at": "2025-01-05 12:00:00"},
]
SURVEYS = [
    # score_overall: 6 is out of 1-5 (1 of 2 non-empty) -> range fails; nps_score fine
    {"response_id": "S1", "customer_id": "C001", "responded_at": "2025-03-01 10:00:00", "score_overall": "5",
     "nps_score": "10"},
    {"response_id": "S2", "customer_id": "C001", "responded_at": "2025-03-01 10:00:00", "score_overall": "6"},
    {"response_id": "S3", "customer_id": "C001", "responded_at": "2025-03-01 10:00:00", "nps_score": "0"},
]
MALFORMED_LINE = "C099,多一列" + ",x" * 25 + "\n"  # too many fields: lands with _parse_error


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("quality")
    exports = root / "night1"
    write_export(exports, "customers", CUSTOMERS)
    with open(exports / "customers.csv", "a", encoding="utf-8") as handle:
        handle.write(MALFORMED_LINE)
    write_export(exports, "orders", ORDERS)
    write_export(exports, "surveys", SURVEYS)
    warehouse = root / "wh"
    load_exports(exports, warehouse, loaded_at=dt.datetime(2025, 3, 31, 2, 0))
    result = quality.run_checkpoint(warehouse, AS_OF)
    return warehouse, result


def outcome(result, entity: str, column: str, rule: str):
    found = [e for e in result.entities[entity].expectations if e.column == column and e.rule == rule]
    assert len(found) == 1, (entity, column, rule, found)
    return found[0]


# --------------------------------------------------------------------------- suites


def test_a_suite_is_generated_for_every_entity_from_the_contract():
    suites = quality.build_suites(AS_OF)
    assert sorted(suites) == sorted(CONTRACT)
    assert len(suites) == 12
    code_lists = load_code_lists()
    for name, entity in CONTRACT.items():
        suite = suites[name]
        assert suite.name == f"raw.{name}"
        have = {(e.expectation_type, e.meta["rule"], e.meta["validated_column"]) for e in suite.expectations}
        expected = set()
        for col in entity.columns:
            if col.required:
                expected.add(("expect_column_to_exist", "exists", col.name))
            if col.name in entity.key:
                expected.add(("expect_column_values_to_not_be_null", "key_not_null", col.name))
            elif col.required:
                expected.add(("expect_column_values_to_not_be_null", "complete", col.name))
                expected.add(("expect_column_values_to_not_be_null", "complete_error", col.name))
            if col.code_list:
                expected.add(("expect_column_values_to_be_in_set", "code", f"{col.name}__code"))
            if col.crm_type in ("email", "phone"):
                expected.add(("expect_column_values_to_match_regex", col.crm_type, col.name))
            if col.crm_type in ("date", "timestamp"):
                expected.add(("expect_column_values_to_match_regex", "time_form", col.name))
                expected.add(("expect_column_values_to_be_between", "time_range", f"{col.name}__date"))
            if col.crm_type in ("money", "integer", "decimal"):
                expected.add(("expect_column_values_to_match_regex", "number_form", col.name))
            if col.min is not None or col.max is not None:
                expected.add(("expect_column_values_to_be_between", "range", f"{col.name}__num"))
            if col.crm_type == "boolean":
                expected.add(("expect_column_values_to_match_regex", "boolean", col.name))
        expected.add(("expect_column_values_to_be_null", "well_formed", "_parse_error"))
        unique = "expect_column_values_to_be_unique" if len(entity.key) == 1 else "expect_compound_columns_to_be_unique"
        expected.add((unique, "key_unique", ", ".join(entity.key)))
        assert have == expected, name
        for e in suite.expectations:
            if e.meta["rule"] == "code":
                assert sorted(e.value_set) == sorted(code_lists[entity.column(e.meta["contract_column"]).code_list])


def test_suite_tolerances_come_from_policy_and_contract():
    suites = quality.build_suites(AS_OF)
    by_rule = {
        (e.meta["entity"], e.meta["contract_column"], e.meta["rule"]): e
        for suite in suites.values()
        for e in suite.expectations
    }
    assert by_rule[("customers", "email", "complete")].mostly == 0.90  # seed target
    assert by_rule[("customers", "email", "complete_error")].mostly == 0.50  # seed error_below
    assert by_rule[("customers", "email", "complete_error")].severity == "critical"
    assert by_rule[("customers", "customer_id", "key_not_null")].mostly == quality.KEY_MOSTLY
    assert by_rule[("surveys", "nps_score", "range")].min_value == 0
    assert by_rule[("surveys", "nps_score", "range")].max_value == 10
    assert by_rule[("orders", "amount", "range")].max_value is None
    as_of = dt.datetime(2025, 3, 31)
    event = by_rule[("orders", "order_date", "time_range")]
    assert (event.min_value, event.max_value) == (dt.datetime(2000, 1, 1), as_of)
    plan = by_rule[("maintenance_plan", "planned_date", "time_range")]
    assert (plan.min_value, plan.max_value) == (dt.datetime(2000, 1, 1), None)
    life = by_rule[("customers", "contact_birthday", "time_range")]
    assert (life.min_value, life.max_value) == (dt.datetime(1900, 1, 1), as_of)


# --------------------------------------------------------------------------- outcomes


def test_completeness_below_target_fails_and_at_target_passes(night):
    _, result = night
    title = outcome(result, "customers", "contact_title", "complete")
    assert not title.success and title.severity == "warning"
    # 10 well-formed lines (the malformed one is not counted), 8 filled
    assert (title.element_count, title.unexpected_count) == (10, 2)
    assert "8 of 10 filled = 80.0%" in title.observed
    assert outcome(result, "customers", "contact_title", "complete_error").success  # 0.8 >= 0.5
    need = outcome(result, "customers", "initial_need", "complete")
    assert need.success and (need.element_count, need.unexpected_count) == (10, 1)  # exactly 0.90
    name = outcome(result, "customers", "customer_name", "complete_error")
    assert not name.success and name.severity == "critical"  # 4 of 10 < 0.50
    assert result.has_errors and not result.success
    assert outcome(result, "customers", "email", "complete").success


def test_bad_code_email_and_out_of_range_scores_are_reported(night):
    _, result = night
    industry = outcome(result, "customers", "industry", "code")
    assert not industry.success and industry.unexpected_count == 1 and industry.examples == ["unknown_sector"]
    assert outcome(result, "customers", "lead_source", "code").success  # 'Trade Show', 'trade-show'
    assert outcome(result, "orders", "status", "code").success  # 'Completed', '已退款'
    email = outcome(result, "customers", "email", "email")
    assert not email.success and email.unexpected_count == 1
    assert email.examples == ["xxxxx#xx.xxx"]  # personal data masked
    assert outcome(result, "customers", "phone", "phone").success  # ten accepted phone forms
    score = outcome(result, "surveys", "score_overall", "range")
    assert not score.success and (score.unexpected_count, score.examples) == (1, ["6.0"])
    assert outcome(result, "surveys", "nps_score", "range").success
    amount = outcome(result, "orders", "amount", "range")
    assert not amount.success and amount.unexpected_count == 1
    assert outcome(result, "orders", "amount", "number_form").success
    assert result.failing_columns == {
        "customers": ["customer_name", "industry", "contact_title", "email", "updated_at", "_parse_error"],
        "orders": ["amount"],
        "surveys": ["score_overall"],
    }


def test_time_forms_ranges_and_malformed_lines(night):
    _, result = night
    assert outcome(result, "customers", "acquired_at", "time_form").success  # four accepted forms
    assert outcome(result, "customers", "acquired_at", "time_range").success
    assert outcome(result, "customers", "contact_birthday", "time_range").success  # 1975: life range
    updated = outcome(result, "customers", "updated_at", "time_range")
    assert not updated.success and updated.unexpected_count == 1  # 2026-01-01 is after the as-of date
    malformed = outcome(result, "customers", None, "well_formed")
    assert not malformed.success and (malformed.element_count, malformed.unexpected_count) == (11, 1)
    assert outcome(result, "customers", "customer_id", "key_not_null").success  # malformed line not counted
    customers = result.entities["customers"]
    assert (customers.rows_landed, customers.rows_validated, customers.rows_malformed) == (11, 11, 1)
    assert result.entities["surveys"].success is False
    assert result.not_in_load == [e for e in CONTRACT if e not in ("customers", "orders", "surveys")]


def test_counts_and_text_summary(night):
    _, result = night
    assert result.evaluated == sum(len(e.expectations) for e in result.entities.values())
    assert result.failed == len(result.failures) == 9
    assert result.passed == result.evaluated - 9
    text = result.text_summary()
    assert text.startswith("gx checkpoint: load 1, as of 2025-03-31: FAILED (errors)")
    for column in ("contact_title", "customer_name", "industry", "score_overall", "amount"):
        assert column in text
    assert result.elapsed_seconds > 0


# --------------------------------------------------------------------------- documents


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_data_docs_hold_every_result(night):
    warehouse, result = night
    index = warehouse / "gx" / "data_docs" / "index.html"
    assert result.data_docs_index == index and index.exists()
    page = result.entities["customers"].docs_page
    assert page is not None and page.exists()
    # GX's index lists suites and runs (not columns): it links every entity's result page
    links = re.findall(r"validations/raw/[^'\"]+\.html", _text(index))
    for entity, entity_outcome in result.entities.items():
        page_links = [link for link in links if link.startswith(f"validations/raw/{entity}/")]
        assert page_links and (index.parent / page_links[0]) == entity_outcome.docs_page, entity
        assert entity_outcome.docs_page.exists()
    html_text = _text(page)
    for column in ("contact_title", "customer_name", "industry__code", "email", "updated_at__date"):
        assert column in html_text
    assert "unknown_sector" in html_text and "xxxxx#xx.xxx" in html_text
    assert "80% not null" in html_text  # observed completeness of contact_title
    assert "must match this regular expression" in html_text and "must belong to this set" in html_text
    assert "-5.0" in _text(result.entities["orders"].docs_page)
    for path in (warehouse / "gx").rglob("*.html"):
        assert "zhang#qq.com" not in _text(path), path  # personal data never in clear text


def test_summary_page_is_self_contained_and_lists_failures(night):
    warehouse, result = night
    page = warehouse / "gx" / "summary.html"
    assert result.summary_html == page and page.exists()
    text = _text(page)
    assert not re.search(r"https?://", text)
    assert "<script" not in text and "<link" not in text and "<style>" in text
    for entity in ("customers", "orders", "surveys"):
        assert f'id="{entity}"' in text
    for column in ("contact_title", "customer_name", "industry", "updated_at", "score_overall", "amount"):
        assert f"<td>{column}</td>" in text
    assert "8 of 10 filled = 80.0%" in text and "unknown_sector" in text
    assert "zhang#qq.com" not in text


def test_duckdb_file_is_free_right_after_the_checkpoint(night):
    warehouse, _ = night
    with duckdb.connect(str(warehouse / BUILD_DB_NAME)) as con:  # read-write: no lock left
        con.execute("create table main._lock_probe as select 1 as x")
        con.execute("drop table main._lock_probe")


# --------------------------------------------------------------------------- loads


def test_latest_or_given_load_and_unknown_load(tmp_path):
    exports = tmp_path / "night1"
    write_export(exports, "orders", ORDERS)
    write_export(exports, "surveys", SURVEYS)
    load_exports(exports, tmp_path / "wh")
    night2 = tmp_path / "night2"
    write_export(night2, "orders", ORDERS[:1])
    load_exports(night2, tmp_path / "wh")
    load_id, frames = quality.read_load(tmp_path / "wh" / BUILD_DB_NAME)
    assert load_id == 2 and list(frames) == ["orders"] and frames["orders"].rows_landed == 1
    load_id, frames = quality.read_load(tmp_path / "wh" / BUILD_DB_NAME, 1)
    assert load_id == 1 and sorted(frames) == ["orders", "surveys"]
    # staging-style cleaning and parsing of the derived columns
    orders = frames["orders"].frame
    assert list(orders["amount__num"]) == [1250.5, 1000.0, -5.0]
    assert list(orders["status__code"]) == ["completed", "completed", "refunded"]
    assert list(orders.index) == [2, 3, 4]  # file line numbers
    with pytest.raises(quality.QualityError, match="load 7"):
        quality.read_load(tmp_path / "wh" / BUILD_DB_NAME, 7)
    with pytest.raises(quality.QualityError, match="no warehouse"):
        quality.run_checkpoint(tmp_path / "nowhere", AS_OF)


def test_relative_warehouse_dir_works(tmp_path, monkeypatch):
    # `crmwh nightly` defaults to the relative ./warehouse; GX needs absolute doc paths
    write_export(tmp_path / "exports", "orders", ORDERS)
    monkeypatch.chdir(tmp_path)
    load_exports(Path("exports"), Path("wh"))
    result = quality.run_checkpoint(Path("wh"), AS_OF)
    assert result.data_docs_index == tmp_path / "wh" / "gx" / "data_docs" / "index.html"
    assert result.data_docs_index.exists() and result.summary_html.exists()


def test_large_load_is_validated_on_a_deterministic_sample(night):
    warehouse, _ = night
    database = warehouse / BUILD_DB_NAME
    _, first = quality.read_load(database, max_rows=4)
    _, again = quality.read_load(database, max_rows=4)
    customers = first["customers"]
    assert customers.sampled and (customers.rows_landed, customers.rows_validated) == (11, 4)
    assert list(customers.frame.index) == list(again["customers"].frame.index)
    assert not first["orders"].sampled and first["orders"].rows_validated == 3


def test_mask_value_keeps_only_the_shape():
    assert quality.mask_value("zhang.wei@qq.com") == "xxxxx.xxx@xx.xxx"
    assert quality.mask_value("138 0000 0000") == "999 9999 9999"
    assert quality.mask_value("张三") == "**"
    assert quality.mask_value(None) is None


def test_gx_command_exit_codes(night, tmp_path, capsys):
    copy = tmp_path / "wh"
    copy.mkdir()
    shutil.copy(night[0] / BUILD_DB_NAME, copy / BUILD_DB_NAME)  # leave the module's docs alone
    # the night has an error-level failure (customer_name below error_below)
    assert quality.run_gx_command(copy, AS_OF, 1) == 1
    assert "FAILED (errors)" in capsys.readouterr().out
    assert quality.run_gx_command(tmp_path / "nowhere", AS_OF) == 2
    assert "no warehouse" in capsys.readouterr().err
