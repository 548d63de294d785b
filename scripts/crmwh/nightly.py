"""The night: load -> dbt build -> source freshness -> data-quality checkpoint -> publish.

`crmwh nightly` is the one command a scheduler calls. The warehouse directory holds

    build.duckdb     raw landing tables and every dbt layer; only crmwh writes it
    serving.duckdb   the published marts BI tools read (read-only), replaced atomically
    dbt/             dbt's target and logs of the last run
    gx/              Great Expectations Data Docs and summary.html of the last checkpoint
    reports/         run_<started>.json per night, latest.json and latest.txt

Exit codes: 0 the night was published; 1 a step failed (build, an error-level test or a
critical data-quality expectation) and the serving database was left exactly as it
was; 2 the exports were rejected and nothing of the night was loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from crmwh.dbt_runner import run_dbt
from crmwh.load import ExportError, load_exports
from crmwh.paths import BUILD_DB_NAME
from crmwh.publish import SERVING_DB_NAME, publish
from crmwh.report import print_load_report, reconciliation_rows

STEPS = ("load", "build", "freshness", "quality", "publish")


def resolve_as_of(exports_dir: Path, as_of: dt.date | None) -> tuple[dt.date, str]:
    """The night's date: given, else the date a generated export set was made for, else today."""
    if as_of is not None:
        return as_of, "--as-of"
    marker = exports_dir / "_generated.json"
    if marker.exists():
        return dt.date.fromisoformat(json.loads(marker.read_text(encoding="utf-8"))["as_of"]), marker.name
    return dt.date.today(), "today"


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
    durations: dict[str, float] = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    tests: dict = field(default_factory=dict)
    failed_tests: list = field(default_factory=list)
    warned_tests: list = field(default_factory=list)
    completeness_misses: list = field(default_factory=list)
    freshness: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"night {self.as_of}: {self.status.upper()}" + (f" at step {self.failed_step}" if self.failed_step else "")]
        if self.message:
            lines.append(f"  {self.message}")
        if self.durations:
            lines.append("  durations: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.durations.items()))
        if self.rows:
            landed = sum(r["landed"] for r in self.rows.values())
            quarantined = sum(r["quarantined"] for r in self.rows.values())
            lines.append(f"  rows: {landed:,} landed, {quarantined:,} quarantined (all nights)")
        if self.tests:
            lines.append("  tests: " + ", ".join(f"{v} {k}" for k, v in sorted(self.tests.items())))
        for name in self.failed_tests:
            lines.append(f"  FAILED test: {name}")
        if self.completeness_misses:
            lines.append("  completeness below target: " + ", ".join(self.completeness_misses))
        if self.quality:
            lines.append(
                f"  data quality: {self.quality.get('passed')} expectations passed, {self.quality.get('failed')} failed"
                f" ({'critical failures' if self.quality.get('has_errors') else 'no critical failure'})"
            )
        lines.append(f"  published: {'yes' if self.published else 'no, serving database unchanged'}")
        return "\n".join(lines)


def _step(number: int, name: str, detail: str = "") -> None:
    print(f"== [{number}/{len(STEPS)}] {name}{(': ' + detail) if detail else ''}", flush=True)


def _test_results(target_path: Path) -> tuple[dict, list, list, list]:
    """Counts per status, failed tests, warned tests and completeness misses of the last dbt run."""
    path = target_path / "run_results.json"
    if not path.exists():
        return {}, [], [], []
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    counts: dict[str, int] = {}
    failed, warned, completeness = [], [], []
    for result in results:
        unique_id = result["unique_id"]
        if not unique_id.startswith(("test.", "unit_test.")):
            if result["status"] == "error":
                failed.append(unique_id)
            continue
        counts[result["status"]] = counts.get(result["status"], 0) + 1
        parts = unique_id.split(".")
        name = parts[-1] if unique_id.startswith("unit_test.") else parts[2]
        if result["status"] in ("fail", "error"):
            failed.append(name)
        elif result["status"] == "warn":
            warned.append(name)
        if name.startswith("completeness") and result["status"] in ("warn", "fail", "error"):
            completeness.append(f"{name} ({result.get('message') or result['status']})")
    return counts, failed, warned, completeness


def _write_report(report: NightReport, warehouse_dir: Path) -> Path:
    reports = warehouse_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    stamp = report.started_at.replace(":", "").replace("-", "")
    path = reports / f"run_{stamp}.json"
    payload = json.dumps(report.__dict__, ensure_ascii=False, indent=2, default=str)
    path.write_text(payload, encoding="utf-8")
    (reports / "latest.json").write_text(payload, encoding="utf-8")
    (reports / "latest.txt").write_text(report.summary() + "\n", encoding="utf-8")
    return path


def run_nightly(exports_dir: Path, as_of: dt.date | None, warehouse_dir: Path, *, run_quality: bool = True) -> int:
    warehouse_dir = Path(warehouse_dir)
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    as_of, why = resolve_as_of(exports_dir, as_of)
    report = NightReport(
        as_of=str(as_of),
        exports_dir=str(exports_dir),
        warehouse_dir=str(warehouse_dir),
        started_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    print(f"crmwh nightly: exports {exports_dir}, as of {as_of} (from {why}), warehouse {warehouse_dir}")
    build_db = warehouse_dir / BUILD_DB_NAME
    target_path = warehouse_dir / "dbt" / "target"

    def fail(step: str, message: str, code: int = 1) -> int:
        report.status, report.failed_step, report.message = "failed", step, message
        print(f"crmwh nightly: FAILED at {step}: {message}", file=sys.stderr)
        _finish()
        return code

    def _finish() -> None:
        path = _write_report(report, warehouse_dir)
        print(report.summary())
        print(f"run report: {path}")

    def timed(step: str, started: float) -> None:
        report.durations[step] = round(time.perf_counter() - started, 2)

    _step(1, "load", str(exports_dir))
    started = time.perf_counter()
    try:
        loaded = load_exports(exports_dir, warehouse_dir)
    except ExportError as exc:
        timed("load", started)
        return fail("load", f"export rejected, nothing loaded: {exc}", code=2)
    timed("load", started)
    print_load_report(loaded)
    report.load = {
        "load_id": loaded.load_id,
        "files": {f.entity: {"file": f.path.name, "status": f.status, "rows": f.rows, "malformed": f.malformed}
                  for f in loaded.files},
    }

    _step(2, "dbt build", f"as_of_date={as_of}")
    started = time.perf_counter()
    build = run_dbt(["build"], warehouse_dir=warehouse_dir, as_of=as_of, target_path=target_path)
    timed("build", started)
    report.tests, report.failed_tests, report.warned_tests, report.completeness_misses = _test_results(target_path)
    if build.returncode != 0:
        return fail("build", f"dbt build exited {build.returncode}; failed: {', '.join(report.failed_tests) or 'see dbt output'}")
    report.rows = {
        entity: dict(zip(("landed", "staged", "quarantined", "duplicate_or_superseded", "replaced"), counts, strict=True))
        for entity, counts in reconciliation_rows(build_db).items()
    }
    print(f"{'entity':<18} {'landed':>10} {'staged':>10} {'quarantined':>12} {'(dup/superseded)':>17} {'replaced':>10}")
    for entity, r in report.rows.items():
        print(f"{entity:<18} {r['landed']:>10,} {r['staged']:>10,} {r['quarantined']:>12,} "
              f"{r['duplicate_or_superseded']:>17,} {r['replaced']:>10,}")

    _step(3, "source freshness")
    started = time.perf_counter()
    freshness = run_dbt(["source", "freshness"], warehouse_dir=warehouse_dir, target_path=target_path / "freshness",
                        capture=True)
    timed("freshness", started)
    sources_json = target_path / "freshness" / "sources.json"
    if sources_json.exists():
        for result in json.loads(sources_json.read_text(encoding="utf-8"))["results"]:
            report.freshness[result["unique_id"].split(".")[-1]] = result["status"]
    stale = sorted(k for k, v in report.freshness.items() if v in ("warn", "error"))
    print("exports stale (no new load within the freshness window): " + ", ".join(stale) if stale
          else f"all exports fresh (dbt exit {freshness.returncode})")

    if run_quality:
        _step(4, "data-quality checkpoint (Great Expectations)")
        from crmwh.quality import run_checkpoint

        started = time.perf_counter()
        quality = run_checkpoint(warehouse_dir, as_of, loaded.load_id)
        timed("quality", started)
        print(quality.text_summary())
        report.quality = {
            "passed": quality.passed,
            "failed": quality.failed,
            "has_errors": quality.has_errors,
            "failing_columns": quality.failing_columns,
            "data_docs": str(quality.data_docs_index),
            "summary_html": str(quality.summary_html),
        }
        if quality.has_errors:
            return fail("quality", "critical data-quality expectations failed; see " + str(quality.summary_html))

    _step(5, "publish", str(warehouse_dir / SERVING_DB_NAME))
    started = time.perf_counter()
    published = publish(build_db, warehouse_dir / SERVING_DB_NAME)
    timed("publish", started)
    report.published = True
    report.status = "published"
    print(f"published {published.tables} tables, {published.rows:,} rows to {published.serving_db}")
    _finish()
    return 0
