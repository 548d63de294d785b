"""The bundled sample built on local Apache Spark gives exactly the DuckDB marts.

One warehouse directory: the sample is loaded once (DuckDB raw tables, then Parquet under
``landing/`` for Spark), built with ``dbt build`` on DuckDB (default target) and with
``dbt build --target spark`` (dbt-spark, method session, Parquet tables), and every mart
is compared row by row: same columns, same rows; text, codes, dates, booleans and counts
identical, decimals and ratios within 1e-9. ``mart_test_results`` (one row per test of
the run) is compared on what does not depend on the run: each test's status and failures.

Skipped only when pyspark, dbt-spark or Java is missing AND not under CI; with CI=true it
always runs (and fails if Spark is not installed). Takes several minutes: two dbt builds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import json
import math
import os
import pickle
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from spark_helpers import read_tables

from crmwh.contract import load_contract
from crmwh.dbt_runner import run_dbt
from crmwh.load import load_exports
from crmwh.paths import PROJECT_ROOT, SAMPLE_EXPORTS

LOADED_AT = dt.datetime(2026, 11, 24, 2, 0)
AS_OF = json.loads((SAMPLE_EXPORTS / "_generated.json").read_text())["as_of"]
MARTS = sorted(p.stem for p in (PROJECT_ROOT / "models" / "marts").rglob("*.sql"))
# mart_test_results holds run ids, timings and relation names (quoted per engine): compare
# what each test found.
TEST_RESULT_COLUMNS = ["test_unique_id", "test_type", "test_kind", "model_name", "column_name", "status", "failures"]
TOLERANCE = 1e-9
# Seeds, models and data tests. dbt unit tests are left out on both engines: 44 of 46 pass
# on Spark 4.3, the two that override value_tier_scheme hit a Spark-internal
# ClassCastException in local mode; they all run on DuckDB in the other dbt tests here.
BUILD_ARGS = ["--exclude-resource-type", "unit_test"]


def _spark_missing() -> str | None:
    for module, package in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark[session]")):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{package} is not installed"
        except ModuleNotFoundError:
            return f"{package} is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "java (17) is not on PATH and JAVA_HOME is not set"
    return None


MISSING = _spark_missing()
IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")
pytestmark = pytest.mark.skipif(
    MISSING is not None and not IN_CI,
    reason=f"Spark engine comparison needs pyspark, dbt-spark and Java 17: {MISSING} (never skipped under CI)",
)


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("engines") / "wh"
    load_exports(SAMPLE_EXPORTS, warehouse, loaded_at=LOADED_AT, landing_parquet=True)
    timings, results = {}, {}
    for engine, extra in (("duckdb", []), ("spark", ["--target", "spark"])):
        started = time.monotonic()
        results[engine] = run_dbt(
            ["build", *BUILD_ARGS, *extra],
            warehouse_dir=warehouse,
            as_of=AS_OF,
            capture=True,
            target_path=warehouse / f"dbt_{engine}",
        )
        timings[engine] = time.monotonic() - started
    dump = warehouse / "spark_marts.pkl"
    timings["spark_read"] = read_tables(warehouse, dump, [f"marts.{m}" for m in MARTS])
    with open(dump, "rb") as handle:
        spark = pickle.load(handle)
    print(f"\nseconds on the sample: {', '.join(f'{k} {v:.0f}' for k, v in timings.items())}")
    return warehouse, spark, results


def test_both_builds_succeed(both_builds):
    """Every seed, model and data test passes (or only warns) on both engines."""
    _, _, results = both_builds
    for engine, result in results.items():
        assert result.returncode == 0, f"{engine} build failed:\n" + result.stdout[-8000:] + result.stderr[-3000:]
        assert "ERROR=0" in result.stdout and " SKIP=0 " in result.stdout, result.stdout[-3000:]


def _duckdb_table(warehouse: Path, table: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        cursor = con.execute(f"select * from {table}")
        return [d[0] for d in cursor.description], cursor.fetchall()


def _normal(value):
    """A value both engines' Python types map to: exact for text, dates, ints, booleans."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    return value


def _sort_key(row: tuple) -> tuple:
    # floats rounded for ordering only (they are compared with the tolerance below)
    return tuple(
        (0, "") if v is None else (1, repr(round(v, 6)) if isinstance(v, float) else repr(v)) for v in row
    )


def _same(left, right) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        if isinstance(left, int) and isinstance(right, int):
            return left == right
        return math.isclose(left, right, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return type(left) is type(right) and left == right


def _rows(columns: list[str], rows: list[tuple], keep: list[str]) -> list[tuple]:
    positions = [columns.index(c) for c in keep]
    return sorted((tuple(_normal(row[p]) for p in positions) for row in rows), key=_sort_key)


def test_spark_build_reconciles_raw_rows(both_builds):
    """landed = staged + quarantined + replaced + not yet valid for every entity and load, on Spark too."""
    warehouse, spark, _ = both_builds
    assert not isinstance(spark["marts.mart_load_reconciliation"], str), spark["marts.mart_load_reconciliation"]
    columns, rows = spark["marts.mart_load_reconciliation"]
    by_entity = {}
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        landed, staged = record["rows_landed"], record["rows_staged"]
        quarantined, replaced = record["rows_quarantined"], record["rows_replaced_by_later_load"]
        assert record["rows_not_yet_valid"] == 0, record
        assert landed == staged + quarantined + replaced, record
        by_entity[record["entity"]] = by_entity.get(record["entity"], 0) + landed
    generated = json.loads((SAMPLE_EXPORTS / "_generated.json").read_text())["rows"]
    assert set(by_entity) == set(load_contract())
    for entity, landed in by_entity.items():
        # every row the loader landed (malformed lines included), and no fewer than generated
        raw = _duckdb_table(warehouse, f"raw.{entity}")[1]
        assert landed == len(raw) >= generated[entity], entity


# Known: change_pct = round(double ratio, 4) is one unit off at exact ties (8 cells of the
# sample): Spark's round(double) rounds the shortest decimal text, DuckDB the binary value.
@pytest.mark.parametrize("mart", MARTS)
def test_spark_mart_equals_duckdb_mart(both_builds, mart):
    warehouse, spark, _ = both_builds
    table = f"marts.{mart}"
    assert not isinstance(spark[table], str), f"Spark table {table} cannot be read: {spark[table]}"
    duck_columns, duck_rows = _duckdb_table(warehouse, table)
    spark_columns, spark_rows = spark[table]
    assert spark_columns == duck_columns
    keep = TEST_RESULT_COLUMNS if mart == "mart_test_results" else duck_columns
    left, right = _rows(duck_columns, duck_rows, keep), _rows(spark_columns, spark_rows, keep)
    assert len(left) == len(right) > 0, (len(left), len(right))
    mismatches = []
    for duck_row, spark_row in zip(left, right, strict=True):
        for column, a, b in zip(keep, duck_row, spark_row, strict=True):
            if not _same(a, b):
                mismatches.append(f"{column}: duckdb {a!r} != spark {b!r} (row {duck_row[:3]})")
    assert not mismatches, f"{len(mismatches)} differing cells, first: " + "\n".join(mismatches[:20])
