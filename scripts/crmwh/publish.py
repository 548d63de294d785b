"""Publish a built night to the serving database BI tools read (write-audit-publish).

The build happens in ``build.duckdb``. Only after every error-level test has passed is a
new ``serving.duckdb`` written next to it under a temporary name and moved over the old
one with ``os.replace``, which is atomic: a BI client that already has the old file open
keeps reading its snapshot, a client that connects afterwards sees the complete new
night, and nobody ever sees a mix. A run killed while publishing leaves only a temporary
file, removed by the next run; the serving database is untouched.

The serving file is written with a configurable DuckDB storage version so that the
DuckDB versions bundled in BI tools (1.x) can open it.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

SERVING_DB_NAME = "serving.duckdb"
PUBLISHED_SCHEMAS = ("marts",)
DEFAULT_STORAGE_VERSION = "v1.0.0"


@dataclass
class PublishResult:
    serving_db: Path
    tables: int
    rows: int
    seconds: float


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


def publish(
    build_db: Path,
    serving_db: Path,
    *,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    storage_version: str = DEFAULT_STORAGE_VERSION,
) -> PublishResult:
    """Copy every table and view of `schemas` in build_db into a fresh serving_db, atomically."""
    started = time.perf_counter()
    remove_stale_temporaries(serving_db)
    temporary = serving_db.with_name(f".{serving_db.name}.{uuid.uuid4().hex}.tmp")
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
        rows = 0
        for schema in sorted({s for s, _ in relations}):
            con.execute(f'create schema if not exists serving."{schema}"')
        for schema, name in relations:
            con.execute(f'create table serving."{schema}"."{name}" as select * from build."{schema}"."{name}"')
            rows += con.execute(f'select count(*) from serving."{schema}"."{name}"').fetchone()[0]
        con.execute("checkpoint serving")
        con.execute("detach serving")
        con.execute("detach build")
    except BaseException:
        con.close()
        for leftover in serving_db.parent.glob(f"{temporary.name}*"):
            leftover.unlink(missing_ok=True)
        raise
    con.close()
    _fsync(temporary)
    os.replace(temporary, serving_db)
    _fsync(serving_db.parent)
    return PublishResult(serving_db, len(relations), rows, time.perf_counter() - started)
