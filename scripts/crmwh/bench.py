"""`crmwh bench`: how the warehouse's cost grows with its work, measured end to end.

For each scale (customers; default 10,000 / 100,000 / 1,000,000, about 3 years of
history) and each run (default 3) in a fresh directory:

    generate      `crmwh generate` of the full export set as of --as-of (D)
    (split)       not timed: night 1 = everything exported by D - 1, night 2 = the rows new
                  or changed on D (one day of new exports)
    load          `crmwh load` of night 1 into an empty warehouse
    build         `dbt build --full-refresh` (seeds, models, data tests) as of D - 1
    publish       `crmwh publish`: the marts to serving.duckdb
    baseline      the same core computation as one hand-tuned DuckDB script
                  (crmwh/baseline.sql) on the same landed rows, outside dbt
    incremental   `crmwh nightly` of night 2 as of D: load, incremental build (tests
                  included), source freshness, publish (the data-quality checkpoint is
                  skipped: it is not part of the warehouse's build)

Every step is a child process; its wall time and its peak memory are measured from
outside: the peak resident set size (RSS) of the step's process tree, polled from /proc,
and the kernel's peak RSS of the largest single process of the tree (wait4 rusage). The
report gives the median, min and max over the runs, the full nightly run (load + build +
publish), the incremental night / full night ratio, and the warehouse / baseline ratio
(full build time / baseline time: what dbt, layering and tests cost), and the full build's
profile from dbt's run_results.json: its slowest models and the time of its data tests.

Writes <out>/results.json, <out>/results.md and <out>/results.png (log-log time vs
customers). The benchmark is a command, not a test: nothing here asserts a duration.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from crmwh.dbt_runner import DIE_WITH_PARENT
from crmwh.paths import BUILD_DB_NAME, PROJECT_ROOT

DEFAULT_SCALES = (10_000, 100_000, 1_000_000)
DEFAULT_AS_OF = dt.date(2026, 11, 23)
STEPS = ("generate", "load", "build", "publish", "baseline", "incremental")
# On PostgreSQL and Spark the warehouse is the engine's own database: BI tools read it
# there, so there is no serving copy to publish, and the baseline script is DuckDB SQL.
ENGINES = ("duckdb", "postgres", "spark")
ENGINE_NAMES = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "spark": "Apache Spark (local)"}
# what `crmwh load` adds to land the raw tables where the engine reads them
ENGINE_LOAD_FLAGS = {"duckdb": [], "postgres": ["--postgres"], "spark": ["--parquet"]}
POLL_SECONDS = 0.2
SLOWEST_MODELS = 5  # the full build's slowest models listed per scale

# entity -> column deciding the night a row is first exported (as scripts/tests/nightly_exports.py)
KNOWN_AT = {
    "customers": "updated_at",
    "orders": "updated_at",
    "interactions": "logged_at",
    "leads": "updated_at",
    "opportunities": "updated_at",
    "tickets": "opened_at",
    "surveys": "responded_at",
    "campaign_members": "invited_at",
    "tier_reviews": "reviewed_on",
}
_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


# --------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float  # peak RSS of the whole process tree (sum over processes, polled)
    max_process_rss_mb: float  # kernel's peak RSS of the largest single process (wait4)
    returncode: int


def _children_of() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name (field 2) is in parentheses and may contain spaces
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    """Current RSS (kB) of `root` and all its descendants."""
    children = _children_of()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(children.get(pid, []))
    return total


def run_measured(command: list[str], log_path: Path, env: dict[str, str] | None = None) -> Measured:
    """Run `command` (output to log_path); wall time, peak tree RSS and peak process RSS."""
    started = time.perf_counter()
    peak_kb = 0
    with open(log_path, "w", encoding="utf-8") as log:
        # a step dies with the benchmark (a stopped benchmark leaves no dbt build behind
        # holding the warehouse)
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
                                   env=env or dict(os.environ),
                                   preexec_fn=DIE_WITH_PARENT)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, tree_rss_kb(process.pid))
            time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss of wait4: the child's peak, or of its largest waited-for descendant (kB on Linux)
    single_kb = usage.ru_maxrss
    return Measured(round(seconds, 3), round(max(peak_kb, single_kb) / 1024, 1), round(single_kb / 1024, 1),
                    process.returncode)


# --------------------------------------------------------------------------- nights


def _date(text: str | None) -> dt.date | None:
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def split_last_day(source: Path, day: dt.date, night_1: Path, night_2: Path) -> dict[str, tuple[int, int]]:
    """Split a generated export set in two nights: up to day - 1, and the rows of `day`.

    A row belongs to night 2 when the date that makes it known (KNOWN_AT: updated_at,
    logged_at, opened_at...) is `day`, else to night 1 (with the rows whose date cannot be
    read and the malformed lines, verbatim). Entities without such a date (sales_reps,
    campaigns, maintenance_plan) are exported in full on night 1 only. Lines are copied
    verbatim; a line is split only to read its date column. Returns {entity: (rows of
    night 1, rows of night 2)}.
    """
    night_1.mkdir(parents=True, exist_ok=True)
    night_2.mkdir(parents=True, exist_ok=True)
    counts = {}
    for path in sorted(source.glob("*.csv")):
        entity = path.stem
        column = KNOWN_AT.get(entity)
        with open(path, encoding="utf-8", newline="") as handle:
            header_line = handle.readline()
            header = next(csv.reader([header_line]))
            if column is None or column not in header:
                shutil.copyfile(path, night_1 / path.name)
                counts[entity] = (sum(1 for _ in handle), 0)
                continue
            position, width = header.index(column), len(header)
            fallback = header.index("occurred_at") if entity == "interactions" else None
            first, second = [header_line], [header_line]
            for line in handle:
                values = line.split(",") if '"' not in line else next(csv.reader([line]), [])
                if len(values) != width:
                    first.append(line)
                    continue
                text = values[position]
                if fallback is not None and not text.strip():
                    text = values[fallback]
                (second if _date(text) == day else first).append(line)
        (night_1 / path.name).write_text("".join(first), encoding="utf-8")
        if len(second) > 1:
            (night_2 / path.name).write_text("".join(second), encoding="utf-8")
        counts[entity] = (len(first) - 1, len(second) - 1)
    return counts


# --------------------------------------------------------------------------- one run


def _crmwh(*args: str) -> list[str]:
    return [sys.executable, "-m", "crmwh.cli", *args]


def _build_command(warehouse: Path, as_of: dt.date, engine: str = "duckdb", full_refresh: bool = True) -> list[str]:
    """The full build exactly as `crmwh nightly --full-refresh` runs it (on `engine`'s target)."""
    from crmwh.dbt_runner import dbt_command
    from crmwh.nightly import build_fingerprint

    target = [] if engine == "duckdb" else ["--target", engine]
    return dbt_command(
        ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else []), *target],
        as_of=as_of,
        target_path=warehouse / "dbt" / "target",
        extra_vars={"crm_build_fingerprint": build_fingerprint()},
    )


