"""Smoke test of `crmwh bench` at a tiny scale: the command runs end to end and writes its
three files with sane content. No timing is asserted (the benchmark is a command, not a
test); the splitting of the two nights is checked on exact rows."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb

from crmwh.bench import parse_scales, split_last_day, summarise, tree_rss_kb, write_markdown

CUSTOMERS = 200


def test_parse_scales():
    assert parse_scales("10k,100k,1m") == [10_000, 100_000, 1_000_000]
    assert parse_scales("200") == [200]


def test_split_last_day(tmp_path: Path):
    source = tmp_path / "full"
    source.mkdir()
    (source / "orders.csv").write_text(
        "order_id,customer_id,order_date,amount,product_category,status,rep_id,updated_at\n"
        "o1,c1,2026-11-20,10,a,completed,r1,2026-11-20 10:00:00\n"
        'o2,c1,2026-11-23,20,"b, c",completed,r1,2026-11-23 09:00:00\n'
        "o3,c2,2026-11-23,30,a,completed,r1,2026/11/23 08:00\n"
        "o4,broken line\n"
        "o5,c2,2026-11-22,40,a,completed,r1,not a date\n",
        encoding="utf-8",
    )
    (source / "sales_reps.csv").write_text("rep_id,rep_name\nr1,Li\n", encoding="utf-8")
    counts = split_last_day(source, dt.date(2026, 11, 23), tmp_path / "n1", tmp_path / "n2")
    assert counts == {"orders": (3, 2), "sales_reps": (1, 0)}
    night_1 = (tmp_path / "n1" / "orders.csv").read_text(encoding="utf-8").splitlines()
    night_2 = (tmp_path / "n2" / "orders.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in night_1[1:]] == ["o1", "o4", "o5"]
    assert [line.split(",")[0] for line in night_2[1:]] == ["o2", "o3"]
    assert night_2[1] == 'o2,c1,2026-11-23,20,"b, c",completed,r1,2026-11-23 09:00:00'  # verbatim
    assert not (tmp_path / "n2" / "sales_reps.csv").exists()


def test_tree_rss_sees_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(60_000_000); time.sleep(3)"])
    try:
        import time

        time.sleep(1.5)
        assert tree_rss_kb(child.pid) > 50_000  # the 60 MB buffer is resident
    finally:
        child.wait()


def test_summarise_median_min_max():
    def run(seconds: float) -> dict:
        step = {"seconds": seconds, "peak_rss_mb": 100.0}
        return {"customers": 10, "rows": {"customers": 10}, "nights": {}, "warehouse_mb": 1.0,
                "incremental_steps": {"build": seconds / 10},
                **{name: dict(step) for name in ("generate", "load", "build", "publish", "baseline", "incremental")}}

    runs = [run(3.0), run(1.0), run(2.0)]
    # the full build's profile: b is slowest in two runs of three and has the larger median (8 against 5)
    for (a, b, c), r in zip([(5.0, 9.0, 1.0), (4.0, 1.0, 1.0), (6.0, 8.0, 0.5)], runs, strict=True):
        r["build_nodes"] = {"models": {"a": a, "b": b, "c": c}, "tests": 7, "tests_seconds": a / 10}
    summary = summarise(runs)
    assert summary["steps"]["build"]["seconds"] == {"median": 2.0, "min": 1.0, "max": 3.0, "runs": [3.0, 1.0, 2.0]}
    assert [(m["model"], m["seconds"]["median"]) for m in summary["slowest_models"]] == [("b", 8.0), ("a", 5.0),
                                                                                        ("c", 1.0)]
    assert summary["slowest_models"][0]["seconds"]["min"] == 1.0
    assert summary["models_seconds"]["runs"] == [15.0, 6.0, 14.5]
    assert summary["tests_seconds"]["median"] == 0.5 and summary["tests"] == 7
    # full night = load + build + publish of each run
    assert summary["full_night"]["seconds"]["median"] == 6.0
    # warehouse / baseline = build / baseline of each run: 1 here
    assert summary["warehouse_over_baseline"]["median"] == 1.0
    assert summary["incremental_over_full"]["median"] == round(2.0 / 6.0, 3)


def test_other_engine_has_no_publish_or_baseline(tmp_path: Path):
    """--engine postgres/spark: full night = load + build, no baseline ratio in the report."""
    def run(load: float, build: float, incremental: float) -> dict:
        return {"customers": 100_000, "rows": {"customers": 100_000}, "nights": {"customers": {"night_1": 9, "night_2": 1}},
                "warehouse_mb": 50.0, "incremental_steps": {"load": 1.0, "build": incremental - 1.0},
                "generate": {"seconds": 20.0, "peak_rss_mb": 500.0}, "load": {"seconds": load, "peak_rss_mb": 900.0},
                "build": {"seconds": build, "peak_rss_mb": 4000.0},
                "incremental": {"seconds": incremental, "peak_rss_mb": 4100.0}}

    summary = summarise([run(100.0, 1900.0, 500.0), run(80.0, 1700.0, 450.0), run(90.0, 2000.0, 600.0)])
    assert sorted(summary["steps"]) == ["build", "generate", "incremental", "load"]
    assert summary["full_night"]["seconds"]["runs"] == [2000.0, 1780.0, 2090.0]
    assert summary["full_night"]["peak_rss_mb"]["median"] == 4000.0
    # 500 / 2000 = 0.25, 450 / 1780 = 0.2528, 600 / 2090 = 0.2871
    assert summary["incremental_over_full"]["median"] == 0.253
    assert "warehouse_over_baseline" not in summary

    results = {"started_at": "2026-11-24 20:00", "machine": {"cpus": 2},
               "config": {"scales": [100_000], "runs": 3, "engine": "spark"}, "scales": [summary]}
    write_markdown(results, tmp_path / "results.md", None)
    markdown = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert markdown.startswith("# crmwh benchmark on Apache Spark (local)")
    assert "`crmwh bench --engine spark --scales 100000 --runs 3`" in markdown
    assert "| full night (load + build) | 2,000.0 (1,780.0–2,090.0) |" in markdown
    assert "| incremental night / full night | 0.25 (0.25–0.29) |" in markdown
    assert "publish" not in markdown.split("## What is measured")[0]
    assert "baseline" not in markdown.split("## What is measured")[0]


def test_bench_writes_results(tmp_path: Path):
    out = tmp_path / "benchmarks"
    result = subprocess.run(
        [sys.executable, "-m", "crmwh.cli", "bench", "--scales", str(CUSTOMERS), "--runs", "1",
         "--out", str(out), "--work-dir", str(tmp_path / "work"), "--keep"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["config"]["scales"] == [CUSTOMERS]
    assert results["config"]["runs"] == 1
    assert results["machine"]["cpus"] >= 1
    (scale,) = results["scales"]
    assert scale["customers"] == CUSTOMERS
    # the generator's own row counts, every entity of the contract
    generated = json.loads((tmp_path / "work" / f"c{CUSTOMERS}" / "run1" / "exports" / "_generated.json")
                           .read_text(encoding="utf-8"))["rows"]
    assert scale["rows"] == generated
    assert len(scale["rows"]) == 12 and generated["customers"] >= CUSTOMERS
    for name in ("generate", "load", "build", "publish", "baseline", "incremental"):
        seconds = scale["steps"][name]["seconds"]
        assert len(seconds["runs"]) == 1 and seconds["runs"][0] > 0
        assert seconds["min"] == seconds["median"] == seconds["max"]
        # every step is a Python process of at least a few MB resident
        assert scale["steps"][name]["peak_rss_mb"]["median"] > 10
    assert scale["full_night"]["seconds"]["median"] == round(
        sum(scale["steps"][s]["seconds"]["median"] for s in ("load", "build", "publish")), 3)
    assert scale["warehouse_over_baseline"]["median"] > 0
    assert set(scale["incremental_steps"]) >= {"load", "build", "publish"}
    # the full build's profile: the slowest models first, every test counted
    slowest = [m["seconds"]["median"] for m in scale["slowest_models"]]
    assert len(slowest) == 5 and slowest == sorted(slowest, reverse=True) and slowest[0] > 0
    assert scale["tests"] > 100 and scale["models_seconds"]["median"] >= sum(slowest)
    # the split: every row of night 2 is dated on the incremental night, and night 2 is small
    night_2_rows = sum(v["night_2"] for v in scale["nights"].values())
    assert 0 < night_2_rows < sum(v["night_1"] for v in scale["nights"].values())

    # the incremental night was published, and the baseline wrote its tables
    run = tmp_path / "work" / f"c{CUSTOMERS}" / "run1" / "warehouse"
    with duckdb.connect(str(run / "serving.duckdb"), read_only=True) as con:
        assert con.execute("select as_of_date from meta.published_night").fetchone()[0] == dt.date(2026, 11, 23)
    with duckdb.connect(str(run / "baseline.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from kpi_monthly").fetchone()[0] > 12
        assert con.execute("select count(distinct customer_id) from customer_states").fetchone()[0] > 100

    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert f"{CUSTOMERS:,} customers" in markdown
    for label in ("full night", "warehouse / baseline", "incremental night / full night", "## Machine",
                  "results.png", "| customers |", "## The full build's slowest models",
                  f"| 1 | {scale['slowest_models'][0]['model']} "):
        assert label in markdown, label
    png = (out / "results.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
