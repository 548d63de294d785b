"""The loader (`crmwh.load`) against the raw export contract (shared/spec/raw_exports.md).

Fixtures are a few hand-made rows per file, written into tmp_path in every accepted
format and encoding. Column lists come from the contract (`load_contract()`), so the
fixtures follow the declaration in `_crm__sources.yml`.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import random
import shutil
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import query

from crmwh import cli
from crmwh.contract import load_contract
from crmwh.load import LINEAGE_COLUMNS, ExportError, load_exports, read_csv_rows
from crmwh.paths import BUILD_DB_NAME

CONTRACT = load_contract()
CUSTOMERS = CONTRACT["customers"]
ORDERS = CONTRACT["orders"]
LOADED_AT = dt.datetime(2025, 3, 19, 2, 30, 0)
CN_NAME = "上海𠮷祥精密制造有限公司"  # 𠮷: outside GBK, only GB18030 round-trips it
CN_ADDRESS = "北京市朝阳区建国路88号 · 华贸中心3座"


# --------------------------------------------------------------------------- fixture builders


def sample_row(entity: str, n: int, **values: str | None) -> dict[str, str | None]:
    """Every contract column of ``entity`` with a recognisable value, e.g. ``amount-2``."""
    row: dict[str, str | None] = {c.name: f"{c.name}-{n}" for c in CONTRACT[entity].columns}
    unknown = set(values) - set(row)
    assert not unknown, f"not a {entity} column: {unknown}"
    row.update(values)
    return row


def order_rows() -> list[dict]:
    return [
        sample_row("orders", 1, order_id="O-001", amount="1,250.00", order_date="2025-03-18"),
        sample_row("orders", 2, order_id="O-002", amount="¥99.50", order_date="2025/3/18"),
        sample_row("orders", 3, order_id="O-003", amount="0", status="cancelled"),
    ]


def customer_rows() -> list[dict]:
    return [
        sample_row("customers", 1, customer_id="007", customer_name="  Acme Ltd  ", website=""),
        sample_row("customers", 2, customer_id="C-002", customer_name=CN_NAME, address=CN_ADDRESS),
    ]


def csv_text(rows: list[dict], header: list[str] | None = None, columns: list[str] | None = None) -> str:
    """CSV text of ``rows`` restricted to ``columns`` (default: the row's keys) under ``header``."""
    columns = columns or list(rows[0])
    header = header or columns
    assert len(header) == len(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", **kwargs) -> Path:
    data = csv_text(rows, **kwargs).encode(encoding)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    columns = list(rows[0])
    table = pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in columns})
    pq.write_table(table, path)
    return path


def landed(database: Path, entity: str) -> list[dict]:
    return query(database, f"select * from raw.{entity} order by _load_id, _row_number")


def manifest(database: Path) -> list[dict]:
    return query(database, "select * from raw._load_manifest order by load_id, entity")


def contract_values(row: dict, entity: str) -> dict:
    return {c: row[c] for c in CONTRACT[entity].column_names}


def state(warehouse_dir: Path) -> dict[str, int]:
    """Row count of every raw table and the manifest ({} when no database exists yet)."""
    database = warehouse_dir / BUILD_DB_NAME
    if not database.exists():
        return {}
    tables = [*CONTRACT, "_load_manifest"]
    sql = " union all ".join(f"select '{t}' as t, count(*) as n from raw.{t}" for t in tables)
    return {r["t"]: r["n"] for r in query(database, sql)}


def load(exports_dir: Path, warehouse_dir: Path, loaded_at: dt.datetime = LOADED_AT):
    return load_exports(exports_dir, warehouse_dir, loaded_at=loaded_at)


# --------------------------------------------------------------------------- 1. formats


@pytest.mark.parametrize("file_name", ["orders.csv", "orders.csv.gz", "orders.parquet"])
def test_each_format_lands_every_row_verbatim(exports_dir, warehouse_dir, file_name):
    rows = order_rows()
    path = exports_dir / file_name
    write_parquet(path, rows) if file_name.endswith(".parquet") else write_csv(path, rows)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "orders")
    assert [contract_values(r, "orders") for r in got] == rows
    # CSV: physical line numbers (header = line 1); Parquet: record number
    first = 1 if file_name.endswith(".parquet") else 2
    assert [r["_row_number"] for r in got] == [first, first + 1, first + 2]
    assert all(r["_parse_error"] is None and r["_raw_line"] is None for r in got)
    [entry] = manifest(report.database)
    assert entry["source_file"] == file_name
    assert entry["file_format"] == file_name.split(".", 1)[1]
    assert entry["encoding"] == (None if file_name.endswith(".parquet") else "utf-8")
    assert (entry["rows_landed"], entry["rows_malformed"]) == (3, 0)
    assert report.loaded[0].rows == 3