def _baseline_command(warehouse: Path, as_of: dt.date) -> list[str]:
    return [sys.executable, "-m", "crmwh.baseline", "--warehouse-dir", str(warehouse), "--as-of", str(as_of)]


def _env(warehouse: Path) -> dict[str, str]:
    from crmwh.dbt_runner import dbt_env

    return dbt_env(warehouse)


def run_once(customers: int, run_dir: Path, as_of: dt.date, seed: int, log=print, engine: str = "duckdb") -> dict:
    """One run at one scale; returns {step: Measured as dict, 'rows': ..., ...}.

    On postgres and spark: load lands the raw tables there too (`--postgres`, `--parquet`),
    build is `dbt build --target <engine> --full-refresh`, and the incremental night is
    `crmwh load` of night 2 then `dbt build --target <engine>` as of D (no publish).
    """
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    exports, warehouse, logs = run_dir / "exports", run_dir / "warehouse", run_dir / "logs"
    logs.mkdir()
    night_1, night_2 = run_dir / "night_1", run_dir / "night_2"
    previous = as_of - dt.timedelta(days=1)
    result: dict = {"customers": customers}

    def step(name: str, command: list[str], env: dict | None = None, record: bool = True) -> Measured:
        measured = run_measured(command, logs / f"{name}.log", env)
        if record:
            result[name] = measured.__dict__
        log(f"  {name:<12} {measured.seconds:>9.1f} s  peak RSS {measured.peak_rss_mb:>8.0f} MB"
            + ("" if measured.returncode == 0 else f"  FAILED (exit {measured.returncode}, see {logs / (name + '.log')})"))
        if measured.returncode != 0:
            raise BenchError(f"{name} failed at {customers:,} customers (exit {measured.returncode}); "
                             f"log: {logs / (name + '.log')}")
        return measured

    step("generate", _crmwh("generate", "--customers", str(customers), "--as-of", str(as_of),
                            "--seed", str(seed), "--out", str(exports)))
    generated = json.loads((exports / "_generated.json").read_text(encoding="utf-8"))
    result["rows"] = generated["rows"]
    started = time.perf_counter()
    result["nights"] = {e: {"night_1": a, "night_2": b}
                        for e, (a, b) in split_last_day(exports, as_of, night_1, night_2).items()}
    log(f"  {'(split)':<12} {time.perf_counter() - started:>9.1f} s  (not timed: preparing the two nights)")
    warehouse.mkdir()
    env = _env(warehouse)
    load_flags = ENGINE_LOAD_FLAGS[engine]
    step("load", _crmwh("load", "--exports", str(night_1), "--warehouse-dir", str(warehouse), *load_flags))
    step("build", _build_command(warehouse, previous, engine), env)
    result["build_nodes"] = build_node_seconds(warehouse / "dbt" / "target" / "run_results.json")
    if engine != "duckdb":
        load_2 = step("incremental_load", _crmwh("load", "--exports", str(night_2), "--warehouse-dir",
                                                 str(warehouse), *load_flags), record=False)
        build_2 = step("incremental_build", _build_command(warehouse, as_of, engine, full_refresh=False), env,
                       record=False)
        result["incremental"] = Measured(
            round(load_2.seconds + build_2.seconds, 3), max(load_2.peak_rss_mb, build_2.peak_rss_mb),
            max(load_2.max_process_rss_mb, build_2.max_process_rss_mb), 0).__dict__
        result["incremental_steps"] = {"load": load_2.seconds, "build": build_2.seconds}
        result["warehouse_mb"] = round(sum(f.stat().st_size for f in warehouse.rglob("*") if f.is_file()) / 1e6, 1)
        return result
    step("publish", _crmwh("publish", "--warehouse-dir", str(warehouse)))
    step("baseline", _baseline_command(warehouse, previous), env)
    step("incremental", _crmwh("nightly", "--exports", str(night_2), "--as-of", str(as_of),
                               "--warehouse-dir", str(warehouse), "--skip-quality"), env)
    report = json.loads((warehouse / "reports" / "latest.json").read_text(encoding="utf-8"))
    result["incremental_steps"] = report.get("durations", {})
    result["published_rows"] = report.get("published_tables", {})
    result["warehouse_mb"] = round((warehouse / BUILD_DB_NAME).stat().st_size / 1e6, 1)
    return result


