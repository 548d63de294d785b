"""The README's main command on the bundled sample, and the GB18030 / Chinese-header copy.

`crmwh nightly` runs in a subprocess exactly as the scheduler would. The same sample,
re-encoded as GB18030 with Chinese headers, must stage to exactly the same tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dbt_helpers import build, query

from crmwh.contract import load_contract
from crmwh.generate import LOW_COMPLETENESS
from crmwh.load import load_exports
from crmwh.paths import SAMPLE_EXPORTS

STAGING = "path:seeds path:models/staging"
LOADED_AT = dt.datetime(2026, 11, 24, 2, 0)


@pytest.fixture(scope="module")
def sample_night(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("sample") / "wh"
    result = subprocess.run(
        [sys.executable, "-m", "crmwh.cli", "nightly", "--warehouse-dir", str(warehouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    return warehouse, result


def test_nightly_on_bundled_sample_succeeds_and_reconciles(sample_night):
    warehouse, result = sample_night
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert "as of 2026-11-23 (from _generated.json)" in result.stdout
    rows = query(
        warehouse,
        "select entity, sum(rows_landed), sum(rows_staged), sum(rows_quarantined), sum(rows_replaced_by_later_load),"
        " sum(rows_not_yet_valid) from marts.mart_load_reconciliation group by entity",
    )
    assert {r[0] for r in rows} == set(load_contract())
    for entity, landed, staged, quarantined, replaced, not_yet_valid in rows:
        raw = query(warehouse, f"select count(*) from raw.{entity}")[0][0]
        assert landed == raw == staged + quarantined + replaced + not_yet_valid, entity
        assert not_yet_valid == 0, entity  # the sample has no updated_at after its night
        assert staged > 0, entity
        # the printed table carries the same numbers
        assert f"{entity:<18} {landed:>10,} {staged:>10,} {quarantined:>12,}" in result.stdout


def test_sample_has_quarantine_of_each_kind_of_dirt(sample_night):
    warehouse, _ = sample_night
    reasons = set()
    for entity in load_contract():
        reasons |= {r[0] for r in query(warehouse, f"select distinct _quarantine_reason from staging.stg_crm__{entity}_quarantine")}
    for expected in ("malformed_row", "missing_key", "bad_timestamp", "out_of_range", "unknown_code",
                     "orphan_reference", "exact_duplicate", "superseded"):
        assert expected in reasons


def test_sample_columns_below_target_agree_everywhere(sample_night):
    """The generator leaves exactly three customer columns below the 90 % target
    (LOW_COMPLETENESS); the night must say so in every place an analyst looks: the dbt
    completeness test (warn, its stored failing rows), mart_data_completeness, the Great
    Expectations checkpoint, the run report; and mart_test_results holds the run."""
    warehouse, result = sample_night
    assert result.returncode == 0, result.stdout[-3000:]
    expected = sorted(LOW_COMPLETENESS)
    assert len(expected) == 3

    report = json.loads((warehouse / "reports" / "latest.json").read_text())
    assert [m.split(":")[0] for m in report["completeness_misses"]] == [f"customers.{c}" for c in expected]
    assert report["quality"]["failing_columns"] == {"customers": expected}
    assert report["quality"]["seconds"] > 0
    assert report["warned_tests"] and all("completeness_stg_crm__customers" in t for t in report["warned_tests"])

    # the dbt test warned (not failed) and stored exactly those columns, none below the error floor
    stored = query(warehouse, "select entity, column_name, completeness, target, error_below"
                              " from audit.completeness_stg_crm__customers_ order by column_name")
    assert [(r[0], r[1]) for r in stored] == [("customers", c) for c in expected]
    assert all(r[4] < r[2] < r[3] for r in stored)
    for entity in load_contract():
        if entity != "customers":
            assert query(warehouse, f"select count(*) from audit.completeness_stg_crm__{entity}_") == [(0,)]

    with duckdb.connect(str(warehouse / "serving.duckdb"), read_only=True) as con:
        below = con.execute(
            "select entity, column_name, completeness from marts.mart_data_completeness"
            " where is_latest_load_date and is_overall and not is_met order by column_name"
        ).fetchall()
        statuses = dict(con.execute(
            "select status, count(*) from marts.mart_test_results where is_latest_run group by status"
        ).fetchall())
        pii = con.execute(
            "select status from marts.mart_test_results"
            " where is_latest_run and test_name = 'assert_no_personal_data_in_marts'"
        ).fetchall()
    assert [(r[0], r[1]) for r in below] == [("customers", c) for c in expected]
    # the same shares as the test's, within the rows each counts (landed vs staged versions)
    for (_, _, share), (_, _, tested, _, _) in zip(below, stored):
        assert abs(float(share) - tested) < 0.01
    run_results = json.loads((warehouse / "dbt" / "target" / "run_results.json").read_text())
    tests = [r for r in run_results["results"] if r["unique_id"].startswith("test.")]
    assert sum(statuses.values()) == len(tests) > 400
    assert statuses == {"pass": len(tests) - 1, "warn": 1}
    assert pii == [("pass",)]

    # Data Docs and the offline summary page name the same failing columns
    summary = Path(report["quality"]["summary_html"]).read_text(encoding="utf-8")
    failing_cells = dict(re.findall(r'<tr[^>]*><td><a href="#(\w+)">\w+</a></td>(?:<td>[^<]*</td>){6}<td>([^<]*)</td></tr>', summary))
    assert set(failing_cells) == set(load_contract())
    assert {e: c for e, c in failing_cells.items() if c} == {"customers": ", ".join(expected)}
    assert Path(report["quality"]["data_docs"]).is_file()


def _gb18030_zh_copy(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    entities = load_contract()
    for path in sorted(source.glob("*.csv")):
        entity = entities[path.stem]
        aliases = {c.name: c.zh for c in entity.columns}
        text = path.read_text(encoding="utf-8-sig")
        header_line, _, body = text.partition("\n")
        header = next(csv.reader(io.StringIO(header_line)))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([aliases[h.strip()] for h in header])
        target.joinpath(path.name).write_bytes((out.getvalue() + body).encode("gb18030"))


def test_gb18030_chinese_header_copy_stages_identically(tmp_path):
    utf8_wh, gb_wh = tmp_path / "utf8", tmp_path / "gb"
    gb_exports = tmp_path / "gb_exports"
    _gb18030_zh_copy(SAMPLE_EXPORTS, gb_exports)
    # the copy really is GB18030 with Chinese headers
    raw = (gb_exports / "customers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030").startswith("客户编号,")

    for exports, warehouse in ((SAMPLE_EXPORTS, utf8_wh), (gb_exports, gb_wh)):
        report = load_exports(exports, warehouse, loaded_at=LOADED_AT)
        encodings = {f.encoding for f in report.loaded if f.file_format == "csv"}
        assert encodings == ({"gb18030"} if exports == gb_exports else {"utf-8"})
        build(warehouse, "2026-11-23", STAGING)

    for entity in load_contract():
        for model in (f"stg_crm__{entity}", f"stg_crm__{entity}_quarantine"):
            # the file hash differs by construction (other bytes); everything else must not
            excluded = "_load_id, _file_sha256" if model.endswith("_quarantine") else "_load_id"
            sql = f"select * exclude ({excluded}) from staging.{model} order by all"
            left, right = query(utf8_wh, sql), query(gb_wh, sql)
            assert len(left) > 0 or model.endswith("_quarantine")
            assert left == right, model
