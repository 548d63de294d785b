"""Staging end to end on hand-made exports: typing, quarantine reasons, versions, reconciliation.

Every expected value below is worked out by hand from the fixture rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dbt_helpers import build, query, write_export

from crmwh.load import load_exports

STAGING = (
    "path:seeds path:models/staging path:models/intermediate/data_quality/int_export_columns_described.sql"
    " path:models/marts/data_quality/mart_load_reconciliation.sql"
)


def customer(cid: str, **overrides) -> dict:
    row = {
        "customer_id": cid,
        "customer_name": f"客户{cid}",
        "industry": "manufacturing",
        "customer_type": "end_customer",
        "contact_name": "张三",
        "contact_title": "经理",
        "phone": "138 0000 0000",
        "email": " Zhang@Example.COM ",
        "address": "上海市",
        "initial_need": "ERP",
        "lead_source": "referral",
        "acquired_at": "2024-01-05",
        "owner_rep_id": "R01",
        "updated_at": "2025-01-01 10:00:00",
    }
    row.update(overrides)
    return row


NIGHT_1 = {
    "sales_reps": [
        {"rep_id": "R01", "rep_name": "王五", "team": "华东一组", "role": "sales_rep", "is_active": "是"},
    ],
    "customers": [
        customer("C001", is_strategic="是", annual_revenue="¥1,250,000.00"),
        customer("C002", customer_name="旧名", updated_at="2025-01-01 10:00:00"),
        customer("C002", customer_name="新名", updated_at="2025-02-01 10:00:00"),  # wins in-night
        customer("C003", industry="零售"),  # Chinese label maps to the code
        customer("C003", industry="零售"),  # exact duplicate line
        customer("", customer_name="无主键"),  # missing_key
        customer("C004", acquired_at="2024-13-05"),  # bad_timestamp
        customer("C005", customer_type="reseller"),  # unknown_code
        customer("C006", contact_title="", email=""),  # missing non-key required: stays clean
        customer("C007", updated_at="2025-03-01 09:00:00"),
    ],
    "orders": [
        {"order_id": "O1", "customer_id": "C001", "order_date": "2025/1/3", "amount": "¥1,250.50",
         "product_category": "Software", "status": "Completed", "updated_at": "2025-01-03 12:00:00"},
        {"order_id": "O2", "customer_id": "C999", "order_date": "2025-01-04", "amount": "100",
         "product_category": "hardware", "status": "completed", "updated_at": "2025-01-04 12:00:00"},
        {"order_id": "O3", "customer_id": "C002", "order_date": "2025-01-05", "amount": "-5",
         "product_category": "hardware", "status": "completed", "updated_at": "2025-01-05 12:00:00"},
        {"order_id": "O4", "customer_id": "C004", "order_date": "2025-01-06", "amount": "5",
         "product_category": "hardware", "status": "completed", "updated_at": "2025-01-06 12:00:00"},
        {"order_id": "O5", "customer_id": "C002", "order_date": "", "amount": "1,000",
         "product_category": "hardware", "status": "completed", "updated_at": "2025-01-07 12:00:00"},
        {"order_id": "O6", "customer_id": "C002", "order_date": "2025-01-08", "amount": "abc",
         "product_category": "hardware", "status": "completed", "updated_at": "2025-01-08 12:00:00"},
    ],
    "interactions": [
        {"interaction_id": "I1", "customer_id": "C001", "rep_id": "R01", "occurred_at": "2025-03-18T14:05:00+08:00",
         "logged_at": "2025-03-18T06:30:00Z", "channel": "Visit", "summary": "拜访"},
        {"interaction_id": "I2", "customer_id": "C001", "rep_id": "R01", "occurred_at": "2025/3/18 14:05",
         "logged_at": "2025-03-19", "channel": "fax", "summary": "传真"},
    ],
    "surveys": [
        {"response_id": "S1", "customer_id": "C001", "responded_at": "2025-03-01 10:00:00", "score_overall": "5",
         "nps_score": "10"},
        {"response_id": "S2", "customer_id": "C001", "responded_at": "2025-03-01 10:00:00", "score_overall": "6"},
        {"response_id": "S3", "customer_id": "C001", "responded_at": "2025-03-01 10:00:00", "nps_score": "11"},
    ],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("staging")
    night1 = root / "night1"
    for entity, rows in NIGHT_1.items():
        write_export(night1, entity, rows)
    # a malformed line (too many fields) appended to customers.csv
    with open(night1 / "customers.csv", "a", encoding="utf-8") as handle:
        handle.write("C099,多一列" + ",x" * 25 + "\n")
    load_exports(night1, root / "wh", loaded_at=dt.datetime(2025, 3, 20, 1, 0))

    night2 = root / "night2"
    write_export(
        night2,
        "customers",
        [
            customer("C001", customer_name="客户C001-改名", is_strategic="否", updated_at="2025-03-20 09:00:00"),
            customer("C007", customer_name="过期版本", updated_at="2025-02-01 09:00:00"),  # older than night 1
        ],
    )
    load_exports(night2, root / "wh", loaded_at=dt.datetime(2025, 3, 21, 1, 0))
    build(root / "wh", "2025-03-31", STAGING)
    return root / "wh"


def test_reconciliation_per_entity_and_night(warehouse):
    rows = query(
        warehouse,
        "select entity, load_id, rows_landed, rows_staged, rows_quarantined, rows_duplicate_or_superseded,"
        " rows_replaced_by_later_load, rows_not_yet_valid from marts.mart_load_reconciliation order by entity, load_id",
    )
    assert rows == [
        # 11 landed: C001 C002 C002 C003 C003 '' C004 C005 C006 C007 + malformed line.
        # staged now: C002(new) C003 C006 (C001 replaced by night 2, C007 stays from night 1);
        # quarantined: C002(old, superseded), C003 dup, missing key, C004, C005, malformed = 6
        ("customers", 1, 11, 4, 6, 2, 1, 0),
        ("customers", 2, 2, 1, 0, 0, 1, 0),  # C001 staged; C007 (older updated_at) is history
        ("interactions", 1, 2, 1, 1, 0, 0, 0),
        ("orders", 1, 6, 1, 5, 0, 0, 0),
        ("sales_reps", 1, 1, 1, 0, 0, 0, 0),
        ("surveys", 1, 3, 1, 2, 0, 0, 0),
    ]


def test_quarantine_reasons_name_column_value_and_line(warehouse):
    customers = query(
        warehouse,
        "select _row_number, _quarantine_reason, _quarantine_column, _quarantine_value"
        " from staging.stg_crm__customers_quarantine order by _load_id, _row_number",
    )
    assert customers[:5] == [
        (3, "superseded", "customer_id", "C002"),
        (6, "exact_duplicate", "customer_id", "C003"),
        (7, "missing_key", "customer_id", ""),
        (8, "bad_timestamp", "acquired_at", "2024-13-05"),
        (9, "unknown_code", "customer_type", "reseller"),
    ]
    line, reason, column, value = customers[5]
    assert (line, reason, column) == (12, "malformed_row", None)
    assert value.startswith("C099,多一列,x")

    orders = dict(
        ((r[0], r[1:]) for r in query(
            warehouse,
            "select order_id, _quarantine_reason, _quarantine_column, _quarantine_value"
            " from staging.stg_crm__orders_quarantine",
        ))
    )
    assert orders == {
        "O2": ("orphan_reference", "customer_id", "C999"),
        "O3": ("out_of_range", "amount", "-5"),
        "O4": ("orphan_reference", "customer_id", "C004"),  # C004 itself is quarantined
        "O5": ("missing_timestamp", "order_date", ""),
        "O6": ("bad_number", "amount", "abc"),
    }
    surveys = query(
        warehouse,
        "select response_id, _quarantine_reason, _quarantine_column from staging.stg_crm__surveys_quarantine"
        " order by response_id",
    )
    assert surveys == [("S2", "out_of_range", "score_overall"), ("S3", "out_of_range", "nps_score")]
    interactions = query(
        warehouse, "select interaction_id, _quarantine_reason, _quarantine_value from staging.stg_crm__interactions_quarantine"
    )
    assert interactions == [("I2", "unknown_code", "fax")]


def test_clean_rows_are_typed_and_normalised(warehouse):
    c = query(
        warehouse,
        "select customer_id, customer_name, industry, is_strategic, acquired_at, email, phone, annual_revenue,"
        " _load_id from staging.stg_crm__customers order by customer_id",
    )
    assert c == [
        ("C001", "客户C001-改名", "manufacturing", False, dt.date(2024, 1, 5), "zhang@example.com",
         "13800000000", None, 2),
        ("C002", "新名", "manufacturing", None, dt.date(2024, 1, 5), "zhang@example.com", "13800000000", None, 1),
        ("C003", "客户C003", "retail", None, dt.date(2024, 1, 5), "zhang@example.com", "13800000000", None, 1),
        ("C006", "客户C006", "manufacturing", None, dt.date(2024, 1, 5), None, "13800000000", None, 1),
        ("C007", "客户C007", "manufacturing", None, dt.date(2024, 1, 5), "zhang@example.com", "13800000000",
         None, 1),
    ]
    # the night-1 version of C001 (strategic, revenue with ¥ and separators) is kept as history
    history = query(
        warehouse,
        "select is_strategic, annual_revenue, _row_status from staging.base_crm__customers"
        " where customer_id = 'C001' order by _load_id",
    )
    assert history == [(True, Decimal("1250000.00"), "replaced"), (False, None, "staged")]

    order = query(warehouse, "select order_date, amount, product_category, status from staging.stg_crm__orders")
    assert order == [(dt.date(2025, 1, 3), Decimal("1250.50"), "software", "completed")]

    # +08:00 is already local; Z (UTC) 06:30 is 14:30 in Asia/Shanghai
    interaction = query(warehouse, "select occurred_at, logged_at, channel from staging.stg_crm__interactions")
    assert interaction == [(dt.datetime(2025, 3, 18, 14, 5), dt.datetime(2025, 3, 18, 14, 30), "visit")]


def test_staging_keys_unique_and_every_row_accounted_for(warehouse):
    for entity in NIGHT_1:
        landed = query(warehouse, f"select count(*) from raw.{entity}")[0][0]
        base = query(warehouse, f"select count(*) from staging.base_crm__{entity}")[0][0]
        staged = query(warehouse, f"select count(*) from staging.stg_crm__{entity}")[0][0]
        quarantined = query(warehouse, f"select count(*) from staging.stg_crm__{entity}_quarantine")[0][0]
        replaced = query(
            warehouse, f"select count(*) from staging.base_crm__{entity} where _row_status = 'replaced'"
        )[0][0]
        assert landed == base == staged + quarantined + replaced, entity