def build_node_seconds(run_results: Path) -> dict:
    """The full build's profile from dbt's run_results.json: seconds per model, and the
    count and total seconds of the data tests."""
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    models = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 3)
              for r in results if r["unique_id"].startswith("model.")}
    tests = [r["execution_time"] for r in results if r["unique_id"].startswith("test.")]
    return {"models": models, "tests": len(tests), "tests_seconds": round(sum(tests), 3)}


class BenchError(Exception):
    """A step of the benchmark failed."""


# --------------------------------------------------------------------------- summary


def _stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "runs": values}


def _night_steps(steps: list[str]) -> list[str]:
    """The steps of a full night among those measured (no publish off DuckDB)."""
    return [name for name in ("load", "build", "publish") if name in steps]


def summarise(runs: list[dict]) -> dict:
    steps = [name for name in STEPS if name in runs[0]]
    summary: dict = {"customers": runs[0]["customers"], "runs": len(runs), "rows": runs[0]["rows"],
                     "nights": runs[0]["nights"], "steps": {}}
    for name in steps:
        summary["steps"][name] = {
            "seconds": _stats([r[name]["seconds"] for r in runs]),
            "peak_rss_mb": _stats([r[name]["peak_rss_mb"] for r in runs]),
        }
    night = _night_steps(steps)
    full = [sum(r[s]["seconds"] for s in night) for r in runs]
    summary["full_night"] = {
        "seconds": _stats(full),
        "peak_rss_mb": _stats([max(r[s]["peak_rss_mb"] for s in night) for r in runs]),
    }
    summary["incremental_over_full"] = _stats([r["incremental"]["seconds"] / f for r, f in zip(runs, full, strict=True)])
    if "baseline" in steps:
        summary["warehouse_over_baseline"] = _stats([r["build"]["seconds"] / r["baseline"]["seconds"] for r in runs])
    summary["incremental_steps"] = {
        k: _stats([r["incremental_steps"].get(k, 0.0) for r in runs]) for k in runs[0]["incremental_steps"]
    }
    summary["warehouse_mb"] = runs[-1]["warehouse_mb"]
    profiles = [r["build_nodes"] for r in runs if "build_nodes" in r]
    if profiles:
        models = {name: _stats([p["models"].get(name, 0.0) for p in profiles]) for name in profiles[0]["models"]}
        slowest = sorted(models.items(), key=lambda item: (-item[1]["median"], item[0]))[:SLOWEST_MODELS]
        summary["slowest_models"] = [{"model": name, "seconds": stat} for name, stat in slowest]
        summary["models_seconds"] = _stats([round(sum(p["models"].values()), 3) for p in profiles])
        summary["tests_seconds"] = _stats([p["tests_seconds"] for p in profiles])
        summary["tests"] = profiles[0]["tests"]
    return summary


