"""The README's main command on the bundled sample, and the GB18030 / Chinese-header copy.

`crmwh nightly` runs in a subprocess exactly as the scheduler would. The same sample,
re-encoded as GB18030 with Chinese headers, must stage to exactly the same tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from dbt_helpers import build, query

from crmwh.contract import load_contract
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
