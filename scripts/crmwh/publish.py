"""Publish a built night to the serving database BI tools read (write-audit-publish).

The build happens in ``build.duckdb``. Only after every error-level test has passed is a
new ``serving.duckdb`` written next to it under a temporary name, audited (reopened
read-only: every table there with the row count it has in the build), made durable
(checkpoint, fsync) and moved over the old one with ``os.replace``, which is atomic on
POSIX: a BI client that already has the old file open keeps reading its snapshot (the old
inode), a client that connects afterwards sees the complete new night, and nobody ever
sees a mix or a half-written table. A run killed while publishing leaves only a temporary
file, removed by the next run; the serving database is untouched.

The serving file is written with a configurable DuckDB storage version so that the DuckDB
versions bundled in BI tools can open it. DuckDB 1.4 writes 'v0.10.0' .. 'v1.4.0' (and
'latest'); the default 'v1.0.0' is the oldest 1.x format, readable by every DuckDB from
0.10 on (1.0 and 1.1 drivers of Metabase/Superset/DBeaver included).

Besides the marts, the serving file holds ``meta.published_night`` (one row: as_of_date,
published_at, tables, rows, storage_version): what night a reader is looking at.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

SERVING_DB_NAME = "serving.duckdb"
PUBLISHED_SCHEMAS = ("marts",)
META_TABLE = "meta.published_night"
DEFAULT_STORAGE_VERSION = "v1.0.0"
# test hook: pause (print a marker, sleep) at a named point so a test can kill -9 there
PAUSE_ENV = "CRMWH_TEST_PAUSE_AT"


class PublishError(Exception):
    """The serving copy could not be written or failed its audit; serving is unchanged."""


@dataclass
class PublishResult:
    serving_db: Path
    tables: int
    rows: int
    seconds: float
    table_rows: dict[str, int]


def pause_point(name: str) -> None:
    """If the test hook asks for it, stop here until killed."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"crmwh: paused at {name} (pid {os.getpid()})", flush=True)
        sys.stdout.flush()
        time.sleep(3600)


def remove_stale_temporaries(serving_db: Path) -> list[Path]:
    """Temporary files of publishes that never finished (a killed run)."""
    stale = sorted(serving_db.parent.glob(f".{serving_db.name}.*.tmp*"))
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(build_db: Path, temporary: Path, schemas: tuple[str, ...], storage_version: str,
          as_of: str | None) -> dict[str, int]:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        con.execute(f"attach '{temporary}' as serving (storage_version '{storage_version}')")
        relations = con.execute(
            """
            select table_schema, table_name
            from information_schema.tables
            where table_catalog = 'build' and table_schema in (select unnest(?))
            order by table_schema, table_name
            """,
            [list(schemas)],
        ).fetchall()
        if not relations:
            raise PublishError(f"{build_db}: no table or view in schema(s) {', '.join(schemas)} to publish")
        table_rows: dict[str, int] = {}
        for schema in sorted({s for s, _ in relations}):
            con.execute(f'create schema serving."{schema}"')
        for schema, name in relations:
            # views are materialised: the serving file must not depend on build.duckdb
            con.execute(f'create table serving."{schema}"."{name}" as select * from build."{schema}"."{name}"')
            table_rows[f"{schema}.{name}"] = con.execute(
                f'select count(*) from build."{schema}"."{name}"'
            ).fetchone()[0]
        con.execute("create schema serving.meta")
        con.execute(
            f"""
            create table serving.{META_TABLE} as
            select
                cast(? as date) as as_of_date,
                cast(? as timestamp) as published_at,
                cast(? as integer) as tables,
                cast(? as bigint) as rows,
                cast(? as varchar) as storage_version
            """,
            [as_of, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), len(table_rows),
             sum(table_rows.values()), storage_version],
        )
        con.execute("checkpoint serving")
        con.execute("detach serving")
        con.execute("detach build")
    finally:
        con.close()
    return table_rows


def _audit(temporary: Path, table_rows: dict[str, int]) -> None:
    """Reopen the copy read-only (as a BI tool would) and compare every table's rows."""
    with duckdb.connect(str(temporary), read_only=True) as con:
        for qualified, expected in table_rows.items():
            schema, name = qualified.split(".", 1)
            found = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            if found != expected:
                raise PublishError(f"audit of the serving copy: {qualified} has {found} rows, build has {expected}")


def publish(
    build_db: Path,
    serving_db: Path,
    *,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    as_of: str | None = None,
) -> PublishResult:
    """Copy every table and view of `schemas` in build_db into a fresh serving_db, atomically."""
    started = time.perf_counter()
    build_db, serving_db = Path(build_db), Path(serving_db)
    remove_stale_temporaries(serving_db)
    temporary = serving_db.with_name(f".{serving_db.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            table_rows = _copy(build_db, temporary, schemas, storage_version, as_of)
        except duckdb.Error as exc:
            raise PublishError(f"writing the serving copy failed: {exc}") from exc
        _audit(temporary, table_rows)
        _fsync(temporary)
        pause_point("publish")
        # nobody writes the serving file; a WAL beside it could only be a leftover that a
        # reader would replay onto the new night
        serving_db.with_name(serving_db.name + ".wal").unlink(missing_ok=True)
        os.replace(temporary, serving_db)
    except BaseException:
        for leftover in serving_db.parent.glob(f"{temporary.name}*"):
            leftover.unlink(missing_ok=True)
        raise
    _fsync(serving_db.parent)
    return PublishResult(serving_db, len(table_rows), sum(table_rows.values()), time.perf_counter() - started,
                         table_rows)
