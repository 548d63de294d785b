"""Real nights end to end, exactly as the scheduler runs them (`crmwh nightly` subprocesses).

One small generated export set (as of 2026-11-23) is split into three nights
(nightly_exports.split_nights): night 1 = everything exported by 2026-10-30 (full
snapshot), night 2 = new and changed rows up to 2026-11-22, night 3 = one more day.

The tests share warehouses and run in file order:
  1. incremental nights 1 -> 2 give the same published marts as one full refresh over the
     same loads, while a reader process queries serving.duckdb in a loop (zero errors,
     only whole nights);
  2. night 3 is killed (kill -9) during load, during build and during publish, then run
     to completion: serving untouched by every killed run, nothing lost or duplicated
     (the same night run four times loads its files once), marts equal to a full
     refresh; a second run on a busy warehouse is refused;
  3. a corrupt file night is rejected with exit 2 and serving untouched byte for byte;
  4. a night whose data trips an error-level test is not published (exit 1) and the
     report names the step and the test;
  5. an unknown serving storage version is refused before anything is loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from nightly_exports import split_nights

from crmwh.contract import load_contract
from crmwh.generate import generate_exports
from crmwh.publish import PAUSE_ENV

NIGHTS = [dt.date(2026, 10, 30), dt.date(2026, 11, 22), dt.date(2026, 11, 23)]
CUSTOMERS = 120
PADDING_ROWS = 250_000  # orphan interactions on night 3: a load slow enough to be killed in
INCREMENTAL_FACTS = ("fct_interactions", "fct_orders", "fct_plan_attainment", "fct_cadence_compliance")
# run-dependent marts (history of test runs) are not compared between warehouses
NOT_COMPARED = {"mart_test_results"}
WALL_CLOCK_COLUMNS = {"loaded_at"}  # when a load ran (mart_load_reconciliation)
STATE: dict = {}


# --------------------------------------------------------------------------- helpers


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "crmwh.cli", *args]


def nightly_args(exports: Path, as_of: dt.date, warehouse: Path, *extra: str) -> list[str]:
    return _command("nightly", "--exports", str(exports), "--as-of", as_of.isoformat(),
                    "--warehouse-dir", str(warehouse), "--threads", "2", *extra)


class Night:
    """A `crmwh nightly` subprocess whose output is collected line by line."""

    def __init__(self, args: list[str], env: dict | None = None):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(env or {})},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            if any(regex.search(line) for line in list(self.lines)):
                return
            if self.proc.poll() is not None:
                self._reader.join(5)
                if any(regex.search(line) for line in self.lines):
                    return
                raise AssertionError(f"exited {self.proc.returncode} before {pattern!r}:\n{self.output[-4000:]}")
            time.sleep(0.02)
        raise AssertionError(f"no {pattern!r} within {timeout} s:\n{self.output[-4000:]}")

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self._reader.join(5)

    def finish(self, timeout: float = 600) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(database: Path, schemas=("marts",)) -> dict[str, list[tuple]]:
    """Every table of the schemas, rows sorted (as text, nulls first)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in (select unnest(?)) order by all", [list(schemas)]
        ).fetchall()
        out = {}
        for schema, name in tables:
            if name in NOT_COMPARED:
                continue
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                " order by ordinal_position", [schema, name]).fetchall() if c not in WALL_CLOCK_COLUMNS]
            rows = con.execute(f'select {", ".join(chr(34) + c + chr(34) for c in columns)} from "{schema}"."{name}"').fetchall()
            out[f"{schema}.{name}"] = sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))
        return out


def assert_same_marts(left: Path, right: Path) -> None:
    a, b = snapshot(left), snapshot(right)
    assert sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert not differing, f"marts differ: {differing}"


def query(database: Path, sql: str):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def raw_counts(build_db: Path) -> dict[str, int]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' and table_name not like '\\_%' escape '\\'"
        ).fetchall()]
        return {n: con.execute(f"select count(*) from raw.{n}").fetchone()[0] for n in sorted(names)}


