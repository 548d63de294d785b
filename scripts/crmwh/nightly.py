"""The night: load -> dbt build -> source freshness -> data-quality checkpoint -> publish.

`crmwh nightly` is the one command a scheduler calls. The warehouse directory holds

    build.duckdb     raw landing tables (all nights' history) and every dbt layer; only
                     crmwh writes it
    serving.duckdb   the published marts BI tools read (read-only), replaced atomically
    .nightly.lock    held (flock) while a night runs: a second run on the same warehouse
                     refuses to start; the kernel releases it when a run dies
    dbt/             dbt's target and logs of the last run
    gx/              Great Expectations Data Docs and summary.html of the last checkpoint
    reports/         run_<started>.json per night, latest.json and latest.txt

Write-audit-publish: everything is built and tested in build.duckdb; serving.duckdb is
replaced (crmwh.publish) only when the build, every error-level test and the critical
data-quality expectations passed. A failed or killed night leaves serving.duckdb
byte-for-byte as it was.

Recovery: a night can be killed anywhere (kill -9) and simply run again. The load is one
transaction (rolled back by DuckDB when the process dies; the same files are a no-op once
loaded); every dbt model is rebuilt or, for the incremental facts, reprocessed from a
watermark that is committed together with the model's rows; a publish's temporary file is
removed by the next run; dbt dies with its parent.

Exit codes: 0 the night was published; 1 a step failed (build, an error-level test, a
critical data-quality expectation, publish, or another run holds the warehouse) and the
serving database was left exactly as it was; 2 the exports were rejected and nothing of
the night was loaded.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from crmwh.dbt_runner import run_dbt
from crmwh.load import ExportError, load_exports
from crmwh.paths import BUILD_DB_NAME, PROJECT_ROOT
from crmwh.progress import is_terminal, outcome_line, step_line
from crmwh.publish import DEFAULT_STORAGE_VERSION, SERVING_DB_NAME, PublishError, publish, remove_stale_temporaries
from crmwh.report import print_load_report, reconciliation_rows

STEPS = ("load", "build", "freshness", "quality", "publish")
LOCK_NAME = ".nightly.lock"
# what the incremental facts depend on besides the data: a change re-processes them whole
FINGERPRINT_PATHS = ("models", "macros", "seeds", "dbt_project.yml")


def resolve_as_of(exports_dir: Path, as_of: dt.date | None) -> tuple[dt.date, str]:
    """The night's date: given, else the date a generated export set was made for, else today."""
    if as_of is not None:
        return as_of, "--as-of"
    marker = exports_dir / "_generated.json"
    if marker.exists():
        return dt.date.fromisoformat(json.loads(marker.read_text(encoding="utf-8"))["as_of"]), marker.name
    return dt.date.today(), "today"


def build_fingerprint(extra_vars: dict | None = None) -> str:
    """Hash of the project's models, macros, seeds, dbt_project.yml and the vars given."""
    digest = hashlib.sha256()
    for top in FINGERPRINT_PATHS:
        root = PROJECT_ROOT / top
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if path.suffix in (".sql", ".yml", ".yaml", ".csv", ".md"):
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    digest.update(json.dumps(extra_vars or {}, sort_keys=True).encode())
    return digest.hexdigest()[:32]


@dataclass
class NightReport:
    as_of: str
    exports_dir: str
    warehouse_dir: str
    started_at: str
    status: str = "running"
    failed_step: str | None = None
    message: str | None = None
    published: bool = False
    full_refresh: bool = False
    durations: dict[str, float] = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    tests: dict = field(default_factory=dict)
    failed_tests: list = field(default_factory=list)
    warned_tests: list = field(default_factory=list)
    failed_models: list = field(default_factory=list)
    completeness_misses: list = field(default_factory=list)
    freshness: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    published_tables: dict = field(default_factory=dict)

    def summary(self) -> str:
        head = f"night {self.as_of}: {self.status.upper()}" + (f" at step {self.failed_step}" if self.failed_step else "")
        lines = [head]
        if self.message:
            lines.append(f"  {self.message}")
        if self.durations:
            total = sum(self.durations.values())
            lines.append("  durations: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.durations.items())
                         + f" (total {total:.1f} s)")
        if self.rows:
            landed = sum(r["landed"] for r in self.rows.values())
            quarantined = sum(r["quarantined"] for r in self.rows.values())
            lines.append(f"  rows: {landed:,} landed, {quarantined:,} quarantined (all nights)")
        if self.tests:
            lines.append("  tests: " + ", ".join(f"{v} {k}" for k, v in sorted(self.tests.items())))
        for name in self.failed_models:
            lines.append(f"  FAILED model: {name}")
        for name in self.failed_tests:
            lines.append(f"  FAILED test: {name}")
        for name in self.warned_tests:
            lines.append(f"  warned test: {name}")
        if self.completeness_misses:
            lines.append(f"  completeness below target ({len(self.completeness_misses)}):")
            lines.extend(f"    {miss}" for miss in self.completeness_misses)
        stale = sorted(k for k, v in self.freshness.items() if v in ("warn", "error"))
        if stale:
            lines.append("  stale exports (source freshness): " + ", ".join(f"{k} ({self.freshness[k]})" for k in stale))
        if self.quality:
            lines.append(
                f"  data quality: {self.quality.get('passed')} expectations passed, {self.quality.get('failed')} failed"
                f" ({'critical failures' if self.quality.get('has_errors') else 'no critical failure'})"
            )
        lines.append(f"  published: {'yes' if self.published else 'no, serving database unchanged'}")
        return "\n".join(lines)


