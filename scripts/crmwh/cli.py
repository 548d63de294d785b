"""`crmwh`: the one command the data team runs.

    crmwh generate --customers N --as-of YYYY-MM-DD --out DIR [--seed S]
    crmwh load     --exports DIR --warehouse-dir DIR [--postgres]
    crmwh nightly  --exports DIR --as-of YYYY-MM-DD --warehouse-dir DIR
    crmwh gx       --warehouse-dir DIR --as-of YYYY-MM-DD [--load-id N]
    crmwh publish  --warehouse-dir DIR
    crmwh dbt      -- <any dbt arguments>        (dbt with this project's profile and paths)
    crmwh bench    [--engine duckdb|postgres|spark] [--scales 10k,100k,1m] [--runs 3] [--out benchmarks]

Exit codes: 0 success, 1 the night failed (build or test error), 2 bad input (an export
file or argument that cannot be used; the message names the file and column).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from crmwh.paths import DEFAULT_WAREHOUSE_DIR, SAMPLE_EXPORTS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_generate(args: argparse.Namespace) -> int:
    import time

    from crmwh.generate import generate_exports

    started = time.perf_counter()
    rows = generate_exports(
        Path(args.out),
        customers=args.customers,
        as_of=args.as_of,
        seed=args.seed,
        dirt_rate=args.dirt_rate,
        encoding=args.encoding,
        header_language=args.headers,
        file_format=args.format,
    )
    elapsed = time.perf_counter() - started
    for entity, count in rows.items():
        print(f"{entity:<18} {count:>12,} rows")
    print(f"generated {sum(rows.values()):,} rows into {args.out} in {elapsed:.1f} s")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    from crmwh.load import load_exports
    from crmwh.report import print_load_report

    report = load_exports(Path(args.exports), Path(args.warehouse_dir), landing_parquet=args.parquet)
    print_load_report(report)
    if args.postgres:
        from crmwh.postgres import mirror_raw_to_postgres

        mirrored = mirror_raw_to_postgres(Path(args.warehouse_dir))
        print(f"mirrored {len(mirrored.tables)} raw tables, {mirrored.rows:,} rows to PostgreSQL (schema raw)")
    if args.parquet:
        print(f"raw tables written to Parquet under {Path(args.warehouse_dir) / 'landing'} (for Spark)")
    return 0


def _cmd_nightly(args: argparse.Namespace) -> int:
    from crmwh.nightly import run_nightly

    return run_nightly(
        exports_dir=Path(args.exports),
        as_of=args.as_of,
        warehouse_dir=Path(args.warehouse_dir),
        run_quality=not args.skip_quality,
        serving_storage_version=args.serving_storage_version,
        full_refresh=args.full_refresh,
        unit_tests=args.unit_tests,
        threads=args.threads,
        exclude=args.exclude,
    )


def _cmd_gx(args: argparse.Namespace) -> int:
    from crmwh.quality import run_gx_command

    return run_gx_command(Path(args.warehouse_dir), args.as_of, args.load_id)


def _cmd_publish(args: argparse.Namespace) -> int:
    from crmwh.paths import BUILD_DB_NAME
    from crmwh.publish import SERVING_DB_NAME, publish

    warehouse = Path(args.warehouse_dir)
    result = publish(warehouse / BUILD_DB_NAME, warehouse / SERVING_DB_NAME, storage_version=args.storage_version)
    print(f"published {result.tables} tables, {result.rows:,} rows to {result.serving_db} in {result.seconds:.1f} s")
    return 0


def _cmd_dbt(args: argparse.Namespace) -> int:
    from crmwh.dbt_runner import run_dbt

    return run_dbt(args.dbt_args, warehouse_dir=Path(args.warehouse_dir)).returncode


def _cmd_bench(args: argparse.Namespace) -> int:
    from crmwh.bench import BenchError, parse_scales, run_bench

    try:
        scales = parse_scales(args.scales)
    except ValueError as exc:
        print(f"crmwh bench: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out or ("benchmarks" if args.engine == "duckdb" else f"benchmarks/{args.engine}"))
    work = Path(args.work_dir) if args.work_dir else out / ".work"
    try:
        run_bench(scales, args.runs, out, work, as_of=args.as_of, seed=args.seed, keep=args.keep,
                  engine=args.engine)
    except BenchError as exc:
        print(f"crmwh bench: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmwh", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a deterministic synthetic CRM export set")
    gen.add_argument("--customers", type=int, default=2000)
    gen.add_argument("--as-of", type=_date, default=dt.date.today())
    gen.add_argument("--out", required=True)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--dirt-rate", type=float, default=0.02, help="share of dirty cells/rows (0 = clean)")
    gen.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8")
    gen.add_argument("--headers", choices=["en", "zh"], default="en", help="header language")
    gen.add_argument("--format", choices=["csv", "csv.gz", "parquet"], default="csv")
    gen.set_defaults(func=_cmd_generate)

    load = sub.add_parser("load", help="land a night's export files into the raw schema")
    load.add_argument("--exports", default=str(SAMPLE_EXPORTS))
    load.add_argument("--warehouse-dir", default=str(DEFAULT_WAREHOUSE_DIR))
    load.add_argument(
        "--postgres",
        action="store_true",
        help="also copy the raw schema to PostgreSQL for the `postgres` target (CRMWH_PG_* variables)",
    )
    load.add_argument(
        "--parquet",
        action="store_true",
        help="also write the raw tables to <warehouse-dir>/landing/<table>/ as Parquet (Spark reads them)",
    )
    load.set_defaults(func=_cmd_load)

    nightly = sub.add_parser("nightly", help="load the night's exports and build the warehouse")
    nightly.add_argument("--exports", default=str(SAMPLE_EXPORTS), help="default: the bundled sample")
    nightly.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="the night's date (default: today; for a generated export set, the date it was generated for)",
    )
    nightly.add_argument("--warehouse-dir", default=str(DEFAULT_WAREHOUSE_DIR))
    nightly.add_argument(
        "--serving-storage-version",
        default="v1.0.0",
        help="DuckDB storage version of serving.duckdb (v0.10.0 .. v1.4.0; default v1.0.0, readable by DuckDB >= 0.10)",
    )
    nightly.add_argument("--full-refresh", action="store_true", help="rebuild the incremental facts from scratch")
    nightly.add_argument("--skip-quality", action="store_true", help="skip the Great Expectations checkpoint")
    nightly.add_argument("--unit-tests", action="store_true", help="also run dbt unit tests (CI runs them; default off)")
    nightly.add_argument("--threads", type=int, default=None, help="dbt threads (default: CRMWH_THREADS or 1)")
    nightly.add_argument("--exclude", default=None, help="dbt selector of nodes not to build tonight (space-separated)")
    nightly.set_defaults(func=_cmd_nightly)

    gx = sub.add_parser("gx", help="run the Great Expectations checkpoint on a landed night")
    gx.add_argument("--warehouse-dir", default=str(DEFAULT_WAREHOUSE_DIR))
    gx.add_argument("--as-of", type=_date, default=dt.date.today())
    gx.add_argument("--load-id", type=int, default=None, help="default: the latest load")
    gx.set_defaults(func=_cmd_gx)

    pub = sub.add_parser("publish", help="publish build.duckdb's marts to serving.duckdb (atomic)")
    pub.add_argument("--warehouse-dir", default=str(DEFAULT_WAREHOUSE_DIR))
    pub.add_argument("--storage-version", default="v1.0.0", help="DuckDB storage version of the serving file")
    pub.set_defaults(func=_cmd_publish)

    dbt = sub.add_parser("dbt", help="run dbt with this project's profile (arguments after --)")
    dbt.add_argument("--warehouse-dir", default=str(DEFAULT_WAREHOUSE_DIR))
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=_cmd_dbt)

    bench = sub.add_parser("bench", help="benchmark generate/load/build/publish/incremental night at several scales")
    bench.add_argument("--scales", default="10000,100000,1000000",
                       help="customers per scale, comma-separated (10k, 1m accepted; default 10000,100000,1000000)")
    bench.add_argument("--runs", type=int, default=3, help="runs per scale (median, min, max; default 3)")
    bench.add_argument("--engine", choices=["duckdb", "postgres", "spark"], default="duckdb",
                       help="where the warehouse builds (postgres: CRMWH_PG_* variables; spark: local pyspark)")
    bench.add_argument("--out", default=None,
                       help="where results.md/.json/.png go (default benchmarks, benchmarks/<engine> for others)")
    bench.add_argument("--work-dir", default=None, help="scratch space for exports and warehouses (default OUT/.work)")
    bench.add_argument("--as-of", type=_date, default=dt.date(2026, 11, 23), help="the incremental night's date")
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--keep", action="store_true", help="keep each run's exports and warehouse")
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    from crmwh.load import ExportError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ExportError as exc:
        print(f"crmwh: export rejected, nothing loaded: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