def data_lines(*exports: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for directory in exports:
        for path in directory.glob("*.csv"):
            with open(path, encoding="utf-8-sig") as handle:
                counts[path.stem] = counts.get(path.stem, 0) + sum(1 for _ in handle) - 1
    return counts


def latest_report(warehouse: Path) -> dict:
    return json.loads((warehouse / "reports" / "latest.json").read_text(encoding="utf-8"))


READER = r"""
import json, sys, time, duckdb
serving, stop, out = sys.argv[1:4]
seen, errors, queries = {}, [], 0
sql = '''
select
    (select max(as_of_date) from meta.published_night),
    (select min(as_of_date) from marts.dim_customers),
    (select max(as_of_date) from marts.dim_customers),
    (select min(as_of_date) from marts.fct_orders),
    (select max(as_of_date) from marts.fct_orders),
    (select count(*) from marts.fct_orders),
    (select count(*) from marts.fct_interactions)
'''
import os
while not os.path.exists(stop):
    try:
        with duckdb.connect(serving, read_only=True) as con:
            row = con.execute(sql).fetchone()
        queries += 1
        key = json.dumps([str(v) for v in row])
        seen[key] = seen.get(key, 0) + 1
    except Exception as exc:
        errors.append(repr(exc)[:300])
    time.sleep(0.01)
json.dump({"queries": queries, "errors": errors, "seen": seen}, open(out, "w"))
"""


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("exports")
    generate_exports(root / "full", customers=CUSTOMERS, as_of=NIGHTS[-1], seed=7)
    split = split_nights(root / "full", NIGHTS, root / "split")
    # night 3 also carries many orphan interactions (quarantined): its load takes seconds
    padded = split[2] / "interactions.csv"
    if not padded.exists():
        padded.write_text(",".join(load_contract()["interactions"].column_names) + "\n", encoding="utf-8")
    with open(padded, "a", encoding="utf-8") as handle:
        for n in range(PADDING_ROWS):
            handle.write(f"PAD{n:07d},C9999990,R001,2026-11-23 09:00:00,2026-11-23 10:00:00,phone,outbound,padding,,,\n")
    return split


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("warehouses")
    return {name: root / name for name in ("incremental", "full2", "full3")}


# --------------------------------------------------------------------------- 1


def test_incremental_nights_equal_full_refresh_with_reader(nights, warehouses, tmp_path):
    inc, full2 = warehouses["incremental"], warehouses["full2"]
    night1 = Night(nightly_args(nights[0], NIGHTS[0], inc))  # with the GX checkpoint
    assert night1.finish() == 0, night1.output[-5000:]
    out = night1.output
    for step in ("[1/5] load", "[2/5] dbt build", "[3/5] source freshness", "[4/5] data-quality", "[5/5] publish"):
        assert step in out
    report = latest_report(inc)
    assert report["status"] == "published" and report["published"] and report["failed_step"] is None
    assert set(report["durations"]) == {"load", "build", "freshness", "quality", "publish"}
    assert report["rows"]["interactions"]["landed"] > 0 and report["tests"]["pass"] > 100
    assert report["quality"]["passed"] > 0
    # source freshness ran for every export table (fresh: loaded minutes ago)
    assert len(report["freshness"]) >= 12 and set(report["freshness"].values()) == {"pass"}
    assert report["published_tables"]["marts.fct_interactions"] > 0
    serving = inc / "serving.duckdb"
    night1_orders = query(serving, "select count(*) from marts.fct_orders")[0][0]
    assert query(serving, "select as_of_date from meta.published_night") == [(NIGHTS[0],)]

    # night 2 incremental while a reader loops on serving.duckdb; meanwhile the same loads
    # are built by one full refresh in another warehouse
    stop, result = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving), str(stop), str(result)])
    load1 = subprocess.run(_command("load", "--exports", str(nights[0]), "--warehouse-dir", str(full2)),
                           capture_output=True, text=True, check=False)
    assert load1.returncode == 0, load1.stderr
    night2 = Night(nightly_args(nights[1], NIGHTS[1], inc, "--skip-quality"))
    reference = Night(nightly_args(nights[1], NIGHTS[1], full2, "--skip-quality", "--full-refresh"))
    assert night2.finish() == 0, night2.output[-5000:]
    time.sleep(1.0)
    stop.touch()
    reader.wait(60)
    assert reference.finish() == 0, reference.output[-5000:]

    state = query(inc / "build.duckdb", "select model_name, last_load_id, last_as_of from audit.crm_incremental_state order by 1")
    assert state == [(m, 2, NIGHTS[1]) for m in sorted(INCREMENTAL_FACTS)]
    assert "incremental model marts.fct_interactions" in night2.output
    assert_same_marts(inc / "serving.duckdb", full2 / "serving.duckdb")
    night2_orders = query(serving, "select count(*) from marts.fct_orders")[0][0]
    assert night2_orders > night1_orders

    # the reader: zero errors, every answer one whole night
    seen = json.loads(result.read_text())
    assert seen["errors"] == []
    assert seen["queries"] > 50
    expected = {str(NIGHTS[0]): night1_orders, str(NIGHTS[1]): night2_orders}
    nights_seen = set()
    for key in seen["seen"]:
        meta, dim_min, dim_max, fct_min, fct_max, orders, _ = json.loads(key)
        assert meta == dim_min == dim_max == fct_min == fct_max, key
        assert int(orders) == expected[meta], key
        nights_seen.add(meta)
    assert nights_seen == set(expected)
    STATE["reader_queries"] = seen["queries"]
    print(f"reader: {seen['queries']} queries, 0 errors, nights seen {sorted(nights_seen)}")



