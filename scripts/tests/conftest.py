"""Small, generic helpers shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def exports_dir(tmp_path: Path) -> Path:
    """An empty directory standing in for one night's CRM export drop."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


@pytest.fixture
def warehouse_dir(tmp_path: Path) -> Path:
    """Where the warehouse database is written (not created up front)."""
    return tmp_path / "warehouse"


def query(database: Path, sql: str, params: list | None = None) -> list[dict]:
    """Rows of ``sql`` against a DuckDB file (read-only), as dicts."""
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