def _step(number: int, name: str, detail: str = "") -> None:
    print(step_line(number, len(STEPS), name, detail, terminal=is_terminal()), flush=True)


def _done(name: str, seconds: float, outcome: str = "ok") -> None:
    print(outcome_line(name, seconds, outcome, terminal=is_terminal()), flush=True)


def _test_results(target_path: Path) -> dict:
    """Counts per status, failed / warned tests and failed models of the last dbt run."""
    path = target_path / "run_results.json"
    out = {"counts": {}, "failed": [], "warned": [], "failed_models": [], "completeness": []}
    if not path.exists():
        return out
    for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
        unique_id, status = result["unique_id"], result["status"]
        kind = unique_id.split(".")[0]
        if kind not in ("test", "unit_test"):
            if status == "error":
                out["failed_models"].append(f"{unique_id.split('.')[-1]} ({kind}): {(result.get('message') or '').strip()[:300]}")
            continue
        out["counts"][status] = out["counts"].get(status, 0) + 1
        name = unique_id.split(".")[-1] if kind == "unit_test" else unique_id.split(".")[2]
        if status in ("fail", "error"):
            out["failed"].append(f"{name}: {(result.get('message') or status).strip()[:300]}")
        elif status == "warn":
            out["warned"].append(f"{name}: {(result.get('message') or status).strip()[:300]}")
        if name.startswith("completeness") and status in ("warn", "fail", "error"):
            out["completeness"].append(f"{name} ({status}: {result.get('message') or ''})")
    return out


def _completeness_misses(build_db: Path, target_path: Path) -> list[str]:
    """Required columns below target in this run's clean rows.

    Read from the failing rows the completeness tests of this dbt run stored
    (store_failures: one row per column below target); when no such test ran, from
    mart_data_completeness (latest load date).
    """
    path = target_path / "run_results.json"
    relations = []
    if path.exists():
        for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
            name = result["unique_id"].split(".")[2] if result["unique_id"].startswith("test.") else ""
            if name.startswith("completeness") and result["status"] in ("warn", "fail") and result.get("relation_name"):
                relations.append(result["relation_name"])
    sql = " union all ".join(
        f"select entity, column_name, filled, row_count, target, is_below_error_floor = 1 from {relation}"
        for relation in relations
    ) or """
        select entity, column_name, filled, rows, target, coalesce(is_below_error_floor, false)
        from marts.mart_data_completeness
        where is_latest_load_date and is_overall and not is_met
    """
    try:
        with duckdb.connect(str(build_db), read_only=True) as con:
            rows = sorted(con.execute(sql).fetchall(), key=lambda r: (r[0], r[1]))
    except duckdb.Error:
        return []
    return [
        f"{entity}.{column}: {(filled or 0) / count if count else 0:.1%} filled < target {float(target):.0%}"
        + (" (below the error floor: blocks publishing)" if error else "")
        for entity, column, filled, count, target, error in rows
    ]


def _write_report(report: NightReport, warehouse_dir: Path) -> Path:
    reports = warehouse_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    stamp = report.started_at.replace(":", "").replace("-", "")
    path = reports / f"run_{stamp}.json"
    payload = json.dumps(report.__dict__, ensure_ascii=False, indent=2, default=str)
    for target, text in ((path, payload), (reports / "latest.json", payload), (reports / "latest.txt", report.summary() + "\n")):
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    return path


class WarehouseBusy(Exception):
    """Another `crmwh nightly` holds the warehouse."""


