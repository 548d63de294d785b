"""The same warehouse on PostgreSQL: the bundled sample gives the same marts as on DuckDB.

The sample (data/sample/exports, as of its _generated.json date) is loaded once into a
DuckDB build file; dbt builds it there (the default target), the raw schema is copied to a
throwaway PostgreSQL database (`crmwh load --postgres` does the same) and dbt builds it
again with `--target postgres`. Then every table and view of schema `marts` is compared
row by row: the same columns, the same number of rows, and after sorting, identical keys,
codes, counts and dates, and numbers equal within 1e-9.

PostgreSQL is reached through the CRMWH_PG_* variables (.ci/setup-postgres installs and
starts it and prints them). Without a reachable server the module is skipped, except
under CI (CI=true), where it fails: CI must prove the PostgreSQL build.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import uuid
from pathlib import Path

import duckdb
import pytest

from crmwh.dbt_runner import run_dbt
from crmwh.load import load_exports
from crmwh.paths import SAMPLE_EXPORTS
from crmwh.postgres import mirror_raw_to_postgres, pg_connect, pg_settings

AS_OF = json.loads((SAMPLE_EXPORTS / "_generated.json").read_text())["as_of"]
LOADED_AT = dt.datetime(2026, 11, 24, 2, 0)
TOLERANCE = 1e-9
# Columns that describe the dbt run rather than the data (mart_test_results): ids, clocks,
# the target's name. failures_relation is compared without its database part.
RUN_COLUMNS = {"run_id", "run_started_at", "recorded_at", "execution_seconds", "target_name"}


def _required() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def pg_env():
    """CRMWH_PG_* of a fresh, empty PostgreSQL database, dropped at the end."""
    try:
        admin = pg_connect(connect_timeout=5)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not reachable"
        settings = {k: v for k, v in pg_settings().items() if k != "password"}
        message = f"PostgreSQL not reachable with {settings} ({str(exc).strip()}); run .ci/setup-postgres"
        if _required():
            pytest.fail("CI=true requires PostgreSQL: " + message)
        pytest.skip(message)
    name = f"crmwh_test_{uuid.uuid4().hex[:12]}"
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"create database {name}")
    env = {**os.environ, "CRMWH_PG_DBNAME": name}
    try:
        yield env
    finally:
        with admin.cursor() as cur:
            cur.execute(f"drop database if exists {name} with (force)")
        admin.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory, pg_env):
    """(warehouse dir, DuckDB dbt result, PostgreSQL dbt result) of the sample."""
    warehouse = tmp_path_factory.mktemp("engines") / "wh"
    load_exports(SAMPLE_EXPORTS, warehouse, loaded_at=LOADED_AT)
    duck = run_dbt(["build"], warehouse_dir=warehouse, as_of=AS_OF, capture=True, target_path=warehouse / "dbt_duckdb")
    mirror_raw_to_postgres(warehouse, env=pg_env)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRMWH_PG_DBNAME", pg_env["CRMWH_PG_DBNAME"])
        pg = run_dbt(
            ["build", "--target", "postgres"],
            warehouse_dir=warehouse,
            as_of=AS_OF,
            capture=True,
            target_path=warehouse / "dbt_postgres",
        )
    return warehouse, duck, pg


def _normalise(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sort_key(row: tuple) -> tuple:
    return tuple(
        (0, "") if v is None else (1, f"{v:.6f}" if isinstance(v, float) else str(v)) for v in row
    )


def _mart_rows(cursor, mart: str, columns: list[str]) -> list[tuple]:
    cursor.execute(f"select {', '.join(chr(34) + c + chr(34) for c in columns)} from marts.{mart}")
    rows = []
    for row in cursor.fetchall():
        values = []
        for column, value in zip(columns, row, strict=True):
            value = _normalise(value)
            if column == "failures_relation" and isinstance(value, str):
                value = ".".join(value.split(".")[-2:])  # without the database name
            values.append(value)
        rows.append(tuple(values))
    return sorted(rows, key=_sort_key)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a))
    return a == b and type(a) is type(b)


def _pg_cursor(env):
    return pg_connect(env).cursor()


def _mart_columns_duckdb(con) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def _mart_columns_pg(cursor) -> dict[str, list[str]]:
    cursor.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    )
    columns: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def _test_statuses(target: Path) -> dict[str, tuple]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"]: (r["status"], r["failures"]) for r in results}


def test_both_engines_build_the_sample(builds):
    _, duck, pg = builds
    assert duck.returncode == 0, duck.stdout[-4000:] + duck.stderr[-2000:]
    assert pg.returncode == 0, pg.stdout[-6000:] + pg.stderr[-2000:]


def test_every_node_and_test_has_the_same_outcome(builds):
    warehouse, duck, pg = builds
    duck_results = _test_statuses(warehouse / "dbt_duckdb")
    pg_results = _test_statuses(warehouse / "dbt_postgres")
    assert duck_results.keys() == pg_results.keys()
    assert len(duck_results) > 500  # seeds, models, data tests and unit tests
    mismatched = {k: (duck_results[k], pg_results[k]) for k in duck_results if duck_results[k] != pg_results[k]}
    assert mismatched == {}
    # the sample's dirt gives warnings (completeness below target), never an error
    assert {status for status, _ in duck_results.values()} <= {"success", "pass", "warn", "no-op"}


def test_raw_mirror_reconciles_on_postgres(builds, pg_env):
    warehouse, _, _ = builds
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        raw = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' "
                "and table_name not like '\\_%' escape '\\'"
            ).fetchall()
        }
        # an empty cell ('') and a value the file did not have (null) must stay apart
        empty_and_null = "select count(*) filter (where email = ''), count(*) filter (where email is null) from raw.customers"
        duck_email = con.execute(empty_and_null).fetchone()
    assert len(raw) == 12 and raw["orders"] == 31470  # _generated.json rows
    cur = _pg_cursor(pg_env)
    cur.execute(empty_and_null)
    assert cur.fetchone() == duck_email
    assert duck_email[0] > 0 and duck_email[1] == 2  # the sample's 2 malformed customer lines
    cur.execute(
        "select entity, sum(rows_landed), sum(rows_staged), sum(rows_quarantined), "
        "sum(rows_replaced_by_later_load), sum(rows_not_yet_valid) from marts.mart_load_reconciliation group by entity"
    )
    reconciled = {entity: tuple(int(n) for n in counts) for entity, *counts in cur.fetchall()}
    assert reconciled.keys() == raw.keys()
    for entity, (landed, staged, quarantined, replaced, not_yet_valid) in reconciled.items():
        cur.execute(f"select count(*) from raw.{entity}")
        assert cur.fetchone()[0] == landed == raw[entity] == staged + quarantined + replaced + not_yet_valid, entity
        assert not_yet_valid == 0, entity
        assert staged > 0, entity


def _differences(con, cur, columns_of: dict[str, list[str]]) -> list[str]:
    """Per mart, the first row where DuckDB and PostgreSQL differ (or the row counts)."""
    differences = []
    for mart, columns in columns_of.items():
        compared = [c for c in columns if c not in RUN_COLUMNS]
        duck_rows = _mart_rows(con.cursor(), mart, compared)
        pg_rows = _mart_rows(cur, mart, compared)
        if len(duck_rows) != len(pg_rows):
            differences.append(f"{mart}: {len(duck_rows)} rows on DuckDB, {len(pg_rows)} on PostgreSQL")
            continue
        for duck_row, pg_row in zip(duck_rows, pg_rows, strict=True):
            bad = [f"{c}={d!r} vs {p!r}" for c, d, p in zip(compared, duck_row, pg_row, strict=True) if not _same(d, p)]
            if bad:
                differences.append(f"{mart}: {', '.join(bad[:4])}")
                break
    return differences


def test_every_mart_is_identical_row_by_row(builds, pg_env):
    warehouse, duck, pg = builds
    assert duck.returncode == 0 and pg.returncode == 0, "a build failed (see test_both_engines_build_the_sample)"
    cur = _pg_cursor(pg_env)
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        duck_columns = _mart_columns_duckdb(con)
        pg_columns = _mart_columns_pg(cur)
        assert len(duck_columns) >= 20
        assert pg_columns == duck_columns
        assert _differences(con, cur, duck_columns) == []
    # the sample fills the marts: a comparison of empty tables would prove nothing
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customers").fetchone()[0] > 1900
        assert con.execute("select count(*) from marts.fct_orders").fetchone()[0] > 29000


# Raw text -> (timestamp as parsed, money, bigint) as DuckDB gives them; worked out by hand
# from raw_exports.md (naive = Asia/Shanghai local time, offsets converted to it).
PARSING_CASES = {
    "2025-03-18 14:05:00": ("2025-03-18T14:05:00", None, None),
    "2025/3/18 14:05": ("2025-03-18T14:05:00", None, None),
    "2025-03-18T14:05:00Z": ("2025-03-18T22:05:00", None, None),
    "2025-03-18T14:05+05:30": ("2025-03-18T16:35:00", None, None),
    "2025-03-18 14:05:00.123": ("2025-03-18T14:05:00.123000", None, None),
    "2024-02-30": (None, None, None),
    "2025-03-18 24:00:00": (None, None, None),
    "0000-00-00": (None, None, None),
    "昨天": (None, None, None),
    "¥1,250.00": (None, 1250.0, None),
    "1250 元": (None, 1250.0, None),
    "12.355": (None, 12.36, 12),
    "1.5": (None, 1.5, 2),
    "1e3": (None, 1000.0, 1000),
    "NaN": (None, None, None),
    "99999999999999999999": (None, None, None),
}


def _show(sql: str, target: str, warehouse: Path) -> list[dict]:
    result = run_dbt(
        ["show", "--target", target, "--inline", sql, "--limit", "1000", "--output", "json", "--log-format", "json"],
        warehouse_dir=warehouse,
        capture=True,
        target_path=warehouse / f"dbt_show_{target}",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    for line in result.stdout.splitlines():
        try:
            preview = json.loads(line).get("data", {}).get("preview")
        except json.JSONDecodeError:
            continue
        if preview:
            return json.loads(preview)
    raise AssertionError("dbt show printed no rows: " + result.stdout[-3000:])


def test_parsing_macros_agree_on_edge_cases(builds, pg_env):
    warehouse, _, _ = builds
    values = ", ".join("'" + text.replace("'", "''") + "'" for text in PARSING_CASES)
    sql = (
        "select v.x, {{ crm_parse_timestamp('v.x') }} as ts, {{ crm_parse_money('v.x') }} as money, "
        "{{ crm_try_cast('v.x', dbt.type_bigint()) }} as int_value "
        f"from (select unnest(array[{values}]) as x) as v"
    )
    duck = _show(sql, "duckdb", warehouse)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRMWH_PG_DBNAME", pg_env["CRMWH_PG_DBNAME"])
        pg = _show(sql, "postgres", warehouse)
    for rows in (duck, pg):
        parsed = {r["x"]: (r["ts"], None if r["money"] is None else float(r["money"]), r["int_value"]) for r in rows}
        assert parsed == PARSING_CASES


INCREMENTAL_FACTS = ["fct_cadence_compliance", "fct_interactions", "fct_orders", "fct_plan_attainment"]


def test_incremental_night_on_postgres_keeps_the_facts(builds, pg_env):
    """A second night on PostgreSQL takes the incremental path of the reprocessed facts.

    Their first build created the tables; this run appends into them (pre-hook delete of
    the rows to reprocess, then insert). It failed before crm_on_schema_change: PostgreSQL
    reports the contract's varchar as 'character varying' and the night's text as 'text'.
    Same data and as-of date: the facts must stay identical to DuckDB's.
    """
    warehouse, duck, pg = builds
    assert duck.returncode == 0 and pg.returncode == 0, "a build failed (see test_both_engines_build_the_sample)"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRMWH_PG_DBNAME", pg_env["CRMWH_PG_DBNAME"])
        again = run_dbt(
            ["run", "--target", "postgres", "--select", "config.materialized:incremental"],
            warehouse_dir=warehouse,
            as_of=AS_OF,
            capture=True,
            target_path=warehouse / "dbt_postgres_incremental",
        )
    assert again.returncode == 0, again.stdout[-6000:] + again.stderr[-2000:]
    ran = json.loads((warehouse / "dbt_postgres_incremental" / "run_results.json").read_text())["results"]
    assert sorted(r["unique_id"].split(".")[-1] for r in ran if r["unique_id"].startswith("model.")) \
        == INCREMENTAL_FACTS
    cur = _pg_cursor(pg_env)
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        columns = {m: c for m, c in _mart_columns_duckdb(con).items() if m in INCREMENTAL_FACTS}
        assert sorted(columns) == INCREMENTAL_FACTS
        assert _differences(con, cur, columns) == []