def machine(engine: str = "duckdb") -> dict:
    import duckdb

    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "cpus": os.cpu_count(),
        "cpu_model": None,
        "memory_gb": None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "crmwh_threads": os.environ.get("CRMWH_THREADS", "(profile default)"),
        "crmwh_memory_limit": os.environ.get("CRMWH_MEMORY_LIMIT", "(profile default)"),
    }
    try:
        from importlib.metadata import version

        info["dbt_core"] = version("dbt-core")
        info["dbt_duckdb"] = version("dbt-duckdb")
        if engine == "postgres":
            info["dbt_postgres"] = version("dbt-postgres")
            from crmwh.postgres import pg_connect

            con = pg_connect()
            try:
                with con.cursor() as cursor:
                    cursor.execute("show server_version")
                    info["postgresql"] = cursor.fetchone()[0]
            finally:
                con.close()
        if engine == "spark":
            info["dbt_spark"] = version("dbt-spark")
            info["pyspark"] = version("pyspark")
    except Exception:  # noqa: BLE001 - informative only
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def _fmt(stat: dict, digits: int = 1) -> str:
    return f"{stat['median']:,.{digits}f} ({stat['min']:,.{digits}f}–{stat['max']:,.{digits}f})"


def write_markdown(results: dict, path: Path, chart: Path | None) -> None:
    scales = results["scales"]
    engine = results["config"].get("engine", "duckdb")
    steps = [name for name in STEPS if name in scales[0]["steps"]]
    night = _night_steps(steps)
    head = ["step"] + [f"{s['customers']:,} customers" for s in scales]
    engine_flag = "" if engine == "duckdb" else f" --engine {engine}"
    lines = [
        "# crmwh benchmark" + ("" if engine == "duckdb" else f" on {ENGINE_NAMES[engine]}"),
        "",
        f"Produced by `crmwh bench{engine_flag} --scales {','.join(str(s['customers']) for s in scales)}"
        f" --runs {results['config']['runs']}`"
        f" on {results['started_at']} (UTC). Each cell: median (min–max) over {results['config']['runs']} run(s); "
        "seconds of wall time, peak RSS in MB of the step's process tree.",
        "",
        "## Time (s)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    rows = [(name, lambda s, n=name: s["steps"][n]["seconds"]) for name in steps]
    rows.insert(steps.index(night[-1]) + 1,
                (f"full night ({' + '.join(night)})", lambda s: s["full_night"]["seconds"]))
    for label, get in rows:
        lines.append("| " + " | ".join([label] + [_fmt(get(s)) for s in scales]) + " |")
    lines += ["", "## Peak memory (RSS, MB)", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in steps:
        lines.append("| " + " | ".join([name] + [_fmt(s["steps"][name]["peak_rss_mb"], 0) for s in scales]) + " |")
    lines += ["", "## Ratios", "", "| " + " | ".join(["ratio"] + head[1:]) + " |", "|" + "---|" * len(head)]
    if "baseline" in steps:
        lines.append("| " + " | ".join(["warehouse / baseline (full build / baseline script)"]
                                        + [_fmt(s["warehouse_over_baseline"], 2) for s in scales]) + " |")
    lines.append("| " + " | ".join(["incremental night / full night"]
                                    + [_fmt(s["incremental_over_full"], 2) for s in scales]) + " |")
    incremental_steps = sorted({k for s in scales for k in s["incremental_steps"]})
    if incremental_steps:
        lines += ["", "## The incremental night's steps (s)", "", "| " + " | ".join(head) + " |",
                  "|" + "---|" * len(head)]
        for k in incremental_steps:
            lines.append("| " + " | ".join([k] + [_fmt(s["incremental_steps"][k]) if k in s["incremental_steps"]
                                                  else "" for s in scales]) + " |")
    if all("slowest_models" in s for s in scales):
        lines += ["", "## The full build's slowest models (s, dbt's run_results.json)", "",
                  "| " + " | ".join(["rank"] + head[1:]) + " |", "|" + "---|" * len(head)]
        for rank in range(SLOWEST_MODELS):
            cells = [f"{s['slowest_models'][rank]['model']} {_fmt(s['slowest_models'][rank]['seconds'])}"
                     if rank < len(s["slowest_models"]) else "" for s in scales]
            lines.append("| " + " | ".join([str(rank + 1)] + cells) + " |")
        lines.append("| " + " | ".join(["all models"] + [_fmt(s["models_seconds"]) for s in scales]) + " |")
        lines.append("| " + " | ".join(["data tests"] + [f"{s['tests']} tests: {_fmt(s['tests_seconds'])}"
                                                         for s in scales]) + " |")
    entities = sorted({e for s in scales for e in s["rows"]})
    lines += ["", "## Rows generated per entity (about 3 years of history)", "",
              "| " + " | ".join(["entity"] + head[1:]) + " |", "|" + "---|" * len(head)]
    for entity in entities:
        lines.append("| " + " | ".join([entity] + [f"{s['rows'].get(entity, 0):,}" for s in scales]) + " |")
    lines.append("| " + " | ".join(["**total**"] + [f"**{sum(s['rows'].values()):,}**" for s in scales]) + " |")
    lines.append("| " + " | ".join(["night 2 rows (the incremental night's exports)"]
                                    + [f"{sum(v['night_2'] for v in s['nights'].values()):,}" for s in scales]) + " |")
    lines.append("| " + " | ".join([("build.duckdb" if engine == "duckdb" else "warehouse directory")
                                     + " size (MB, after both nights)"]
                                    + [f"{s['warehouse_mb']:,.0f}" for s in scales]) + " |")
    if chart is not None:
        lines += ["", "## Scaling", "", f"![time vs customers, log-log]({chart.name})"]
    m = results["machine"]
    lines += [
        "",
        "## Machine",
        "",
        f"- {m.get('cpu_model')}, {m.get('cpus')} CPUs, {m.get('memory_gb')} GB RAM; {m.get('platform')}",
        f"- Python {m.get('python')}, DuckDB {m.get('duckdb')}, dbt-core {m.get('dbt_core')}, dbt-duckdb {m.get('dbt_duckdb')}"
        + "".join(f", {k} {m[k]}" for k in ("dbt_postgres", "postgresql", "dbt_spark", "pyspark") if m.get(k)),
        f"- DuckDB threads (CRMWH_THREADS): {m.get('crmwh_threads')}; memory limit (CRMWH_MEMORY_LIMIT): "
        f"{m.get('crmwh_memory_limit')}; dbt threads: 1",
        f"- load average when the benchmark started: {m.get('load_average_at_start')} (the machine may be shared)",
        "",
        "## What is measured",
        "",
        "- generate: `crmwh generate` of the full export set (as of the night D).",
        "- load: `crmwh load` of night 1 (everything exported by D - 1) into an empty warehouse"
        + {"duckdb": ".", "postgres": ", then the raw tables copied to PostgreSQL (`--postgres`).",
           "spark": ", then the raw tables written as Parquet for Spark (`--parquet`)."}[engine],
        "- build: `dbt build --full-refresh` (seeds, models, data tests; unit tests excluded as in `crmwh nightly`)"
        + ("." if engine == "duckdb" else f" with `--target {engine}`."),
    ]
    if engine != "duckdb":
        lines += [
            "- full night = load + build. There is no publish step: BI tools read the engine's own tables, and"
            " the baseline script is DuckDB SQL, so it is measured by the DuckDB benchmark only.",
            f"- incremental: `crmwh load{' '.join([''] + ENGINE_LOAD_FLAGS[engine])}` of night 2 (the rows new or"
            f" changed on D), then `dbt build --target {engine}` as of D (incremental models append what changed"
            + ("; on Spark they are plain tables, rebuilt)." if engine == "spark" else ")."),
        ]
    else:
        lines += [
            "- publish: `crmwh publish` (marts copied to serving.duckdb, audited, replaced atomically).",
            "- full night = load + build + publish (what `crmwh nightly --full-refresh --skip-quality` runs,"
            " without the source-freshness check).",
            "- baseline: `scripts/crmwh/baseline.sql`, one hand-tuned DuckDB script computing the core (value"
            " tiers, lifecycle stages and segments over history, cadence compliance per period, monthly KPIs) from"
            " the same landed raw rows, outside dbt; warehouse / baseline = build time / baseline time.",
            "- incremental: `crmwh nightly` of night 2 (the rows new or changed on D) as of D: load, incremental"
            " build with tests, source freshness, publish (`--skip-quality`).",
        ]
    lines.append(
        "- peak RSS: the largest sum of the resident memory of a step's processes (polled every"
        f" {POLL_SECONDS} s from /proc), at least the kernel's peak RSS of its largest process"
        + {"duckdb": ".",
           "postgres": ". The PostgreSQL server's own processes are not children of the step and are not counted.",
           "spark": " (the Spark JVM included)."}[engine]
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def draw_chart(results: dict, path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    scales = results["scales"]
    customers = [s["customers"] for s in scales]
    figure, axes = plt.subplots(figsize=(8, 5.5))
    steps = [name for name in STEPS if name in scales[0]["steps"]]
    series = [(name, [s["steps"][name]["seconds"] for s in scales]) for name in steps]
    series.insert(steps.index("build") + (2 if "publish" in steps else 1),
                  ("full night", [s["full_night"]["seconds"] for s in scales]))
    for name, stats in series:
        medians = [st["median"] for st in stats]
        errors = [[m - st["min"] for m, st in zip(medians, stats, strict=True)],
                  [st["max"] - m for m, st in zip(medians, stats, strict=True)]]
        axes.errorbar(customers, medians, yerr=errors, marker="o", capsize=3, label=name,
                      linewidth=2.5 if name == "full night" else 1.2)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("customers")
    axes.set_ylabel("wall time (s), median, min-max bars")
    engine = results["config"].get("engine", "duckdb")
    axes.set_title(f"crmwh on {ENGINE_NAMES[engine]}: time vs customers (log-log)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


# --------------------------------------------------------------------------- command


def run_bench(scales: list[int], runs: int, out_dir: Path, work_dir: Path, as_of: dt.date = DEFAULT_AS_OF,
              seed: int = 42, keep: bool = False, log=print, engine: str = "duckdb") -> dict:
    if runs < 1:
        raise ValueError("runs must be >= 1")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}: {engine!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "started_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "config": {"scales": scales, "runs": runs, "as_of": str(as_of), "seed": seed, "engine": engine},
        "machine": machine(engine),
        "scales": [],
    }
    for customers in scales:
        measured = []
        for number in range(1, runs + 1):
            log(f"== {customers:,} customers, run {number}/{runs}")
            run_dir = work_dir / f"c{customers}" / f"run{number}"
            measured.append(run_once(customers, run_dir, as_of, seed, log=log, engine=engine))
            if not keep:
                shutil.rmtree(run_dir, ignore_errors=True)
        results["scales"].append(summarise(measured))
        # written after every scale: a long benchmark stopped halfway keeps what it measured
        (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    chart = draw_chart(results, out_dir / "results.png")
    write_markdown(results, out_dir / "results.md", chart)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out_dir / 'results.md'}, {out_dir / 'results.json'}" + (f", {chart}" if chart else ""))
    return results


def parse_scales(text: str) -> list[int]:
    scales = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        factor = 1
        if part.endswith("k"):
            part, factor = part[:-1], 1_000
        elif part.endswith("m"):
            part, factor = part[:-1], 1_000_000
        value = int(float(part) * factor)
        if value < 1:
            raise ValueError(f"scale must be >= 1 customer: {text!r}")
        scales.append(value)
    return scales