def test_raw_table_is_all_text_plus_lineage(exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv", order_rows())
    report = load(exports_dir, warehouse_dir)
    types = query(
        report.database,
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'orders' order by ordinal_position",
    )
    expected = [(c, "VARCHAR") for c in ORDERS.column_names] + list(LINEAGE_COLUMNS.items())
    assert [(t["column_name"], t["data_type"]) for t in types] == expected
    # every contract entity gets its raw table, even without a file tonight
    assert state(warehouse_dir) == {**{e: 0 for e in CONTRACT}, "orders": 3, "_load_manifest": 1}


def test_parquet_typed_columns_land_as_text(exports_dir, warehouse_dir):
    base = [sample_row("customers", i, customer_id=f"C{i}") for i in (1, 2, 3)]
    arrays = {c: pa.array([r[c] for r in base], pa.string()) for c in CUSTOMERS.column_names}
    arrays["employee_count"] = pa.array([250, None, 0], pa.int64())
    arrays["annual_revenue"] = pa.array([1250.0, 99.5, 1e9], pa.float64())
    arrays["acquired_at"] = pa.array([dt.date(2025, 3, 18), dt.date(2024, 12, 31), None], pa.date32())
    arrays["updated_at"] = pa.array(
        [dt.datetime(2025, 3, 18, 14, 5), dt.datetime(2025, 3, 18, 14, 5, 0, 250000), None], pa.timestamp("us")
    )
    arrays["founded_on"] = pa.array(
        [dt.datetime(2025, 3, 18, 6, 5, tzinfo=dt.timezone.utc), None, None], pa.timestamp("ms", tz="UTC")
    )
    arrays["is_strategic"] = pa.array([True, False, None], pa.bool_())
    pq.write_table(pa.table(arrays), exports_dir / "customers.parquet")

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "customers")
    picked = ["employee_count", "annual_revenue", "acquired_at", "updated_at", "founded_on", "is_strategic"]
    assert [tuple(r[c] for c in picked) for r in got] == [
        ("250", "1250", "2025-03-18", "2025-03-18 14:05:00", "2025-03-18T06:05:00+00:00", "true"),
        (None, "99.5", "2024-12-31", "2025-03-18 14:05:00.250000", None, "false"),
        ("0", "1000000000", None, None, None, None),
    ]
    assert [r["customer_name"] for r in got] == ["customer_name-1", "customer_name-2", "customer_name-3"]
    assert [r["_row_number"] for r in got] == [1, 2, 3]


def test_xlsx_cells_land_as_text(exports_dir, warehouse_dir):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    columns = CUSTOMERS.column_names
    sheet.append(columns)
    special = {
        "customer_id": "007",  # a text cell: leading zeros survive
        "employee_count": 250,
        "annual_revenue": 1250.0,
        "acquired_at": dt.date(2025, 3, 18),
        "updated_at": dt.datetime(2025, 3, 18, 14, 5),
        "is_strategic": True,
        "website": None,
    }
    first = sample_row("customers", 1)
    first.update(special)
    sheet.append([first[c] for c in columns])
    sheet.append([None] * len(columns))  # blank row 3: not a record
    second = sample_row("customers", 2, customer_name=CN_NAME)
    second.update(annual_revenue=1250.5, employee_count=None, updated_at=dt.datetime(2025, 3, 18, 23, 59, 59))
    sheet.append([second[c] for c in columns])
    workbook.save(exports_dir / "customers.xlsx")

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "customers")
    assert [r["_row_number"] for r in got] == [2, 4]  # worksheet row numbers
    one, two = got
    assert one["customer_id"] == "007"
    assert one["employee_count"] == "250"
    assert one["annual_revenue"] == "1250"
    # openpyxl reads every date-formatted cell as a datetime: a date lands at midnight
    assert one["acquired_at"] == "2025-03-18 00:00:00"
    assert one["updated_at"] == "2025-03-18 14:05:00"
    assert one["is_strategic"] == "true"
    assert one["website"] is None
    assert one["customer_name"] == "customer_name-1"
    assert (two["customer_name"], two["annual_revenue"], two["employee_count"], two["updated_at"]) == (
        CN_NAME,
        "1250.5",
        None,
        "2025-03-18 23:59:59",
    )
    [entry] = manifest(report.database)
    assert (entry["file_format"], entry["encoding"], entry["rows_landed"]) == ("xlsx", None, 2)


# --------------------------------------------------------------------------- 2. encodings


