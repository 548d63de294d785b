"""Deterministic sample CRM exports: `generate_exports()` (CLI: `crmwh generate`).

Writes one file per entity of the raw export contract (`contract.load_contract()`), in
contract column order, every value as text the way a CRM exports it, with about three
years of history ending at `as_of` (nothing is dated after `as_of`). The same arguments
always give byte-identical files: all randomness comes from `numpy.random.default_rng`
streams derived from `seed`, and no wall-clock time is used. Generation is vectorised
(numpy + DuckDB), so 1,000,000 customers take a few minutes.

What the data exercises (see `generate_sim.py`): per-rep diligence (cadence keeping, late
logging, lead/proposal speed), a long-tailed spend distribution (a few % tier A, ~20 % B),
seasonality (Q4 high, February low), churned / won-back / new / loyal customers,
cross-sell over six product categories, monthly-visit A accounts, quarterly B, occasional
C contacts, an 18-month maintenance plan, leads (~19 % converted), opportunities in every
stage, complaints inside and outside their SLAs, CSAT/NPS surveys, campaigns with an
invitation funnel, and quarter-end tier reviews with approved and pending A downgrades.

Text forms: timestamps mostly `2025-03-18 14:05:00`, some `2025-03-18T14:05:00+08:00`,
some `2025/3/18 14:05`; dates `2025-03-18`, some `2025/3/18`; money `1250.00`, some
`1,250.00` and `¥1,250.00`; booleans `true`/`false`, some `1`/`0` and `是`/`否`; empty
field = missing. The style is chosen per row.

Dirt (only when `dirt_rate` > 0; counts scale with `dirt_rate`, r = 0.02 by default;
"min 1" = at least one such row whenever r > 0; every injected count is written to
`_generated.json` under "dirt"):

- completeness: on `customers` exactly three required columns are clearly below the 90 %
  target: `contact_title` ~80 % filled, `initial_need` ~75 %, `email` ~86 % (missing
  shares 0.20 / 0.25 / 0.14 at r = 0.02, scaled by r / 0.02, capped at 0.9). Every other
  required non-key column of every entity except `sales_reps` loses r * 0.5 of its values
  (1 % at the default), so it stays >= 95 % filled (`sales_reps` is clean).
- missing keys (empty id): r * 0.05 of rows (min 1) in customers, orders, interactions,
  maintenance_plan, leads, opportunities, tickets, surveys, tier_reviews; missing
  placing dates (order_date, occurred_at, ...): r * 0.05 of rows (no minimum).
- unparseable dates/timestamps (`2025-13-45`, `N/A`, `昨天`, `2024-02-30`, `0000-00-00`):
  r * 0.1 of the cells of every date/timestamp column (min 1 in orders.order_date,
  interactions.occurred_at, tickets.opened_at, surveys.responded_at).
- unknown codes, r * 0.1 of rows: customers.industry `unknown_sector` (min 1),
  interactions.channel `fax` (min 1), orders.status `pending` (min 1), leads.grade `D`,
  tickets.severity `urgent`, maintenance_plan.channel `fax`, opportunities.stage `on_hold`.
- orphan customer ids (`C9999999`, `C9999998`): r * 0.1 of rows in orders, interactions,
  tickets (min 1 each) and surveys.
- out-of-range scores: surveys r * 0.25 of rows (min 1), one score cell each set to `6`,
  `0` or `-1` (1-5 scores) or `11` / `-1` (nps_score); campaign_members.feedback_score `6`
  on r * 0.1 of rows.
- negative amounts: orders r * 0.1 (min 1), opportunities r * 0.05.
- opportunities closed before they were created: r * 0.05 of the won/lost ones.
- re-exported versions: r * 0.5 of rows (min 1) of customers, orders, leads and
  opportunities appear again with a later `updated_at` and changed values (customers: new
  phone, sometimes new title / owner; orders: refunded or amount corrected; leads:
  disqualified or new owner; opportunities: amount revised, open stages advance). 70 % of
  the newer rows come at the end of the file, 30 % just before their older version.
- exact duplicate lines: r * 0.25 of rows (min 1) in customers, orders, interactions,
  maintenance_plan, leads, tickets, surveys and campaign_members (half right after the
  original, half at the end of the file).
- malformed lines (csv / csv.gz only): in customers, orders, interactions, leads and
  tickets, max(1, min(200, round(rows * r * 0.0005))) lines get an extra field
  (`,备注:见附件`) and as many lose their last field. Such a line replaces a record, which is
  therefore only in the malformed line.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from crmwh.contract import load_contract
from crmwh.generate_sim import DAY, HOUR, Sim, run_simulation
from crmwh.generate_writer import INT_NULL, Frame, connect, write_frame

FILE_FORMATS = {"csv": ".csv", "csv.gz": ".csv.gz", "parquet": ".parquet"}
BAD_DATES = ["2025-13-45", "N/A", "昨天", "2024-02-30", "0000-00-00"]
LOW_COMPLETENESS = {"contact_title": 0.20, "initial_need": 0.25, "email": 0.14}  # missing share at r=0.02
UNKNOWN_CODES = {
    ("customers", "industry"): ("unknown_sector", True),
    ("interactions", "channel"): ("fax", True),
    ("orders", "status"): ("pending", True),
    ("leads", "grade"): ("D", False),
    ("tickets", "severity"): ("urgent", False),
    ("maintenance_plan", "channel"): ("fax", False),
    ("opportunities", "stage"): ("on_hold", False),
}
ORPHANS = {"orders": True, "interactions": True, "tickets": True, "surveys": False}
MISSING_KEY_MIN1 = {"customers", "orders", "interactions", "maintenance_plan", "leads",
                    "opportunities", "tickets", "surveys", "tier_reviews"}
BAD_DATE_MIN1 = {("orders", "order_date"), ("interactions", "occurred_at"),
                 ("tickets", "opened_at"), ("surveys", "responded_at")}
VERSIONED = {"customers", "orders", "leads", "opportunities"}
DUPLICATED = {"customers", "orders", "interactions", "maintenance_plan", "leads", "tickets",
              "surveys", "campaign_members"}
MALFORMED = {"customers", "orders", "interactions", "leads", "tickets"}


def generate_exports(out_dir: Path, customers: int, as_of: dt.date, seed: int = 42,
                     dirt_rate: float = 0.02, encoding: str = "utf-8",
                     header_language: str = "en", file_format: str = "csv") -> dict[str, int]:
    """Write one file per entity (<entity>.csv etc.) into out_dir; return {entity: data rows written}."""
    out_dir = Path(out_dir)
    if customers < 1:
        raise ValueError("customers must be >= 1")
    if not 0 <= dirt_rate <= 1:
        raise ValueError("dirt_rate must be within 0..1")
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {sorted(FILE_FORMATS)}")
    if header_language not in ("en", "zh"):
        raise ValueError("header_language must be 'en' or 'zh'")
    codec = encoding.lower().replace("_", "-")
    if codec not in ("utf-8", "utf8", "gb18030"):
        raise ValueError("encoding must be 'utf-8' or 'gb18030'")
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()

    contract = load_contract()
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    dirt: dict[str, dict[str, int]] = {}
    con = connect()

    def sink(frame: Frame) -> None:
        """Dirty, write and drop each entity as soon as the simulation finishes it."""
        entity = contract[frame.entity]
        dirt[frame.entity] = _dirty(sim, entity, frame, float(dirt_rate), csv_like=file_format != "parquet")
        columns = entity.column_names
        header = [c.zh for c in entity.columns] if header_language == "zh" else columns
        path = out_dir / f"{frame.entity}{FILE_FORMATS[file_format]}"
        rows[frame.entity] = write_frame(con, frame, columns, header, path, file_format, encoding)

    try:
        sim = Sim(int(customers), as_of, int(seed), sink)
        run_simulation(sim)
    finally:
        con.close()
    missing = [name for name in contract if name not in rows]
    if missing:
        raise RuntimeError(f"generator produced no frame for {missing}")
    rows = {name: rows[name] for name in contract}
    dirt = {name: dirt[name] for name in contract if dirt.get(name)}

    meta = {
        "as_of": as_of.isoformat(),
        "customers": int(customers),
        "seed": int(seed),
        "dirt_rate": float(dirt_rate),
        "rows": rows,
        "file_format": file_format,
        "encoding": encoding,
        "header_language": header_language,
        "dirt": dirt,
    }
    (out_dir / "_generated.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return rows


# ======================================================================================
def _count(n: int, frac: float, rate: float, min1: bool) -> int:
    if rate <= 0 or n == 0:
        return 0
    k = int(round(n * frac))
    if min1:
        k = max(1, k)
    return min(k, n)


def _rows(rng: np.random.Generator, pool: np.ndarray | int, k: int) -> np.ndarray:
    pool = np.arange(pool) if isinstance(pool, (int, np.integer)) else np.asarray(pool)
    k = min(k, len(pool))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(pool[rng.choice(len(pool), size=k, replace=False)])


def _dirty(sim: Sim, entity, frame: Frame, rate: float, csv_like: bool) -> dict[str, int]:
    """Inject this entity's dirt into `frame` (see the module docstring); return counts."""
    name = entity.name
    if rate <= 0 or name == "sales_reps":
        return {}
    scale = rate / 0.02
    rng = sim.rng(f"dirt.{name}")
    n0 = frame.n
    rep: dict[str, int] = {}

    def note(kind: str, k: int) -> None:
        if k:
            rep[kind] = rep.get(kind, 0) + int(k)

    # --- values changed in place -------------------------------------------------
    if name == "orders":
        r = _rows(rng, n0, _count(n0, rate * 0.1, rate, True))
        frame.arrays["amt"][r] *= -1
        note("negative_amount", len(r))
    if name == "opportunities":
        amt = frame.arrays["amt"]
        r = _rows(rng, np.flatnonzero(~frame.is_null("amt")), _count(n0, rate * 0.05, rate, False))
        amt[r] *= -1
        note("negative_amount", len(r))
        closed, created = frame.arrays["closed"], frame.arrays["created"]
        r = _rows(rng, np.flatnonzero(closed != INT_NULL), _count(n0, rate * 0.05, rate, False))
        closed[r] = created[r] - rng.integers(1, 6, len(r)) * DAY
        note("closed_before_created", len(r))

    # --- cell overrides ----------------------------------------------------------
    key_cols = set(entity.key)
    for col in entity.columns:
        c = col.name
        if col.required and c not in key_cols:
            if name == "customers" and c in LOW_COMPLETENESS:
                frac = min(0.9, LOW_COMPLETENESS[c] * scale)
            else:
                frac = rate * 0.5
            r = _rows(rng, n0, _count(n0, frac, rate, False))
            frame.override(c, r, "")
            note(f"missing:{c}", len(r))
        if col.places_in_time:
            r = _rows(rng, n0, _count(n0, rate * 0.05, rate, False))
            frame.override(c, r, "")
            note(f"missing:{c}", len(r))
        if col.crm_type in ("date", "timestamp"):
            r = _rows(rng, n0, _count(n0, rate * 0.1, rate, (name, c) in BAD_DATE_MIN1))
            for i, token in enumerate(BAD_DATES):
                frame.override(c, r[i::len(BAD_DATES)], token)
            note(f"unparseable_date:{c}", len(r))
        if (name, c) in UNKNOWN_CODES:
            token, min1 = UNKNOWN_CODES[(name, c)]
            r = _rows(rng, n0, _count(n0, rate * 0.1, rate, min1))
            frame.override(c, r, token)
            note(f"unknown_code:{c}", len(r))
    if name in ORPHANS:
        w = sim.widths["customer"]
        r = _rows(rng, n0, _count(n0, rate * 0.1, rate, ORPHANS[name]))
        frame.override("customer_id", r[0::2], "C" + "9" * w)
        frame.override("customer_id", r[1::2], "C" + "9" * (w - 1) + "8")
        note("orphan:customer_id", len(r))
    if name == "surveys":
        r = _rows(rng, n0, _count(n0, rate * 0.25, rate, True))
        cols = ["score_quality", "score_responsiveness", "score_communication", "score_value",
                "score_overall", "nps_score"]
        tokens = {c: ["6", "0", "-1"] for c in cols[:-1]} | {"nps_score": ["11", "-1"]}
        for j, c in enumerate(cols):
            rc = r[j::len(cols)]
            for t, token in enumerate(tokens[c]):
                frame.override(c, rc[t::len(tokens[c])], token)
        note("out_of_range_score", len(r))
    if name == "campaign_members":
        r = _rows(rng, n0, _count(n0, rate * 0.1, rate, False))
        frame.override("feedback_score", r, "6")
        note("out_of_range_score", len(r))
    if len(entity.key) == 1 and name in MISSING_KEY_MIN1:
        k = entity.key[0]
        r = _rows(rng, n0, _count(n0, rate * 0.05, rate, True))
        frame.override(k, r, "")
        note(f"missing_key:{k}", len(r))

    # --- rows: versions, duplicates, malformed lines ----------------------------
    keyless = np.zeros(n0, dtype=bool)
    if len(entity.key) == 1 and entity.key[0] in frame.overrides:
        keyless = frame.overrides[entity.key[0]][0] >= 0
    used = np.zeros(n0, dtype=bool)
    sort_key = np.arange(n0, dtype=np.float64)
    if name in VERSIONED:
        upd = frame.arrays["upd"]
        clean_upd = frame.overrides["updated_at"][0] < 0 if "updated_at" in frame.overrides else True
        pool = np.flatnonzero(~keyless & clean_upd & (upd < sim.END - 2 * DAY))
        src = _rows(rng, pool, _count(n0, rate * 0.5, rate, True))
        used[src] = True
        new = frame.append_copies(src)
        _change_version(sim, rng, name, frame, new)
        before = rng.random(len(new)) < 0.3
        keys = np.where(before, src - 0.5, n0 + np.arange(len(new)))
        sort_key = np.concatenate([sort_key, keys])
        note("superseded_version", len(new))
    if name in DUPLICATED:
        src = _rows(rng, n0, _count(n0, rate * 0.25, rate, True))
        used[src] = True
        new = frame.append_copies(src)
        after = rng.random(len(new)) < 0.5
        keys = np.where(after, src + 0.25, 2 * n0 + 1 + np.arange(len(new)))
        sort_key = np.concatenate([sort_key, keys])
        note("exact_duplicate", len(new))
    if csv_like and name in MALFORMED:
        k = max(1, min(200, int(round(n0 * rate * 0.0005))))
        pool = np.flatnonzero(~used[:n0])
        r = _rows(rng, pool, 2 * k)
        frame.malformed[r[0::2]] = 1
        frame.malformed[r[1::2]] = 2
        note("malformed_extra_field", len(r[0::2]))
        note("malformed_missing_field", len(r[1::2]))
    if frame.n != n0:
        frame.take(np.argsort(sort_key, kind="stable"))
    return dict(sorted(rep.items()))