# --------------------------------------------------------------------------- 2


def _assert_untouched(warehouse: Path, serving_sha: str, manifest_rows: int) -> None:
    assert sha256(warehouse / "serving.duckdb") == serving_sha
    assert query(warehouse / "build.duckdb", "select count(*) from raw._load_manifest")[0][0] == manifest_rows


def test_kill9_during_load_build_publish_then_recovery(nights, warehouses):
    inc, full3 = warehouses["incremental"], warehouses["full3"]
    serving = inc / "serving.duckdb"
    serving_sha = sha256(serving)
    manifest = query(inc / "build.duckdb", "select count(*) from raw._load_manifest")[0][0]
    raw_before = raw_counts(inc / "build.duckdb")

    # the full-refresh reference of the three nights' loads, built meanwhile
    for night in nights[:2]:
        subprocess.run(_command("load", "--exports", str(night), "--warehouse-dir", str(full3)), check=True,
                       capture_output=True)
    reference = Night(nightly_args(nights[2], NIGHTS[2], full3, "--skip-quality", "--full-refresh"))

    # kill -9 during the load: the transaction is rolled back, nothing of night 3 is there
    run = Night(nightly_args(nights[2], NIGHTS[2], inc, "--skip-quality"))
    run.wait_for(r"\[1/5\] load")
    time.sleep(1.0)
    assert run.proc.poll() is None, "the load finished before it could be killed"
    run.kill9()
    assert "load 3 into" not in run.output
    _assert_untouched(inc, serving_sha, manifest)
    assert raw_counts(inc / "build.duckdb") == raw_before

    # kill -9 during dbt build (dbt dies with its parent)
    run = Night(nightly_args(nights[2], NIGHTS[2], inc, "--skip-quality"))
    run.wait_for(r"START sql (table|incremental) model marts\.", timeout=300)
    run.kill9()
    time.sleep(0.5)
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _is_dbt_of(p, inc)], "dbt survived"
    _assert_untouched(inc, serving_sha, manifest + len(list(nights[2].glob("*.csv"))))

    # kill -9 during publish, after the new copy is written, before the rename
    run = Night(nightly_args(nights[2], NIGHTS[2], inc, "--skip-quality"), env={PAUSE_ENV: "publish"})
    run.wait_for("paused at publish", timeout=400)
    busy = subprocess.run(nightly_args(nights[2], NIGHTS[2], inc, "--skip-quality"), capture_output=True,
                          text=True, check=False, timeout=60)
    assert busy.returncode == 1 and "another crmwh nightly is running" in busy.stderr
    run.kill9()
    assert list(inc.glob(".serving.duckdb.*.tmp*")), "the killed publish left its temporary file"
    _assert_untouched(inc, serving_sha, manifest + len(list(nights[2].glob("*.csv"))))

    # the next run completes: stale temporary removed, night 3 published
    run = Night(nightly_args(nights[2], NIGHTS[2], inc, "--skip-quality"))
    assert run.finish() == 0, run.output[-5000:]
    assert "removed the temporary file of an unfinished publish" in run.output
    # the same night a fourth time: its files were loaded by the run killed during build
    assert "nothing new, every file was loaded before" in run.output
    assert not list(inc.glob(".serving.duckdb.*.tmp*"))
    assert query(serving, "select as_of_date from meta.published_night") == [(NIGHTS[2],)]
    # nothing lost, nothing duplicated: raw holds every data line of the three nights once
    assert raw_counts(inc / "build.duckdb") == data_lines(*nights)
    assert query(inc / "build.duckdb", "select count(distinct load_id), count(*) from raw._load_manifest") == [
        (3, sum(len(list(n.glob("*.csv"))) for n in nights))
    ]
    assert reference.finish() == 0, reference.output[-5000:]
    assert_same_marts(serving, full3 / "serving.duckdb")