@pytest.mark.parametrize(
    ("encoding", "detected", "header_language"),
    [
        ("utf-8", "utf-8", "en"),
        ("utf-8-sig", "utf-8-sig", "en"),
        ("gb18030", "gb18030", "en"),
        ("gb18030", "gb18030", "zh"),
        ("utf-8-sig", "utf-8-sig", "zh"),
    ],
)
def test_encodings_round_trip_chinese_text(exports_dir, warehouse_dir, encoding, detected, header_language):
    rows = customer_rows()
    header = [c.zh if header_language == "zh" else c.name for c in CUSTOMERS.columns]
    # customer_id first, so a BOM would sit on the key column's header
    assert header[0] in ("customer_id", "客户编号")
    name = "customers.csv.gz" if encoding == "gb18030" and header_language == "zh" else "customers.csv"
    write_csv(exports_dir / name, rows, encoding=encoding, header=header)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "customers")
    assert [contract_values(r, "customers") for r in got] == rows
    assert got[1]["customer_name"] == CN_NAME and got[1]["address"] == CN_ADDRESS
    [entry] = manifest(report.database)
    assert entry["encoding"] == detected
    assert json.loads(entry["header_map"])[header[1]] == "customer_name"


def test_gb18030_csv_needs_the_gb18030_codec():
    # guard for the fixture itself: the text really is not UTF-8 and not plain GBK
    data = CN_NAME.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(UnicodeEncodeError):
        CN_NAME.encode("gbk")


def _latin1_bytes() -> bytes:
    text = csv_text([sample_row("customers", 1, customer_name="Café, Zürich", address="Straße 5")])
    return text.encode("latin-1") + b"\xff\xfe\x80 trailing\n"


def _random_bytes() -> bytes:
    rng = random.Random(20250318)
    return bytes(rng.randrange(1, 256) for _ in range(4096))  # no NUL: must fail on decoding


@pytest.mark.parametrize("make_bytes", [_latin1_bytes, _random_bytes], ids=["latin-1", "random"])
@pytest.mark.parametrize("file_name", ["customers.csv", "customers.csv.gz"])
def test_undecodable_file_rejects_the_night(exports_dir, warehouse_dir, make_bytes, file_name):
    write_csv(exports_dir / "orders.csv", order_rows())  # a good file that sorts after it
    data = make_bytes()
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    (exports_dir / file_name).write_bytes(gzip.compress(data) if file_name.endswith(".gz") else data)

    with pytest.raises(ExportError, match="cannot be decoded as UTF-8 or GB18030") as caught:
        load(exports_dir, warehouse_dir)

    assert str(caught.value).startswith(f"{file_name}: ")
    assert state(warehouse_dir).get("orders", 0) == 0
    assert state(warehouse_dir).get("_load_manifest", 0) == 0


def test_binary_file_with_nul_bytes_is_rejected(exports_dir, warehouse_dir):
    (exports_dir / "orders.csv").write_bytes(b"order_id,\x00\x01\x02\n")
    with pytest.raises(ExportError, match=r"^orders\.csv: not a CSV text file"):
        load(exports_dir, warehouse_dir)


# --------------------------------------------------------------------------- 3. headers


def _spellings(variant: str) -> tuple[list[str], list[str]]:
    """(contract columns in file order, header as written) for one header variant."""
    names = ORDERS.column_names
    if variant == "english":
        return names, names
    if variant == "chinese":
        return names, [c.zh for c in ORDERS.columns]
    if variant == "mixed_case_and_spaces":
        header = [f"  {n.replace('_', ' ').upper()} " if i % 2 else n.title() for i, n in enumerate(names)]
        header[0], header[1] = "Order_ID", " customer id "
        header[2] = '"Order   Date"'  # literal quotes around the name; inner spaces collapse
        return names, header
    if variant == "shuffled":
        shuffled = list(reversed(names))
        shuffled[0], shuffled[3] = shuffled[3], shuffled[0]
        return shuffled, shuffled
    if variant == "shuffled_mixed_language":
        shuffled = names[3:] + names[:3]
        return shuffled, [ORDERS.column(n).zh if i % 2 else n.upper() for i, n in enumerate(shuffled)]
    raise AssertionError(variant)


@pytest.mark.parametrize(
    "variant", ["english", "chinese", "mixed_case_and_spaces", "shuffled", "shuffled_mixed_language"]
)
def test_header_variants_land_under_the_contract_column(exports_dir, warehouse_dir, variant):
    columns, header = _spellings(variant)
    rows = order_rows()
    write_csv(exports_dir / "orders.csv", rows, columns=columns, header=header)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "orders")
    assert [contract_values(r, "orders") for r in got] == rows
    [entry] = manifest(report.database)
    assert json.loads(entry["ignored_columns"]) == []
    header_map = json.loads(entry["header_map"])
    assert sorted(header_map.values()) == sorted(ORDERS.column_names)
    assert header_map[header[0].strip('"')] == columns[0]


def test_header_variant_fixtures_are_what_they_claim():
    _, mixed = _spellings("mixed_case_and_spaces")
    assert mixed[:2] == ["Order_ID", " customer id "]
    shuffled, _ = _spellings("shuffled")
    assert shuffled != ORDERS.column_names and sorted(shuffled) == sorted(ORDERS.column_names)


