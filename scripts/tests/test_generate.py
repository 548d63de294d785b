"""Tests of the deterministic sample-data generator (crmwh.generate)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

try:
    import crmwh  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crmwh.contract import load_code_lists, load_contract
from crmwh.generate import generate_exports

AS_OF = dt.date(2026, 11, 23)
N = 200
CONTRACT = load_contract()
CODES = load_code_lists()
LOW = {"contact_title", "initial_need", "email"}

_DATE_FORMS = [
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$"), "%Y-%m-%dT%H:%M:%S+08:00"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{2}:\d{2}$"), "%Y/%m/%d %H:%M"),
]


def parse_date(text: str) -> dt.date | None:
    """The date of a date/timestamp cell in one of the contract's forms, else None."""
    for pattern, fmt in _DATE_FORMS:
        if pattern.match(text):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                return None
    return None


def parse_money(text: str) -> float | None:
    try:
        return float(text.replace("¥", "").replace(",", ""))
    except ValueError:
        return None


def read_csv(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[list[str]], list[str]]:
    """header, data rows (as split by the csv module) and raw data lines."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    text = raw.decode(encoding)
    lines = text.splitlines()
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:], lines[1:]


def well_formed(header: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(header, r)) for r in rows if len(r) == len(header)]


def table(out: Path, entity: str) -> list[dict[str, str]]:
    header, rows, _ = read_csv(out / f"{entity}.csv")
    return well_formed(header, rows)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("dirty")
    return out, generate_exports(out, customers=N, as_of=AS_OF, seed=42)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("clean")
    return out, generate_exports(out, customers=N, as_of=AS_OF, seed=42, dirt_rate=0.0)


# --------------------------------------------------------------------------------------
def test_deterministic_and_seed_sensitive(dirty, tmp_path):
    out, rows = dirty
    again = tmp_path / "again"
    assert generate_exports(again, customers=N, as_of=AS_OF, seed=42) == rows
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    for name in files:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other"
    generate_exports(other, customers=N, as_of=AS_OF, seed=7)
    differing = [n for n in files if (out / n).read_bytes() != (other / n).read_bytes()]
    assert "customers.csv" in differing and "interactions.csv" in differing


def test_files_headers_and_row_counts(dirty):
    out, rows = dirty
    assert list(rows) == list(CONTRACT)
    for name, entity in CONTRACT.items():
        header, data, lines = read_csv(out / f"{name}.csv")
        assert header == entity.column_names, name
        assert len(lines) == rows[name] == len(data), name
        assert rows[name] > 0, name
    meta = json.loads((out / "_generated.json").read_text(encoding="utf-8"))
    assert meta["as_of"] == "2026-11-23"
    assert meta["customers"] == N and meta["seed"] == 42 and meta["dirt_rate"] == 0.02
    assert meta["rows"] == rows


def test_gb18030_with_chinese_headers(tmp_path):
    rows = generate_exports(tmp_path, customers=50, as_of=AS_OF, seed=1, encoding="gb18030",
                            header_language="zh")
    for name, entity in CONTRACT.items():
        raw = (tmp_path / f"{name}.csv").read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        header, data, lines = read_csv(tmp_path / f"{name}.csv", encoding="gb18030")
        assert header == [c.zh for c in entity.columns], name
        assert len(lines) == rows[name]
    header, data, _ = read_csv(tmp_path / "customers.csv", encoding="gb18030")
    assert any("有限" in r[1] for r in data if len(r) > 1)


def test_other_file_formats(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    gz = generate_exports(tmp_path / "gz", customers=50, as_of=AS_OF, seed=3, file_format="csv.gz")
    plain = generate_exports(tmp_path / "csv", customers=50, as_of=AS_OF, seed=3)
    assert gz == plain
    for name in CONTRACT:
        assert gzip.decompress((tmp_path / "gz" / f"{name}.csv.gz").read_bytes()) == \
            (tmp_path / "csv" / f"{name}.csv").read_bytes()
    par = generate_exports(tmp_path / "pq", customers=50, as_of=AS_OF, seed=3, file_format="parquet")
    generate_exports(tmp_path / "pq2", customers=50, as_of=AS_OF, seed=3, file_format="parquet")
    for name, entity in CONTRACT.items():
        t = pq.read_table(tmp_path / "pq" / f"{name}.parquet")
        assert t.column_names == entity.column_names
        assert all(str(f.type) == "string" for f in t.schema)
        assert t.num_rows == par[name]
        assert (tmp_path / "pq" / f"{name}.parquet").read_bytes() == (tmp_path / "pq2" / f"{name}.parquet").read_bytes()
    # no malformed lines in parquet: every other kind of dirt is the same as in csv
    assert par["customers"] == plain["customers"]


def test_nothing_dated_after_as_of(dirty, clean):
    for out, _ in (dirty, clean):
        for name, entity in CONTRACT.items():
            cols = [c.name for c in entity.columns if c.crm_type in ("date", "timestamp")]
            for row in table(out, name):
                for c in cols:
                    d = parse_date(row[c])
                    assert d is None or d <= AS_OF, (name, c, row[c])


# --------------------------------------------------------------------------------------
def _customer_ids(out: Path) -> set[str]:
    return {r["customer_id"] for r in table(out, "customers") if r["customer_id"]}


def _unknown_codes(out: Path) -> list[tuple[str, str, str]]:
    bad = []
    for name, entity in CONTRACT.items():
        coded = [c for c in entity.columns if c.code_list]
        for row in table(out, name):
            for c in coded:
                v = row[c.name]
                if v and v not in CODES[c.code_list]:
                    bad.append((name, c.name, v))
    return bad


def _bad_dates(out: Path) -> list[tuple[str, str, str]]:
    bad = []
    for name, entity in CONTRACT.items():
        cols = [c.name for c in entity.columns if c.crm_type in ("date", "timestamp")]
        for row in table(out, name):
            bad += [(name, c, row[c]) for c in cols if row[c] and parse_date(row[c]) is None]
    return bad


def _out_of_range(out: Path) -> list[tuple[str, str, str]]:
    bad = []
    for name, entity in CONTRACT.items():
        ranged = [c for c in entity.columns if c.min is not None or c.max is not None]
        for row in table(out, name):
            for c in ranged:
                v = row[c.name]
                if not v:
                    continue
                x = parse_money(v)
                if x is None or (c.min is not None and x < c.min) or (c.max is not None and x > c.max):
                    bad.append((name, c.name, v))
    return bad


def _orphans(out: Path) -> list[tuple[str, str]]:
    ids = _customer_ids(out)
    return [(name, r["customer_id"]) for name in ("orders", "interactions", "tickets", "surveys")
            for r in table(out, name) if r["customer_id"] and r["customer_id"] not in ids]


def _duplicate_lines(out: Path) -> dict[str, int]:
    dups = {}
    for name in CONTRACT:
        _, _, lines = read_csv(out / f"{name}.csv")
        n = sum(k - 1 for k in Counter(lines).values() if k > 1)
        if n:
            dups[name] = n
    return dups


def _malformed(out: Path) -> dict[str, int]:
    found = {}
    for name in CONTRACT:
        header, rows, _ = read_csv(out / f"{name}.csv")
        n = sum(1 for r in rows if len(r) != len(header))
        if n:
            found[name] = n
    return found


def _filled(rows: list[dict[str, str]], col: str) -> float:
    return sum(1 for r in rows if r[col] != "") / len(rows)


def test_dirt_present_at_default_rate(dirty):
    out, _ = dirty
    dups = _duplicate_lines(out)
    assert len(dups) >= 3, dups
    bad_dates = _bad_dates(out)
    assert {c for _, c, _ in bad_dates} >= {"order_date", "occurred_at"}
    assert any(name == "surveys" for name, _, _ in _out_of_range(out))
    assert any(name == "orders" and c == "amount" for name, c, _ in _out_of_range(out))
    orphans = _orphans(out)
    assert {n for n, _ in orphans} >= {"orders", "interactions", "tickets"}
    unknown = _unknown_codes(out)
    assert ("interactions", "channel", "fax") in unknown
    assert ("customers", "industry", "unknown_sector") in unknown
    assert set(_malformed(out)) >= {"customers", "orders", "interactions"}
    # missing keys and re-exported ids with a later updated_at
    assert any(r["order_id"] == "" for r in table(out, "orders"))
    for name, key in (("orders", "order_id"), ("customers", "customer_id"), ("leads", "lead_id"),
                      ("opportunities", "opportunity_id")):
        versions: dict[str, set[tuple]] = {}
        for r in table(out, name):
            if r[key]:
                versions.setdefault(r[key], set()).add(tuple(r.values()))
        changed = [k for k, v in versions.items() if len(v) > 1]
        assert changed, name
        rows = [r for r in table(out, name) if r[key] == changed[0]]
        assert len({r["updated_at"] for r in rows}) == len(rows)


TEXT_FORMS = {
    "timestamp_iso": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "timestamp_iso_t_offset": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$",
    "timestamp_excel_slash": r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}$",
    "date_iso": r"^\d{4}-\d{2}-\d{2}$",
    "date_excel_slash": r"^\d{4}/\d{1,2}/\d{1,2}$",
    "money_plain": r"^\d+\.\d{2}$",
    "money_thousands": r"^\d{1,3}(,\d{3})+\.\d{2}$",
    "money_yuan": r"^¥\d{1,3}(,\d{3})*\.\d{2}$",
}


def test_every_text_form_of_the_contract_appears(clean):
    """Every date, timestamp and money form the loader must parse is exported, per row style,
    even without dirt: ISO, ISO with 'T' and +08:00, Excel slashes; plain, grouped, ¥."""
    out, _ = clean
    orders, interactions = table(out, "orders"), table(out, "interactions")
    values = {
        "timestamp_iso": [r["occurred_at"] for r in interactions],
        "timestamp_iso_t_offset": [r["occurred_at"] for r in interactions],
        "timestamp_excel_slash": [r["occurred_at"] for r in interactions],
        "date_iso": [r["order_date"] for r in orders],
        "date_excel_slash": [r["order_date"] for r in orders],
        "money_plain": [r["amount"] for r in orders],
        "money_thousands": [r["amount"] for r in orders],
        "money_yuan": [r["amount"] for r in orders],
    }
    for form, pattern in TEXT_FORMS.items():
        hits = sum(bool(re.match(pattern, v)) for v in values[form])
        assert hits >= 5, (form, values[form][:5])
    # and nothing else: each value has exactly one of its column's forms
    for column_forms, column_values in (
        (("timestamp_iso", "timestamp_iso_t_offset", "timestamp_excel_slash"), values["timestamp_iso"]),
        (("date_iso", "date_excel_slash"), values["date_iso"]),
        (("money_plain", "money_thousands", "money_yuan"), values["money_plain"]),
    ):
        for v in column_values:
            assert sum(bool(re.match(TEXT_FORMS[f], v)) for f in column_forms) == 1, v
    # Chinese text in names and addresses
    customers = table(out, "customers")
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", r["customer_name"])) for r in customers) == len(customers)


def test_completeness_known_answer(dirty):
    out, _ = dirty
    customers = table(out, "customers")
    for col in LOW:
        assert _filled(customers, col) < 0.90, col
    assert _filled(customers, "contact_title") == pytest.approx(0.80, abs=0.04)
    assert _filled(customers, "initial_need") == pytest.approx(0.75, abs=0.04)
    assert _filled(customers, "email") == pytest.approx(0.86, abs=0.04)
    for name, entity in CONTRACT.items():
        rows = table(out, name)
        for col in entity.required_columns:
            if name == "customers" and col in LOW:
                continue
            assert _filled(rows, col) >= 0.95, (name, col)


def test_no_dirt_at_zero_rate(clean):
    out, rows = clean
    assert _duplicate_lines(out) == {}
    assert _malformed(out) == {}
    assert _bad_dates(out) == []
    assert _unknown_codes(out) == []
    assert _out_of_range(out) == []
    assert _orphans(out) == []
    for name, entity in CONTRACT.items():
        data = table(out, name)
        assert len(data) == rows[name]
        for col in entity.required_columns:
            assert _filled(data, col) == 1.0, (name, col)
        keys = [tuple(r[k] for k in entity.key) for r in data]
        assert len(keys) == len(set(keys)), name
    meta = json.loads((out / "_generated.json").read_text(encoding="utf-8"))
    assert meta["dirt_rate"] == 0.0 and not meta.get("dirt")


def test_references_and_ids_look_like_a_crm(clean):
    out, _ = clean
    reps = {r["rep_id"] for r in table(out, "sales_reps")}
    assert len(reps) >= 8 and all(re.fullmatch(r"R\d{4}", r) for r in reps)
    customers = table(out, "customers")
    assert customers[0]["customer_id"] == "C0000001"
    assert all(r["owner_rep_id"] in reps for r in customers)
    assert all(re.fullmatch(r"(1\d{10}|0\d{2,3}-\d{8})", r["phone"]) for r in customers)
    interactions = table(out, "interactions")
    assert all(r["rep_id"] in reps for r in interactions)
    assert {r["channel"] for r in interactions} == set(CODES["channel"])
    leads = {r["lead_id"] for r in table(out, "leads")}
    opps = table(out, "opportunities")
    assert {r["stage"] for r in opps} == set(CODES["opportunity_stage"])
    assert all(r["lead_id"] in leads for r in opps if r["lead_id"])
    members = table(out, "campaign_members")
    campaigns = {r["campaign_id"] for r in table(out, "campaigns")}
    ids = _customer_ids(out)
    assert all(r["campaign_id"] in campaigns and r["customer_id"] in ids for r in members)
    reviews = table(out, "tier_reviews")
    downgrades = [r for r in reviews if r["from_tier"] == "A" and r["to_tier"] in ("B", "C")]
    assert downgrades  # approved or pending A downgrades exist (mix checked at 2,000)


def test_tier_mix_and_history_shape(tmp_path):
    out = tmp_path / "mid"
    generate_exports(out, customers=2000, as_of=AS_OF, seed=42, dirt_rate=0.0)
    customers = _customer_ids(out)
    spend: Counter = Counter()
    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    for r in table(out, "orders"):
        if r["status"] != "completed":
            continue
        d = parse_date(r["order_date"])
        first[r["customer_id"]] = min(first.get(r["customer_id"], d), d)
        last[r["customer_id"]] = max(last.get(r["customer_id"], d), d)
        if AS_OF - dt.timedelta(days=365) < d <= AS_OF:
            spend[r["customer_id"]] += parse_money(r["amount"])
    n = len(customers)
    a = sum(1 for c in customers if spend[c] >= 500_000) / n
    b = sum(1 for c in customers if 100_000 <= spend[c] < 500_000) / n
    assert 0.01 <= a <= 0.10, a
    assert 0.10 <= b <= 0.30, b
    prospects = sum(1 for c in customers if c not in first) / n
    churned = sum(1 for c in last if (AS_OF - last[c]).days >= 90) / n
    new = sum(1 for c in first if (AS_OF - first[c]).days < 180) / n
    assert 0.05 <= prospects <= 0.25 and 0.05 <= churned <= 0.35 and new >= 0.03
    reviews = table(out, "tier_reviews")
    downgrades = [r for r in reviews if r["from_tier"] == "A" and r["to_tier"] in ("B", "C")]
    assert any(r["approved_by"] for r in downgrades) and any(not r["approved_by"] for r in downgrades)
    surveys = table(out, "surveys")
    assert any(r["score_overall"] and not r["nps_score"] for r in surveys)
    assert any(r["nps_score"] and not r["score_overall"] for r in surveys)
    leads = table(out, "leads")
    conv = sum(1 for r in leads if r["status"] == "converted") / len(leads)
    assert 0.15 <= conv <= 0.25, conv
