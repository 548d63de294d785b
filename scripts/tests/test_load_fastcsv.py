"""The loader's CSV fast path (`crmwh.load_fastcsv`, DuckDB's reader) against its Python reader.

The fast path must land exactly what the Python reader lands (same values, row numbers,
parse errors, raw lines, manifest), or give the file back to the Python reader. Each test
loads the same exports twice, ``fast_csv=True`` and ``fast_csv=False``, and compares every
raw table and the manifest row by row, then checks which reader took each file.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
import shutil
from pathlib import Path

import pytest
from conftest import query

from crmwh.contract import load_contract
from crmwh.load import load_exports
from crmwh import load_fastcsv as fastcsv
from crmwh.load_fastcsv import Irregular, scan, shift_sql

CONTRACT = load_contract()
ORDERS = CONTRACT["orders"]
LOADED_AT = dt.datetime(2025, 3, 19, 2, 30, 0)
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "exports"


def _tables(database: Path) -> dict[str, list[tuple]]:
    tables = {}
    for table in [*CONTRACT, "_load_manifest"]:
        order = "load_id, entity" if table == "_load_manifest" else "_load_id, _row_number"
        rows = query(database, f"select * from raw.{table} order by {order}")
        if table == "_load_manifest":  # the path differs by warehouse only in the test's tmp dir
            rows = [{k: v for k, v in r.items() if k != "source_path"} for r in rows]
        tables[table] = [tuple(r.items()) for r in rows]
    return tables


def load_both(exports_dir: Path, tmp_path: Path) -> tuple[dict, dict, dict[str, str | None]]:
    """(tables landed by the fast path, by the Python reader, reader of each entity's file)."""
    fast = load_exports(exports_dir, tmp_path / "fast", loaded_at=LOADED_AT)
    slow = load_exports(exports_dir, tmp_path / "python", loaded_at=LOADED_AT, fast_csv=False)
    assert {f.reader for f in slow.files if f.file_format.startswith("csv")} <= {"python"}
    assert not list((tmp_path / "fast").glob(".crmwh-load-*")), "scratch directory left behind"
    readers = {f.entity: f.reader for f in fast.files}
    assert [(f.entity, f.rows, f.malformed) for f in fast.files] == [
        (f.entity, f.rows, f.malformed) for f in slow.files
    ]
    return _tables(fast.database), _tables(slow.database), readers


def orders_file(path: Path, lines: list[str], newline: str = "\n", encoding: str = "utf-8") -> Path:
    text = newline.join([",".join(ORDERS.column_names), *lines]) + newline
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def order_line(n: int, **raw: str) -> str:
    values = {c: f"{c}-{n}" for c in ORDERS.column_names}
    values.update(order_id=f"O-{n}", **raw)
    return ",".join(values[c] for c in ORDERS.column_names)


def test_sample_exports_land_the_same_through_both_readers(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(SAMPLE, exports)

    fast, slow, readers = load_both(exports, tmp_path)

    assert fast == slow
    assert set(readers.values()) == {"duckdb"}  # every sample file is regular
    # the sample holds malformed lines (a field too many or too few) and quoted fields
    malformed = [r for rows in fast.values() for r in rows if dict(r).get("_parse_error")]
    assert len(malformed) == 10
    assert len(fast["orders"]) == 31470


RAGGED_AND_QUOTED = [
    order_line(1),
    order_line(2) + ",surplus",  # 3: a field too many
    order_line(3, amount='"1,250.00"', product_category='"say ""hi"", then go"'),
    "",  # 5: blank line
    "O-4,customer_id-4",  # 6: too few
    order_line(5, status='""', rep_id=""),  # quoted empty and empty fields
    order_line(6, amount='"¥9,999.50"', product_category="上海𠮷祥"),
    '"O-7",' + ",".join(f'"{c}-7"' for c in ORDERS.column_names[1:]) + ',"x,y"',  # 9: quoted, too many
    "",
    "",
    order_line(8),
]


@pytest.mark.parametrize(
    ("file_name", "newline", "encoding"),
    [
        ("orders.csv", "\n", "utf-8"),
        ("orders.csv", "\r\n", "utf-8"),
        ("orders.csv", "\n", "utf-8-sig"),
        ("orders.csv", "\r\n", "gb18030"),
        ("orders.csv.gz", "\n", "gb18030"),
        ("orders.csv.gz", "\r\n", "utf-8"),
    ],
)
def test_ragged_rows_and_quotes_take_the_fast_path(exports_dir, tmp_path, file_name, newline, encoding):
    orders_file(exports_dir / file_name, RAGGED_AND_QUOTED, newline, encoding)

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert readers["orders"] == "duckdb"
    assert fast == slow
    got = [dict(r) for r in fast["orders"]]
    assert [(r["_row_number"], r["order_id"]) for r in got] == [
        (2, "O-1"),
        (3, None),
        (4, "O-3"),
        (6, None),
        (7, "O-5"),
        (8, "O-6"),
        (9, None),
        (12, "O-8"),
    ]
    assert got[1]["_parse_error"] == "expected 8 fields, found 9"
    assert got[1]["_raw_line"] == RAGGED_AND_QUOTED[1]
    assert got[6]["_raw_line"] == RAGGED_AND_QUOTED[7]
    assert got[2]["product_category"] == 'say "hi", then go'
    assert (got[4]["status"], got[4]["rep_id"]) == ("", "")


@pytest.mark.parametrize("block_bytes", [1, 7, 64, 1000])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_scan_blocks_cut_anywhere(exports_dir, tmp_path, monkeypatch, block_bytes, newline):
    """The scan reads 16 MiB blocks; tiny blocks put block edges inside lines and line ends."""
    monkeypatch.setattr(fastcsv, "BLOCK_BYTES", block_bytes)
    orders_file(exports_dir / "orders.csv", RAGGED_AND_QUOTED * 3, newline)

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert readers["orders"] == "duckdb"
    assert fast == slow
    assert len(fast["orders"]) == 24


IRREGULAR = {
    "quoted_line_break": [order_line(1), order_line(2, product_category='"hard\nware"'), order_line(3)],
    "unbalanced_quote": [order_line(1), 'O-2,customer_id-2,"2025-03-18,1,pc,completed,r,u', order_line(3)],
    "quote_closed_mid_field": [order_line(1), order_line(2, status='"can"celled'), order_line(3)],
    "quote_inside_unquoted_field": [order_line(1), order_line(2, product_category='5" screen'), order_line(3)],
    "stray_carriage_return": [order_line(1), order_line(2, status="can\rcelled"), order_line(3)],
    "field_over_python_limit": [order_line(1), order_line(2, product_category="x" * 131_073), order_line(3)],
    # DuckDB keeps these rows (a trailing delimiter), Python's reader finds a field too many
    "empty_field_too_many": [order_line(1), order_line(2) + ",", order_line(3) + ',""', order_line(4)],
}


@pytest.mark.parametrize("case", list(IRREGULAR))
def test_irregular_files_go_to_the_python_reader(exports_dir, tmp_path, case):
    orders_file(exports_dir / "orders.csv", IRREGULAR[case])

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert readers["orders"] == "python"
    assert fast == slow


def test_the_report_says_why_a_file_took_the_python_reader(exports_dir, warehouse_dir):
    orders_file(exports_dir / "orders.csv", IRREGULAR["quoted_line_break"])
    customers = CONTRACT["customers"].column_names
    (exports_dir / "customers.csv").write_text(",".join(customers) + "\n" + ",".join(customers) + "\n")

    report = load_exports(exports_dir, warehouse_dir, loaded_at=LOADED_AT)

    by_entity = {f.entity: f for f in report.files}
    assert (by_entity["orders"].reader, by_entity["orders"].fallback_reason) == (
        "python",
        "a line with an odd number of quotes",
    )
    assert (by_entity["customers"].reader, by_entity["customers"].fallback_reason) == ("duckdb", None)


def test_mixed_line_ends_go_to_the_python_reader(exports_dir, tmp_path):
    header = ",".join(ORDERS.column_names)
    text = f"{header}\r\n{order_line(1)}\n{order_line(2)}\r\n"
    (exports_dir / "orders.csv").write_bytes(text.encode())

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert readers["orders"] == "python"
    assert fast == slow
    assert [dict(r)["_row_number"] for r in fast["orders"]] == [2, 3]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_last_line_without_line_end(exports_dir, tmp_path, newline):
    header = ",".join(ORDERS.column_names)
    text = newline.join([header, order_line(1), order_line(2) + ",x", order_line(3)])  # no final line end
    (exports_dir / "orders.csv").write_bytes(text.encode())

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert readers["orders"] == "duckdb"
    assert fast == slow
    assert [(dict(r)["_row_number"], dict(r)["order_id"]) for r in fast["orders"]] == [
        (2, "O-1"),
        (3, None),
        (4, "O-3"),
    ]


def test_header_only_and_blank_only_files(exports_dir, tmp_path):
    header = ",".join(ORDERS.column_names)
    (exports_dir / "orders.csv").write_text(header)  # no line end at all
    (exports_dir / "customers.csv").write_text(",".join(CONTRACT["customers"].column_names) + "\n\n\n")

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert readers == {"customers": "duckdb", "orders": "duckdb"}
    assert fast == slow
    assert fast["orders"] == [] and fast["customers"] == []


def _random_field(rng: random.Random) -> str:
    kind = rng.randrange(9)
    text = "".join(rng.choice('ab 上,"x') for _ in range(rng.randrange(6)))
    if kind == 0:
        return ""
    if kind == 1:
        return '""'
    if kind <= 4:  # quoted: inner quotes doubled
        return '"' + text.replace('"', '""') + '"'
    if kind == 5:  # broken on purpose: a quote in an unquoted field, or an open quote
        return rng.choice(['a"b', '"open', '"x"y', " \"q\" "])
    return text.replace('"', "").replace(",", ";")


@pytest.mark.parametrize("seed", range(6))
def test_random_files_land_the_same_through_both_readers(exports_dir, tmp_path, seed):
    """Random lines (regular or not, some with the wrong field count, blank lines): the two
    readers agree, whichever one the fast path lets land the file."""
    rng = random.Random(seed)
    irregular_allowed = seed % 2 == 1
    lines = []
    for _ in range(300):
        width = rng.choice([8] * 8 + [7, 9])
        fields = [_random_field(rng) for _ in range(width)]
        if not irregular_allowed:
            fields = [f for f in fields if f.count('"') % 2 == 0 and not (f and '"' in f.strip('"'))]
            fields = [f if not f or f[0] == '"' or '"' not in f else f.replace('"', "") for f in fields]
            fields += ["z"] * (width - len(fields))
            if width == 9 and fields[-1] in ("", '""'):  # see empty_field_too_many
                fields[-1] = "z"
        lines.append("" if rng.random() < 0.03 else ",".join(fields))
    orders_file(exports_dir / "orders.csv", lines, rng.choice(["\n", "\r\n"]))

    fast, slow, readers = load_both(exports_dir, tmp_path)

    assert fast == slow
    if not irregular_allowed:
        assert readers["orders"] == "duckdb"
    assert len(fast["orders"]) > 250


def test_scan_classifies_lines_like_the_python_reader(tmp_path):
    path = orders_file(tmp_path / "orders.csv", RAGGED_AND_QUOTED)
    result = scan(path, "utf-8", ORDERS.column_names)
    assert (result.newline, result.good, result.blank) == ("\n", 5, [5, 10, 11])
    assert [m[:2] for m in result.malformed] == [
        (3, "expected 8 fields, found 9"),
        (6, "expected 8 fields, found 2"),
        (9, "expected 8 fields, found 9"),
    ]
    assert result.excluded == [3, 5, 6, 9, 10, 11]


def test_scan_rejects_a_header_spanning_lines(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text('"order\nid",' + ",".join(ORDERS.column_names[1:]) + "\n" + order_line(1) + "\n")
    with pytest.raises(Irregular, match="carriage return|header"):
        scan(path, "utf-8", ["order\nid", *ORDERS.column_names[1:]])


@pytest.mark.parametrize("excluded", [[], [3], [2, 3, 4], [3, 4, 10, 11, 12, 30], list(range(2, 40, 3))])
def test_shift_sql_counts_excluded_lines_before_each_good_row(excluded):
    import duckdb

    first_line = 2
    last = 60
    good_lines = [n for n in range(first_line, last) if n not in excluded]
    sql = shift_sql(excluded, first_line, row="k")
    got = duckdb.sql(f"select {first_line} + k + ({sql}) from range({len(good_lines)}) t(k) order by k").fetchall()
    assert [r[0] for r in got] == good_lines