@pytest.mark.parametrize("file_name", ["orders.csv", "orders.parquet"])
def test_unknown_column_is_ignored_and_recorded(exports_dir, warehouse_dir, file_name):
    rows = [dict(r, **{"Remark": f"note {i}", "备注": "x"}) for i, r in enumerate(order_rows())]
    path = exports_dir / file_name
    write_parquet(path, rows) if file_name.endswith(".parquet") else write_csv(path, rows)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "orders")
    assert [contract_values(r, "orders") for r in got] == order_rows()
    assert "Remark" not in got[0] and "remark" not in got[0]
    [entry] = manifest(report.database)
    assert json.loads(entry["ignored_columns"]) == ["Remark", "备注"]
    assert "Remark" not in json.loads(entry["header_map"])
    assert report.loaded[0].ignored_columns == ["Remark", "备注"]


def test_absent_optional_column_lands_null(exports_dir, warehouse_dir):
    optional = [c.name for c in ORDERS.columns if not c.required]
    assert optional == ["rep_id"]
    columns = [c for c in ORDERS.column_names if c != "rep_id"]
    write_csv(exports_dir / "orders.csv", order_rows(), columns=columns)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "orders")
    assert [r["rep_id"] for r in got] == [None, None, None]
    assert [r["order_id"] for r in got] == ["O-001", "O-002", "O-003"]
    assert [r["amount"] for r in got] == ["1,250.00", "¥99.50", "0"]


def test_all_optional_customer_columns_absent(exports_dir, warehouse_dir):
    required = CUSTOMERS.required_columns
    write_csv(exports_dir / "customers.csv", customer_rows(), columns=required)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "customers")
    optional = [c.name for c in CUSTOMERS.columns if not c.required]
    assert {r[c] for r in got for c in optional} == {None}
    assert [r["customer_id"] for r in got] == ["007", "C-002"]


# --------------------------------------------------------------------------- 4. errors


def _missing_amount(exports_dir: Path) -> None:
    write_csv(exports_dir / "orders.csv", order_rows(), columns=[c for c in ORDERS.column_names if c != "amount"])


def _missing_zh_headers(exports_dir: Path) -> None:
    columns = [c for c in ORDERS.column_names if c not in ("amount", "status")]
    write_csv(exports_dir / "orders.csv", order_rows(), columns=columns, header=[ORDERS.column(c).zh for c in columns])


def _unknown_entity(exports_dir: Path) -> None:
    write_csv(exports_dir / "contacts.csv", [{"contact_id": "K1", "name": "Li Lei"}])


def _two_files(exports_dir: Path) -> None:
    write_csv(exports_dir / "orders.csv", order_rows())
    write_parquet(exports_dir / "orders.parquet", order_rows())


def _column_twice(exports_dir: Path) -> None:
    columns = ORDERS.column_names + ["order_id"]
    header = ORDERS.column_names + ["订单编号"]
    write_csv(exports_dir / "orders.csv", order_rows(), columns=columns, header=header)


def _missing_in_xlsx(exports_dir: Path) -> None:
    workbook = openpyxl.Workbook()
    columns = [c for c in ORDERS.column_names if c != "updated_at"]
    workbook.active.append(columns)
    for row in order_rows():
        workbook.active.append([row[c] for c in columns])
    workbook.save(exports_dir / "orders.xlsx")


def _not_a_workbook(exports_dir: Path) -> None:
    (exports_dir / "orders.xlsx").write_text("order_id,amount\n1,2\n")


def _not_a_parquet_file(exports_dir: Path) -> None:
    (exports_dir / "orders.parquet").write_bytes(b"PAR1 not really")


def _not_gzip(exports_dir: Path) -> None:
    (exports_dir / "orders.csv.gz").write_text(csv_text(order_rows()))


def _empty_csv(exports_dir: Path) -> None:
    (exports_dir / "orders.csv").write_bytes(b"")


ERROR_CASES = {
    "missing_required_column": (_missing_amount, ["orders.csv", "missing required column", "'amount'", "订单金额"]),
    "missing_required_zh": (_missing_zh_headers, ["orders.csv", "'amount' (订单金额)", "'status' (订单状态)"]),
    "missing_required_xlsx": (_missing_in_xlsx, ["orders.xlsx", "'updated_at' (更新时间)"]),
    "unknown_entity": (_unknown_entity, ["contacts.csv", "unknown entity 'contacts'"]),
    "two_files_one_entity": (_two_files, ["orders.parquet", "orders.csv", "second file for entity 'orders'"]),
    "column_twice": (_column_twice, ["orders.csv", "'order_id' appears twice", "positions 1 and 9"]),
    "not_a_workbook": (_not_a_workbook, ["orders.xlsx", "not a readable Excel workbook"]),
    "not_a_parquet_file": (_not_a_parquet_file, ["orders.parquet", "not a readable Parquet file"]),
    "not_gzip": (_not_gzip, ["orders.csv.gz", "cannot be read"]),
    "empty_csv": (_empty_csv, ["orders.csv", "empty file"]),
}


