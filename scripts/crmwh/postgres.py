"""Mirror the raw landing tables from the DuckDB build file into PostgreSQL.

The `postgres` dbt target (profiles.yml) reads its sources from schema ``raw`` of a
PostgreSQL database. Loading and validating the exports stays exactly as on DuckDB
(:mod:`crmwh.load`): every accepted night lands in ``build.duckdb``'s ``raw`` schema first.
:func:`mirror_raw_to_postgres` then copies every table of that schema (the 12 entity
tables and ``_load_manifest``) to PostgreSQL, replacing what was there, in one
transaction, and checks that each table has the same number of rows on both sides, so
the reconciliation "landed = staged + quarantined + replaced + not yet valid" holds on
PostgreSQL exactly as on DuckDB.

Connection settings come from the same environment variables as the profile:
``CRMWH_PG_HOST`` (localhost), ``CRMWH_PG_PORT`` (5432), ``CRMWH_PG_USER`` (crmwh),
``CRMWH_PG_PASSWORD`` (empty), ``CRMWH_PG_DBNAME`` (crmwh).

DuckDB's own ``postgres`` extension would be simpler but is downloaded at run time, which
an offline machine cannot do; so rows go through a CSV stream and PostgreSQL's ``COPY``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from crmwh.load import RAW_SCHEMA
from crmwh.paths import BUILD_DB_NAME

# DuckDB column type -> PostgreSQL column type, spelled as information_schema does.
_PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "TIMESTAMP": "timestamp without time zone",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
}
# A NULL marker no export cell can contain (COPY tells NULL from an empty string by it).
_NULL_MARKER = "\\N{crmwh-null}"


@dataclass
class MirrorReport:
    tables: dict[str, int]  # table -> rows copied

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def pg_settings(env: dict[str, str] | None = None) -> dict[str, str | int]:
    """psycopg2 connection keywords from the CRMWH_PG_* variables (profile defaults)."""
    env = os.environ if env is None else env
    return {
        "host": env.get("CRMWH_PG_HOST", "localhost"),
        "port": int(env.get("CRMWH_PG_PORT", "5432")),
        "user": env.get("CRMWH_PG_USER", "crmwh"),
        "password": env.get("CRMWH_PG_PASSWORD", ""),
        "dbname": env.get("CRMWH_PG_DBNAME", "crmwh"),
    }


def pg_connect(env: dict[str, str] | None = None, connect_timeout: int = 10):
    import psycopg2

    return psycopg2.connect(connect_timeout=connect_timeout, **pg_settings(env))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mirror_raw_to_postgres(warehouse_dir: Path | str, env: dict[str, str] | None = None) -> MirrorReport:
    """Replace schema ``raw`` in PostgreSQL by a copy of ``build.duckdb``'s schema ``raw``."""
    database = Path(warehouse_dir) / BUILD_DB_NAME
    copied: dict[str, int] = {}
    with duckdb.connect(str(database), read_only=True) as duck, tempfile.TemporaryDirectory() as scratch:
        tables = [
            row[0]
            for row in duck.execute(
                "select table_name from information_schema.tables where table_schema = ? order by table_name",
                [RAW_SCHEMA],
            ).fetchall()
        ]
        pg = pg_connect(env)
        try:
            with pg, pg.cursor() as cur:  # one transaction: committed only if every table copies
                cur.execute(f"create schema if not exists {RAW_SCHEMA}")
                for table in tables:
                    columns = duck.execute(
                        "select column_name, data_type from information_schema.columns "
                        "where table_schema = ? and table_name = ? order by ordinal_position",
                        [RAW_SCHEMA, table],
                    ).fetchall()
                    definition = ", ".join(f"{_quote(name)} {_PG_TYPES[kind]}" for name, kind in columns)
                    target = f"{RAW_SCHEMA}.{_quote(table)}"
                    cur.execute(
                        "select column_name, data_type from information_schema.columns "
                        "where table_schema = %s and table_name = %s order by ordinal_position",
                        [RAW_SCHEMA, table],
                    )
                    wanted = [(name, _PG_TYPES[kind]) for name, kind in columns]
                    if cur.fetchall() == wanted:  # same shape: keep the table (and views on it)
                        cur.execute(f"truncate table {target}")
                    else:
                        cur.execute(f"drop table if exists {target} cascade")
                        cur.execute(f"create table {target} ({definition})")
                    csv_path = Path(scratch) / f"{table}.csv"
                    duck.execute(
                        f"copy (select * from {RAW_SCHEMA}.{_quote(table)}) to '{csv_path}' "
                        f"(format csv, header false, nullstr '{_NULL_MARKER}', "
                        "timestampformat '%Y-%m-%d %H:%M:%S.%f')"
                    )
                    with open(csv_path, encoding="utf-8") as handle:
                        cur.copy_expert(
                            f"copy {target} from stdin with (format csv, header false, null '{_NULL_MARKER}')",
                            handle,
                        )
                    expected = duck.execute(f"select count(*) from {RAW_SCHEMA}.{_quote(table)}").fetchone()[0]
                    cur.execute(f"select count(*) from {target}")
                    landed = cur.fetchone()[0]
                    if landed != expected:
                        raise RuntimeError(f"raw.{table}: {expected} rows in DuckDB but {landed} copied to PostgreSQL")
                    copied[table] = landed
        finally:
            pg.close()
    return MirrorReport(copied)
