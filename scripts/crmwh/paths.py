"""Well-known locations inside the project checkout."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_EXPORTS = PROJECT_ROOT / "data" / "sample" / "exports"
SOURCES_YML = PROJECT_ROOT / "models" / "staging" / "crm" / "_crm__sources.yml"
SEEDS_DIR = PROJECT_ROOT / "seeds"
DEFAULT_WAREHOUSE_DIR = Path("warehouse")
BUILD_DB_NAME = "build.duckdb"