def _first_night(exports_dir: Path) -> None:
    """A good file (customers.csv) that sorts before the bad orders file."""
    write_csv(exports_dir / "customers.csv", customer_rows())


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_bad_file_rejects_the_whole_night(exports_dir, warehouse_dir, case):
    make, fragments = ERROR_CASES[case]
    _first_night(exports_dir)
    make(exports_dir)

    with pytest.raises(ExportError) as caught:
        load(exports_dir, warehouse_dir)

    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    # nothing of the night landed, not even the good customers.csv that was read first
    assert state(warehouse_dir).get("customers", 0) == 0
    assert state(warehouse_dir).get("_load_manifest", 0) == 0


@pytest.mark.parametrize("case", ["missing_required_column", "two_files_one_entity", "not_gzip"])
def test_bad_file_after_earlier_nights_leaves_history_unchanged(tmp_path, warehouse_dir, case):
    night1 = tmp_path / "night1"
    night1.mkdir()
    write_csv(night1 / "customers.csv", customer_rows()[:1])
    write_csv(night1 / "orders.csv", order_rows()[:1])
    load(night1, warehouse_dir)
    before = state(warehouse_dir)
    before_rows = landed(warehouse_dir / BUILD_DB_NAME, "customers")

    night2 = tmp_path / "night2"
    night2.mkdir()
    _first_night(night2)  # changed customers file: would be a new load
    make, _ = ERROR_CASES[case]
    make(night2)
    with pytest.raises(ExportError):
        load(night2, warehouse_dir, loaded_at=LOADED_AT + dt.timedelta(days=1))

    assert state(warehouse_dir) == before == {**{e: 0 for e in CONTRACT}, "customers": 1, "orders": 1, "_load_manifest": 2}
    assert landed(warehouse_dir / BUILD_DB_NAME, "customers") == before_rows


@pytest.mark.parametrize("case", ["missing_required_column", "unknown_entity", "two_files_one_entity", "column_twice"])
def test_cli_load_exits_2_with_the_message(exports_dir, warehouse_dir, capsys, case):
    make, fragments = ERROR_CASES[case]
    _first_night(exports_dir)
    make(exports_dir)

    code = cli.main(["load", "--exports", str(exports_dir), "--warehouse-dir", str(warehouse_dir)])

    assert code == 2
    out, err = capsys.readouterr()
    assert err.startswith("crmwh: export rejected, nothing loaded: ")
    assert err.count("\n") == 1
    for fragment in fragments:
        assert fragment in err
    assert out == ""
    assert state(warehouse_dir).get("customers", 0) == 0