def _later(sim: Sim, rng: np.random.Generator, upd: np.ndarray) -> np.ndarray:
    """A later update time: between upd + 1 h and the export time."""
    lo = upd + HOUR
    return lo + (rng.random(len(upd)) * np.maximum(sim.END - lo, 1)).astype(np.int64)


def _change_version(sim: Sim, rng: np.random.Generator, name: str, f: Frame, rows: np.ndarray) -> None:
    a = f.arrays
    k = len(rows)
    a["upd"][rows] = _later(sim, rng, a["upd"][rows])
    if name == "customers":
        a["pnum"][rows] = rng.integers(20_000_000, 90_000_000, k)
        t = rows[rng.random(k) < 0.3]
        a["title"][t] = rng.integers(0, len(f.vocabs["title"]), len(t))
        o = rows[rng.random(k) < 0.3]
        owners = np.flatnonzero(sim.s["owner_weights"] > 0)
        a["owner"][o] = owners[rng.integers(0, len(owners), len(o))] + 1
    elif name == "orders":
        refund = (a["status"][rows] == 0) & (rng.random(k) < 0.4)
        a["status"][rows[refund]] = 2
        fix = rows[~refund]
        a["amt"][fix] = (np.round(a["amt"][fix] * 0.9 / 1000) * 1000).astype(np.int64)
    elif name == "leads":
        open_ = a["status"][rows] == 0
        drop = rows[open_ & (rng.random(k) < 0.6)]
        a["status"][drop] = 2
        other = rows[~np.isin(rows, drop)]
        owners = np.flatnonzero(sim.s["owner_weights"] > 0)
        a["owner"][other] = owners[rng.integers(0, len(owners), len(other))] + 1
    elif name == "opportunities":
        amt = a["amt"][rows]
        has = ~f.is_null("amt")[rows]
        a["amt"][rows[has]] = (np.round(amt[has] * rng.uniform(0.8, 1.2, int(has.sum())) / 10_000) * 10_000).astype(np.int64)
        stage = a["stage"][rows]
        adv = rows[(stage <= 2) & (rng.random(k) < 0.5)]
        new_stage = a["stage"][adv] + 1
        a["stage"][adv] = new_stage
        to_prop = adv[(new_stage == 1) & (a["prop"][adv] == INT_NULL)]
        a["prop"][to_prop] = a["upd"][to_prop] - HOUR
        to_won = adv[new_stage == 3]
        a["closed"][to_won] = a["upd"][to_won] - HOUR