def _lock(warehouse_dir: Path):
    handle = open(warehouse_dir / LOCK_NAME, "a+")  # noqa: SIM115 - held for the whole night
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise WarehouseBusy(f"another crmwh nightly is running on {warehouse_dir} ({LOCK_NAME} is locked)") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def run_nightly(
    exports_dir: Path,
    as_of: dt.date | None,
    warehouse_dir: Path,
    *,
    run_quality: bool = True,
    serving_storage_version: str = DEFAULT_STORAGE_VERSION,
    full_refresh: bool = False,
    unit_tests: bool = False,
    threads: int | None = None,
    exclude: str | None = None,
) -> int:
    warehouse_dir = Path(warehouse_dir)
    exports_dir = Path(exports_dir)
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    as_of, why = resolve_as_of(exports_dir, as_of)
    report = NightReport(
        as_of=str(as_of),
        exports_dir=str(exports_dir),
        warehouse_dir=str(warehouse_dir),
        started_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        full_refresh=full_refresh,
    )
    print(f"crmwh nightly: exports {exports_dir}, as of {as_of} (from {why}), warehouse {warehouse_dir}", flush=True)
    try:
        lock = _lock(warehouse_dir)
    except WarehouseBusy as exc:
        print(f"crmwh nightly: {exc}", file=sys.stderr)
        return 1
    try:
        problem = check_storage_version(serving_storage_version)
        if problem:
            report.status, report.failed_step, report.message = "failed", "publish", problem
            print(f"crmwh nightly: {problem}", file=sys.stderr)
            _write_report(report, warehouse_dir)
            return 1
        return _run(report, exports_dir, as_of, warehouse_dir, run_quality=run_quality,
                    storage_version=serving_storage_version, full_refresh=full_refresh,
                    unit_tests=unit_tests, threads=threads, exclude=exclude)
    except Exception as exc:  # noqa: BLE001 - any crash still leaves a report naming the step
        step = next((s for s in STEPS if s not in report.durations), "publish")
        report.status, report.failed_step = "failed", step
        report.message = f"unexpected error: {type(exc).__name__}: {exc}; serving database unchanged"
        print(f"crmwh nightly: FAILED at {step}: {report.message}", file=sys.stderr, flush=True)
        _write_report(report, warehouse_dir)
        return 1
    finally:
        lock.close()


