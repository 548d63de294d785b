"""`crmwh load --parquet`: the raw landing tables written as Parquet for Spark.

Spark's landing tables (on-run-start hook crm_register_landing_tables) are external tables
over ``<warehouse>/landing/<table>/``; these files must hold exactly the raw tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
from conftest import query
from dbt_helpers import write_export

from crmwh import cli
from crmwh.contract import load_contract
from crmwh.load import export_landing_parquet, load_exports

LOADED_AT = dt.datetime(2025, 3, 19, 2, 30, 0)


def _customer(customer_id: str, name: str) -> dict:
    return {"customer_id": customer_id, "customer_name": name, "updated_at": "2025-03-18 14:05:00"}


def _parquet_rows(path: Path) -> list[dict]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: (r.get("_load_id") or 0, r.get("_row_number") or 0))


def test_parquet_landing_equals_raw_tables_and_follows_new_loads(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "wh"
    write_export(exports, "customers", [_customer("C1", "甲公司"), _customer("C2", "O'Brien & Co")])
    write_export(exports, "orders", [])
    load_exports(exports, warehouse, loaded_at=LOADED_AT, landing_parquet=True)

    landing = warehouse / "landing"
    # one directory per raw table (and the manifest), one file Spark does not skip
    assert sorted(p.name for p in landing.iterdir()) == sorted([*load_contract(), "_load_manifest"])
    for table in [*load_contract(), "_load_manifest"]:
        assert [p.name for p in (landing / table).iterdir()] == ["part-0.parquet"], table

    customers = _parquet_rows(landing / "customers" / "part-0.parquet")
    assert [(r["customer_id"], r["customer_name"], r["_row_number"]) for r in customers] == [
        ("C1", "甲公司", 2),
        ("C2", "O'Brien & Co", 3),
    ]
    assert customers[0]["_loaded_at"] == LOADED_AT
    raw = query(warehouse / "build.duckdb", "select * from raw.customers order by _row_number")
    assert customers == raw
    assert _parquet_rows(landing / "orders" / "part-0.parquet") == []
    manifest = pq.read_table(landing / "_load_manifest" / "part-0.parquet").to_pylist()
    assert sorted((m["entity"], m["rows_landed"]) for m in manifest) == [("customers", 2), ("orders", 0)]

    # a second night appends to raw; the export is rewritten with the whole history
    write_export(exports, "customers", [_customer("C3", "乙公司")])
    (exports / "orders.csv").unlink()
    load_exports(exports, warehouse, loaded_at=LOADED_AT + dt.timedelta(days=1), landing_parquet=True)
    customers = _parquet_rows(landing / "customers" / "part-0.parquet")
    assert [(r["customer_id"], r["_load_id"]) for r in customers] == [("C1", 1), ("C2", 1), ("C3", 2)]
    assert not [p for p in landing.iterdir() if p.name.startswith(".")]  # no temporary directories left


def test_without_the_option_nothing_is_exported_and_cli_flag_exports(tmp_path: Path, capsys):
    exports, warehouse = tmp_path / "exports", tmp_path / "wh"
    write_export(exports, "customers", [_customer("C1", "甲公司")])
    load_exports(exports, warehouse, loaded_at=LOADED_AT)
    assert not (warehouse / "landing").exists()
    # already loaded (no-op), but --parquet still writes the landing files
    assert cli.main(["load", "--exports", str(exports), "--warehouse-dir", str(warehouse), "--parquet"]) == 0
    assert "landing" in capsys.readouterr().out
    assert len(_parquet_rows(warehouse / "landing" / "customers" / "part-0.parquet")) == 1
    assert export_landing_parquet(warehouse) == warehouse / "landing"