def test_cli_load_success_exits_0(exports_dir, warehouse_dir, capsys):
    write_csv(exports_dir / "orders.csv", order_rows())
    (exports_dir / "README.txt").write_text("not an export")

    assert cli.main(["load", "--exports", str(exports_dir), "--warehouse-dir", str(warehouse_dir)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "load 1 into" in out
    assert "3 rows landed from orders.csv [csv, utf-8]" in out
    assert "ignored file: README.txt" in out

    assert cli.main(["load", "--exports", str(exports_dir), "--warehouse-dir", str(warehouse_dir)]) == 0
    assert "nothing new" in capsys.readouterr().out


def test_missing_or_empty_exports_dir(tmp_path, warehouse_dir):
    with pytest.raises(ExportError, match="does not exist"):
        load(tmp_path / "nope", warehouse_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    with pytest.raises(ExportError, match="no export files"):
        load(empty, warehouse_dir)
    assert state(warehouse_dir) == {}


# --------------------------------------------------------------------------- 5. malformed lines


def _order_line(n: int, **raw: str) -> str:
    """One good orders record as raw CSV text (no line end); ``raw`` values are written as is."""
    row = sample_row("orders", n, order_id=f"O-{n}", **raw)
    return ",".join(row[c] for c in ORDERS.column_names)


MALFORMED_CASES = {
    # name: (physical line text, expected start of _parse_error)
    "too_many_fields": (_order_line(0) + ",surplus,fields", "expected 8 fields, found 10"),
    "too_few_fields": ("O-0,customer_id-0,2025-03-18", "expected 8 fields, found 3"),
    "open_quote_mid_row": ('O-0,customer_id-0,"2025-03-18,amount-0,pc,completed,r,u', "CSV error"),
    "open_quote_last_field": ('O-0,customer_id-0,2025-03-18,1,pc,completed,r,"u', "CSV error"),
    "quote_closed_by_later_field": ('O-0,"customer_id-0,2025-03-18,1,pc,completed,r,u', "CSV error"),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_malformed_lines_land_as_one_row_each(exports_dir, warehouse_dir, newline):
    header = ",".join(ORDERS.column_names)
    lines = [
        header,  # 1
        _order_line(1),  # 2
        MALFORMED_CASES["too_many_fields"][0],  # 3
        _order_line(2),  # 4
        MALFORMED_CASES["too_few_fields"][0],  # 5
        _order_line(3, product_category=f'"hard{newline}ware"'),  # 6-7: a quoted line break
        _order_line(4),  # 8
        MALFORMED_CASES["open_quote_mid_row"][0],  # 9
        _order_line(5),  # 10
        _order_line(6, product_category='"quoted"'),  # 11: a later quoted field
        "",  # 12: blank line, not a record
        _order_line(7),  # 13
        MALFORMED_CASES["open_quote_last_field"][0],  # 14: would swallow the rest of the file
        _order_line(8),  # 15
        _order_line(9),  # 16
    ]
    text = newline.join(lines) + newline
    (exports_dir / "orders.csv").write_bytes(text.encode("utf-8"))

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "orders")
    assert [(r["_row_number"], r["order_id"]) for r in got] == [
        (2, "O-1"),
        (3, None),
        (4, "O-2"),
        (5, None),
        (6, "O-3"),
        (8, "O-4"),
        (9, None),
        (10, "O-5"),
        (11, "O-6"),
        (13, "O-7"),
        (14, None),
        (15, "O-8"),
        (16, "O-9"),
    ]
    bad = {r["_row_number"]: r for r in got if r["_parse_error"] is not None}
    assert sorted(bad) == [3, 5, 9, 14]
    physical = text.split(newline)
    for line_number, case in [
        (3, "too_many_fields"),
        (5, "too_few_fields"),
        (9, "open_quote_mid_row"),
        (14, "open_quote_last_field"),
    ]:
        raw_line, error = MALFORMED_CASES[case]
        assert bad[line_number]["_raw_line"] == raw_line == physical[line_number - 1]
        assert bad[line_number]["_parse_error"].startswith(error)
        assert all(bad[line_number][c] is None for c in ORDERS.column_names)
    good = [r for r in got if r["_parse_error"] is None]
    assert all(r["_raw_line"] is None for r in good)
    multiline = next(r for r in good if r["order_id"] == "O-3")
    assert multiline["product_category"] == f"hard{newline}ware"
    assert next(r for r in good if r["order_id"] == "O-6")["product_category"] == "quoted"
    assert good[-1] == {**good[-1], **sample_row("orders", 9, order_id="O-9")}
    [entry] = manifest(report.database)
    assert (entry["rows_landed"], entry["rows_malformed"]) == (13, 4)
    assert (report.loaded[0].rows, report.loaded[0].malformed) == (13, 4)


@pytest.mark.parametrize("case", list(MALFORMED_CASES))
@pytest.mark.parametrize("where", ["middle", "last_line"])
def test_each_kind_of_malformed_line_costs_one_line(tmp_path, case, where):
    """The CSV reader alone (no database): one bad physical line, wherever the broken quote sits."""
    raw_line, error = MALFORMED_CASES[case]
    good = [_order_line(1), _order_line(2), _order_line(3, status='"cancelled"'), _order_line(4)]
    body = [good[0], raw_line, *good[1:]] if where == "middle" else [*good, raw_line]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([",".join(ORDERS.column_names), *body]) + "\n", encoding="utf-8")

    header, *records = read_csv_rows(path, "csv", "utf-8")

    assert header == ORDERS.column_names
    bad_line = 3 if where == "middle" else 6
    assert [r[0] for r in records] == [2, 3, 4, 5, 6]
    [(line_number, values, parse_error, raw)] = [r for r in records if r[2] is not None]
    assert (line_number, values, raw) == (bad_line, None, raw_line)
    assert parse_error.startswith(error)
    ok = {r[1][0]: r[1] for r in records if r[2] is None}
    assert sorted(ok) == ["O-1", "O-2", "O-3", "O-4"]
    assert all(r[3] is None for r in records if r[2] is None)
    assert ok["O-3"][ORDERS.column_names.index("status")] == "cancelled"
    assert ok["O-4"] == [sample_row("orders", 4, order_id="O-4")[c] for c in ORDERS.column_names]


def test_quoted_newlines_are_valid_records(exports_dir, warehouse_dir):
    rows = [
        sample_row("orders", 1, order_id="O-1", product_category="line one\nline two\nline three"),
        sample_row("orders", 2, order_id="O-2", product_category='say "hi",\r\nthen go'),
        sample_row("orders", 3, order_id="O-3"),
    ]
    write_csv(exports_dir / "orders.csv", rows)

    report = load(exports_dir, warehouse_dir)

    got = landed(report.database, "orders")
    assert [contract_values(r, "orders") for r in got] == rows
    # header = 1; O-1 spans 2-4; O-2 spans 5-6; O-3 is on 7
    assert [r["_row_number"] for r in got] == [2, 5, 7]
    assert {r["_parse_error"] for r in got} == {None}
    assert manifest(report.database)[0]["rows_malformed"] == 0


def test_header_only_file_lands_nothing_but_is_recorded(exports_dir, warehouse_dir):
    (exports_dir / "orders.csv").write_text(",".join(ORDERS.column_names) + "\n")
    report = load(exports_dir, warehouse_dir)
    assert landed(report.database, "orders") == []
    [entry] = manifest(report.database)
    assert (entry["source_file"], entry["rows_landed"]) == ("orders.csv", 0)


# --------------------------------------------------------------------------- 6. re-loads


def test_reloading_the_same_files_is_a_no_op(exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv", order_rows())
    write_csv(exports_dir / "customers.csv", customer_rows())
    first = load(exports_dir, warehouse_dir)
    assert first.load_id == 1
    before = state(warehouse_dir)
    before_manifest = manifest(first.database)

    again = load(exports_dir, warehouse_dir, loaded_at=LOADED_AT + dt.timedelta(hours=1))

    assert again.load_id is None
    assert again.loaded == []
    assert sorted((f.entity, f.status) for f in again.files) == [
        ("customers", "already_loaded"),
        ("orders", "already_loaded"),
    ]
    assert state(warehouse_dir) == before
    assert manifest(first.database) == before_manifest


def test_changed_file_appends_a_new_load_and_keeps_history(exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv", order_rows())
    write_csv(exports_dir / "customers.csv", customer_rows())
    load(exports_dir, warehouse_dir)

    changed = order_rows()[:2]
    changed[0]["status"] = "refunded"
    changed.append(sample_row("orders", 9, order_id="O-009"))
    write_csv(exports_dir / "orders.csv", changed)
    night2 = LOADED_AT + dt.timedelta(days=1)

    report = load(exports_dir, warehouse_dir, loaded_at=night2)

    assert report.load_id == 2
    assert {f.entity: f.status for f in report.files} == {"customers": "already_loaded", "orders": "loaded"}
    got = landed(report.database, "orders")
    assert [(r["_load_id"], r["order_id"], r["status"], r["_loaded_at"]) for r in got] == [
        (1, "O-001", "status-1", LOADED_AT),
        (1, "O-002", "status-2", LOADED_AT),
        (1, "O-003", "cancelled", LOADED_AT),
        (2, "O-001", "refunded", night2),
        (2, "O-002", "status-2", night2),
        (2, "O-009", "status-9", night2),
    ]
    assert len({r["_file_sha256"] for r in got}) == 2
    entries = manifest(report.database)
    assert [(e["load_id"], e["entity"], e["rows_landed"]) for e in entries] == [
        (1, "customers", 2),
        (1, "orders", 3),
        (2, "orders", 3),
    ]
    assert len(landed(report.database, "customers")) == 2

    # a third night with a new format of the same entity is again a new load
    (exports_dir / "orders.csv").unlink()
    write_parquet(exports_dir / "orders.parquet", changed[:1])
    assert load(exports_dir, warehouse_dir).load_id == 3
    assert len(landed(report.database, "orders")) == 7


def test_same_bytes_from_another_directory_is_a_no_op(tmp_path, exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv", order_rows())
    load(exports_dir, warehouse_dir)
    before = state(warehouse_dir)

    elsewhere = tmp_path / "re-delivered" / "2025-03-18"
    elsewhere.mkdir(parents=True)
    shutil.copy(exports_dir / "orders.csv", elsewhere / "orders.csv")
    report = load(elsewhere, warehouse_dir, loaded_at=LOADED_AT + dt.timedelta(days=1))

    assert report.load_id is None
    assert report.files[0].status == "already_loaded"
    assert state(warehouse_dir) == before


def test_identity_is_entity_plus_sha256(tmp_path, warehouse_dir):
    """The same bytes under another entity's name are a different file, not a repeat."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    # the header names both entities' required columns, so the file is valid for either
    columns = list(dict.fromkeys(CUSTOMERS.required_columns + ORDERS.required_columns))
    row = {c: f"{c}-1" for c in columns}
    write_csv(one / "customers.csv", [row])
    shutil.copy(one / "customers.csv", two / "orders.csv")

    assert load(one, warehouse_dir).load_id == 1
    report = load(two, warehouse_dir)

    assert report.load_id == 2
    [entry] = [e for e in manifest(report.database) if e["entity"] == "orders"]
    assert entry["file_sha256"] == hashlib.sha256((one / "customers.csv").read_bytes()).hexdigest()
    assert json.loads(entry["ignored_columns"]) == [c for c in columns if c not in ORDERS.column_names]


# --------------------------------------------------------------------------- 7. lineage


def test_lineage_columns(exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv.gz", order_rows())
    write_csv(exports_dir / "customers.csv", customer_rows(), encoding="gb18030")
    loaded_at = dt.datetime(2025, 3, 19, 1, 2, 3)

    report = load(exports_dir, warehouse_dir, loaded_at=loaded_at)

    assert report.load_id == 1
    for entity, file_name in [("orders", "orders.csv.gz"), ("customers", "customers.csv")]:
        sha = hashlib.sha256((exports_dir / file_name).read_bytes()).hexdigest()
        got = landed(report.database, entity)
        assert {(r["_load_id"], r["_source_file"], r["_file_sha256"], r["_loaded_at"]) for r in got} == {
            (1, file_name, sha, loaded_at)
        }
        [entry] = [e for e in manifest(report.database) if e["entity"] == entity]
        assert entry["file_sha256"] == sha
        assert entry["source_path"] == str((exports_dir / file_name).resolve())
        assert entry["loaded_at"] == loaded_at
        assert entry["rows_landed"] == len(got)
        assert [f.sha256 for f in report.files if f.entity == entity] == [sha]
    assert {e["load_id"] for e in manifest(report.database)} == {1}


def test_default_loaded_at_is_now_utc(exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv", order_rows())
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    report = load_exports(exports_dir, warehouse_dir)
    after = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    [stamp] = {r["_loaded_at"] for r in landed(report.database, "orders")}
    assert before - dt.timedelta(seconds=1) <= stamp <= after + dt.timedelta(seconds=1)


def test_hidden_and_other_files_are_ignored(exports_dir, warehouse_dir):
    write_csv(exports_dir / "orders.csv", order_rows())
    (exports_dir / ".orders.csv.swp").write_text("junk")
    (exports_dir / "_SUCCESS").write_text("")
    (exports_dir / "contacts.txt").write_text("not a data file")
    (exports_dir / "archive").mkdir()

    report = load(exports_dir, warehouse_dir)

    assert sorted(report.ignored_files) == sorted([".orders.csv.swp", "_SUCCESS", "archive", "contacts.txt"])
    assert [f.entity for f in report.files] == ["orders"]


def test_entity_file_name_is_case_insensitive(exports_dir, warehouse_dir):
    write_csv(exports_dir / "Orders.CSV", order_rows())
    report = load(exports_dir, warehouse_dir)
    assert [(f.entity, f.file_format) for f in report.files] == [("orders", "csv")]
    assert {r["_source_file"] for r in landed(report.database, "orders")} == {"Orders.CSV"}


# --------------------------------------------------------------------------- 8. verbatim values


def test_csv_values_land_verbatim(exports_dir, warehouse_dir):
    header = ",".join(CUSTOMERS.column_names)
    values = {c: f"{c}-1" for c in CUSTOMERS.column_names}
    values.update(
        customer_id="007",
        customer_name="  Acme Ltd  ",
        phone="+86 138-0013-8000",
        annual_revenue='"1,250.00"',
        employee_count="",
        website="",
        tags="price_sensitive;complex_decision",
        is_strategic="是",
        acquired_at="2025/3/18",
        updated_at="2025-03-18T14:05:00+08:00",
        address='"Room 5, ""Tower"" B"',
        initial_need="NULL",
    )
    line = ",".join(values[c] for c in CUSTOMERS.column_names)
    (exports_dir / "customers.csv").write_text(f"{header}\n{line}\n", encoding="utf-8")

    report = load(exports_dir, warehouse_dir)

    [row] = landed(report.database, "customers")
    assert row["customer_id"] == "007"
    assert row["customer_name"] == "  Acme Ltd  "
    assert row["phone"] == "+86 138-0013-8000"
    assert row["annual_revenue"] == "1,250.00"
    assert row["employee_count"] == "" and row["website"] == ""  # empty field: '' (not NULL)
    assert row["tags"] == "price_sensitive;complex_decision"
    assert row["is_strategic"] == "是"
    assert row["acquired_at"] == "2025/3/18"
    assert row["updated_at"] == "2025-03-18T14:05:00+08:00"
    assert row["address"] == 'Room 5, "Tower" B'
    assert row["initial_need"] == "NULL"  # the text NULL is not a null


def test_duplicate_rows_in_one_file_all_land(exports_dir, warehouse_dir):
    rows = order_rows()[:1] * 3
    write_csv(exports_dir / "orders.csv", rows)
    report = load(exports_dir, warehouse_dir)
    got = landed(report.database, "orders")
    assert [contract_values(r, "orders") for r in got] == rows
    assert [r["_row_number"] for r in got] == [2, 3, 4]