def check_storage_version(version: str) -> str | None:
    """None when this DuckDB can write serving files in `version`, else the reason."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"attach '{Path(scratch) / 'probe.duckdb'}' as probe (storage_version '{version}')")
        except duckdb.Error as exc:
            return f"--serving-storage-version {version!r} is not accepted by DuckDB {duckdb.__version__}: {exc}"
        finally:
            con.close()
    return None


def _run(report: NightReport, exports_dir: Path, as_of: dt.date, warehouse_dir: Path, *, run_quality: bool,
         storage_version: str, full_refresh: bool, unit_tests: bool, threads: int | None,
         exclude: str | None = None) -> int:
    build_db = warehouse_dir / BUILD_DB_NAME
    serving_db = warehouse_dir / SERVING_DB_NAME
    target_path = warehouse_dir / "dbt" / "target"
    for stale in remove_stale_temporaries(serving_db):
        print(f"removed the temporary file of an unfinished publish: {stale.name}", flush=True)
    if threads:
        os.environ["CRMWH_THREADS"] = str(threads)

    def fail(step: str, message: str, code: int = 1) -> int:
        report.status, report.failed_step, report.message = "failed", step, message
        print(f"crmwh nightly: FAILED at {step}: {message}", file=sys.stderr, flush=True)
        finish()
        return code

    def finish() -> None:
        path = _write_report(report, warehouse_dir)
        print(report.summary(), flush=True)
        print(f"run report: {path}", flush=True)

    def timed(step: str, started: float, outcome: str = "ok") -> None:
        report.durations[step] = round(time.perf_counter() - started, 2)
        _done(step, report.durations[step], outcome)

    # ------------------------------------------------------------------ 1 load
    _step(1, "load", str(exports_dir))
    started = time.perf_counter()
    try:
        loaded = load_exports(exports_dir, warehouse_dir)
    except ExportError as exc:
        timed("load", started, "rejected")
        return fail("load", f"export rejected, nothing loaded: {exc}", code=2)
    timed("load", started)
    print_load_report(loaded)
    report.load = {
        "load_id": loaded.load_id,
        "files": {f.entity: {"file": f.path.name, "status": f.status, "rows": f.rows, "malformed": f.malformed}
                  for f in loaded.files},
        "ignored_files": loaded.ignored_files,
    }

    # ------------------------------------------------------------------ 2 build
    fingerprint = build_fingerprint()
    select_args = [] if unit_tests else ["--exclude-resource-type", "unit_test"]
    if exclude:
        select_args += ["--exclude", *exclude.split()]
    _step(2, "dbt build", f"as_of_date={as_of}{', full refresh' if full_refresh else ''}"
          f"{'' if unit_tests else ', unit tests excluded'}{', excluding ' + exclude if exclude else ''}")
    started = time.perf_counter()
    build = run_dbt(["build", *select_args, *(["--full-refresh"] if full_refresh else [])],
                    warehouse_dir=warehouse_dir, as_of=as_of, target_path=target_path,
                    extra_vars={"crm_build_fingerprint": fingerprint})
    results = _test_results(target_path)
    report.tests, report.failed_tests, report.warned_tests = results["counts"], results["failed"], results["warned"]
    report.failed_models = results["failed_models"]
    report.completeness_misses = _completeness_misses(build_db, target_path) if build_db.exists() else []
    timed("build", started, "ok" if build.returncode == 0 else f"dbt exited {build.returncode}")
    if build.returncode != 0:
        what = []
        if report.failed_models:
            what.append(f"{len(report.failed_models)} model(s) failed: " + "; ".join(m.split(':')[0] for m in report.failed_models))
        if report.failed_tests:
            what.append(f"{len(report.failed_tests)} error-level test(s) failed: "
                        + "; ".join(t.split(':')[0] for t in report.failed_tests))
        return fail("build", f"dbt build exited {build.returncode}; " + (" / ".join(what) or "see the dbt output above"))
    report.rows = {
        entity: dict(zip(("landed", "staged", "quarantined", "duplicate_or_superseded", "replaced", "not_yet_valid"),
                         counts, strict=True))
        for entity, counts in reconciliation_rows(build_db).items()
    }
    print(f"{'entity':<18} {'landed':>10} {'staged':>10} {'quarantined':>12} {'(dup/superseded)':>17} {'replaced':>10}"
          f" {'not yet valid':>14}")
    for entity, r in report.rows.items():
        print(f"{entity:<18} {r['landed']:>10,} {r['staged']:>10,} {r['quarantined']:>12,} "
              f"{r['duplicate_or_superseded']:>17,} {r['replaced']:>10,} {r['not_yet_valid']:>14,}")
    if report.completeness_misses:
        print("completeness below target: " + "; ".join(report.completeness_misses))

    # ------------------------------------------------------------------ 3 freshness
    _step(3, "source freshness")
    started = time.perf_counter()
    # same target path and vars as the build: dbt reuses the build's parse (partial parsing)
    sources_json = target_path / "sources.json"
    sources_json.unlink(missing_ok=True)
    freshness = run_dbt(["source", "freshness", "--output", str(sources_json)], warehouse_dir=warehouse_dir,
                        as_of=as_of, target_path=target_path, capture=True,
                        extra_vars={"crm_build_fingerprint": fingerprint})
    if sources_json.exists():
        for result in json.loads(sources_json.read_text(encoding="utf-8"))["results"]:
            report.freshness[result["unique_id"].split(".")[-1]] = result["status"]
    stale = sorted(k for k, v in report.freshness.items() if v in ("warn", "error"))
    timed("freshness", started, "stale: " + ", ".join(f"{k} ({report.freshness[k]})" for k in stale) if stale
          else f"all exports fresh (dbt exit {freshness.returncode})")

    # ------------------------------------------------------------------ 4 quality
    if run_quality:
        _step(4, "data-quality checkpoint (Great Expectations)")
        from crmwh.quality import run_checkpoint

        started = time.perf_counter()
        quality = run_checkpoint(warehouse_dir, as_of, loaded.load_id)
        timed("quality", started, "critical failures" if quality.has_errors else "ok")
        print(quality.text_summary())
        report.quality = {
            "passed": quality.passed,
            "failed": quality.failed,
            "has_errors": quality.has_errors,
            "failing_columns": quality.failing_columns,
            "seconds": round(quality.elapsed_seconds, 1),
            "read_seconds": round(quality.read_seconds, 1),
            "data_docs": str(quality.data_docs_index),
            "summary_html": str(quality.summary_html),
        }
        if quality.has_errors:
            return fail("quality", "critical data-quality expectations failed; see " + str(quality.summary_html))
    else:
        _step(4, "data-quality checkpoint", "skipped (--skip-quality)")

    # ------------------------------------------------------------------ 5 publish
    _step(5, "publish", f"{serving_db} (storage version {storage_version})")
    started = time.perf_counter()
    try:
        published = publish(build_db, serving_db, storage_version=storage_version, as_of=str(as_of))
    except (PublishError, duckdb.Error, OSError) as exc:
        timed("publish", started, "failed")
        return fail("publish", f"{exc}; serving database unchanged")
    timed("publish", started)
    report.published = True
    report.status = "published"
    report.published_tables = published.table_rows
    print(f"published {published.tables} tables, {published.rows:,} rows to {published.serving_db}")
    finish()
    return 0