def _is_dbt_of(proc: Path, warehouse: Path) -> bool:
    try:
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        environ = (proc / "environ").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return "dbt" in cmdline and str(warehouse.resolve()) in environ


# --------------------------------------------------------------------------- 3


def test_corrupt_file_night_is_rejected_and_serving_untouched(warehouses, tmp_path):
    inc = warehouses["incremental"]
    serving_sha = sha256(inc / "serving.duckdb")
    manifest = query(inc / "build.duckdb", "select count(*) from raw._load_manifest")[0][0]
    exports = tmp_path / "corrupt"
    exports.mkdir()
    (exports / "orders.csv").write_bytes(b"order_id,customer_id\n\x00\x01\x02garbage\xff\xfe\n")
    result = subprocess.run(nightly_args(exports, NIGHTS[2], inc), capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    assert "FAILED at load" in result.stderr and "orders.csv" in result.stderr
    _assert_untouched(inc, serving_sha, manifest)
    report = latest_report(inc)
    assert report["failed_step"] == "load" and not report["published"]
    assert "orders.csv" in report["message"]


# --------------------------------------------------------------------------- 4


def test_error_level_test_blocks_publish(nights, warehouses, tmp_path):
    inc = warehouses["incremental"]
    serving_sha = sha256(inc / "serving.duckdb")
    # a re-export of every customer with 70 % of contact_title empty (error_below = 0.50)
    exports = tmp_path / "incomplete"
    exports.mkdir()
    lines = (nights[0] / "customers.csv").read_text(encoding="utf-8").splitlines()
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
    title, updated = header.index("contact_title"), header.index("updated_at")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for n, row in enumerate(body):
        row[updated] = "2026-11-23 20:00:00"
        if n % 10 < 7:
            row[title] = ""
        writer.writerow(row)
    (exports / "customers.csv").write_text(out.getvalue(), encoding="utf-8")

    result = Night(nightly_args(exports, NIGHTS[2], inc, "--skip-quality"))
    assert result.finish() == 1, result.output[-5000:]
    assert sha256(inc / "serving.duckdb") == serving_sha
    report = latest_report(inc)
    assert report["failed_step"] == "build" and not report["published"]
    assert any(t.startswith("completeness") for t in report["failed_tests"]), report["failed_tests"]
    assert "error-level test(s) failed" in report["message"] and "completeness" in report["message"]
    assert any("contact_title" in miss and "error floor" in miss for miss in report["completeness_misses"])
    assert "FAILED at build" in result.output


# --------------------------------------------------------------------------- 5


def test_unknown_serving_storage_version_is_refused_before_loading(warehouses, nights):
    inc = warehouses["incremental"]
    serving_sha = sha256(inc / "serving.duckdb")
    result = subprocess.run(nightly_args(nights[0], NIGHTS[0], inc, "--serving-storage-version", "v0.9.0"),
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "--serving-storage-version 'v0.9.0' is not accepted" in result.stderr
    assert "[1/5] load" not in result.stdout
    assert sha256(inc / "serving.duckdb") == serving_sha
    assert query(inc / "serving.duckdb", "select storage_version from meta.published_night") == [("v1.0.0",)]
