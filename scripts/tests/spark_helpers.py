"""Read the marts of a Spark build (the `spark` target of profiles.yml) in a subprocess.

Run as ``python spark_helpers.py WAREHOUSE_DIR OUT.pkl TABLE...``: starts a local Spark
with the warehouse's metastore and table directory (as the `spark` profile does), reads
each ``schema.table`` and pickles ``{table: (column names, rows as tuples)}`` to OUT.pkl (a table that cannot be
read maps to the error text).
A subprocess, so that the test process never holds a JVM or the Derby metastore lock,
and with TZ=UTC, so that Spark's timestamps (session time zone UTC) come back as the same
naive values DuckDB holds.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path


def spark_session(warehouse_dir: Path):
    from pyspark.sql import SparkSession

    spark_dir = Path(warehouse_dir).resolve() / "spark"
    return (
        SparkSession.builder.master("local[2]")
        .appName("crmwh-test-read")
        .enableHiveSupport()
        .config("spark.sql.warehouse.dir", str(spark_dir / "warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir} -Duser.timezone=UTC")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def read_tables(warehouse_dir: Path, out: Path, tables: list[str]) -> float:
    """Run this module in a subprocess; returns the seconds it took."""
    started = time.monotonic()
    env = dict(os.environ, TZ="UTC", PYSPARK_PYTHON=sys.executable)
    result = subprocess.run(
        [sys.executable, __file__, str(warehouse_dir), str(out), *tables],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return time.monotonic() - started


def _main(warehouse_dir: str, out: str, *tables: str) -> None:
    time.tzset()
    spark = spark_session(Path(warehouse_dir))
    spark.sparkContext.setLogLevel("ERROR")
    dumped = {}
    for table in tables:
        try:
            frame = spark.table(table)
            dumped[table] = (frame.columns, [tuple(row) for row in frame.collect()])
        except Exception as exc:  # noqa: BLE001 - a missing table is reported by the test that reads it
            dumped[table] = exc.__class__.__name__ + ": " + str(exc)[:500]
    spark.stop()
    with open(out, "wb") as handle:
        pickle.dump(dumped, handle)


if __name__ == "__main__":
    _main(*sys.argv[1:])
