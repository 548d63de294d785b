"""Vectorised simulation of a CRM's history (helper of `generate.py`).

`simulate(customers, as_of, seed)` returns one clean `Frame` per export entity (no dirt)
plus the simulation state the dirt step needs. All draws are numpy, per entity from its own
`default_rng([seed, crc32(name)])` stream, so the output depends only on the arguments.
Python loops run over small fixed things (quarter ends, customer chunks, category groups),
never over rows.

Time is kept as integers: days since 1970-01-01 for dates and epoch seconds of naive local
(Asia/Shanghai) time for timestamps. The export is taken at the end of `as_of`
(`as_of 23:59:59`): nothing that happens later is in it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from crmwh import generate_vocab as V
from crmwh.generate_writer import (
    DAY_NULL,
    INT_NULL,
    Frame,
    bool_sql,
    date_sql,
    id_sql,
    id_width,
    money_sql,
    ts_sql,
)

DAY = 86_400
HOUR = 3_600
HISTORY_DAYS = 1095  # ~3 years of transactional history
PLAN_MONTHS = 18  # the 月度维护排期表 has been kept for the last 18 months
CHUNK = 100_000  # customers per block where a per-customer expansion is large

CHANNELS = ["visit", "video", "phone", "email", "sms", "wechat", "event"]
CH = {c: i for i, c in enumerate(CHANNELS)}
INDUSTRIES = ["manufacturing", "retail", "services", "it", "finance", "education", "healthcare", "other"]
INDUSTRY_W = [0.30, 0.15, 0.15, 0.12, 0.06, 0.06, 0.08, 0.08]
CUSTOMER_TYPES = ["end_customer", "distributor", "partner"]
CUSTOMER_TYPE_W = [0.75, 0.17, 0.08]
LEAD_SOURCES = ["trade_show", "referral", "online", "event", "cold_call", "partner", "other"]
LEAD_SOURCE_W = [0.20, 0.22, 0.25, 0.10, 0.13, 0.07, 0.03]
ROLES = ["sales_rep", "account_manager", "sales_manager", "director", "service_agent"]
ORDER_STATUSES = ["completed", "cancelled", "refunded"]
TIERS = ["A", "B", "C"]
MONTH_WEIGHT = np.array([1.05, 0.60, 0.95, 1.0, 1.0, 1.05, 0.9, 0.9, 1.0, 0.9, 1.15, 1.40])  # order value
MONTH_TIMING_WEIGHT = np.array([1.05, 0.75, 0.95, 1.0, 1.0, 1.05, 0.95, 0.95, 1.0, 0.95, 1.1, 1.3])  # order count
WEEKDAY_WEIGHT = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.25])  # Monday .. Sunday


def rng_for(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def pick(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    """n draws from a categorical distribution (int64 codes)."""
    w = np.asarray(weights, dtype=np.float64)
    cum = np.cumsum(w / w.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(w) - 1)


def pick_grouped(rng: np.random.Generator, group: np.ndarray, table) -> np.ndarray:
    """Categorical draw per row with the weights of its group (row `group[i]` of `table`)."""
    table = np.asarray(table, dtype=np.float64)
    cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(group))
    out = np.empty(len(group), dtype=np.int16)
    for g in range(len(table)):  # a handful of groups
        rows = group == g
        out[rows] = np.searchsorted(cum[g], u[rows], side="right")
    return np.minimum(out, table.shape[1] - 1)


def uniform_int(rng: np.random.Generator, lo, hi) -> np.ndarray:
    """Integers in [lo, hi) element-wise (hi > lo)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    span = np.maximum(hi - lo, 1)
    return lo + np.floor(rng.random(np.broadcast(lo, hi).shape) * span).astype(np.int64)


def tod(rng: np.random.Generator, n: int, start_min: int = 510, span_min: int = 600,
        seconds: bool = True) -> np.ndarray:
    """Seconds into the day: business hours by default (08:30 + up to 10 h)."""
    s = (start_min + rng.integers(0, span_min, n)) * 60
    if seconds:
        s = s + rng.integers(0, 60, n)
    return s.astype(np.int64)


def month_index(days) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(mi) -> np.ndarray:
    return np.asarray(mi, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def weekday(days) -> np.ndarray:
    return (np.asarray(days, dtype=np.int64) + 3) % 7  # 0 = Monday


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """owner index and rank within owner for sum(counts) child rows."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(owner)) - starts[owner]
    return owner, rank


@dataclass
class Sim:
    """Simulation state shared by the entity builders and the dirt step."""

    n_customers: int
    as_of: dt.date
    seed: int
    sink: Callable[[Frame], None] | None = None  # receives each finished frame
    frames: dict[str, Frame] = field(default_factory=dict)  # kept only without a sink
    s: dict[str, np.ndarray] = field(default_factory=dict)  # named state arrays
    widths: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.AS = (self.as_of - dt.date(1970, 1, 1)).days
        self.END = self.AS * DAY + DAY - 1  # export time: end of as_of
        self.W0 = self.AS - HISTORY_DAYS
        base = self.W0 - 400
        days = np.arange(base, self.AS + 40)
        months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        self._season_base = base
        self._season_w = MONTH_TIMING_WEIGHT[months] * WEEKDAY_WEIGHT[weekday(days)]

    def season_cum(self) -> tuple[np.ndarray, int]:
        """Cumulative seasonal intensity per day (mean 1 per day) and the first day it
        covers. Order timing uses softened month weights (amounts carry the rest)."""
        w = self._season_w / self._season_w.mean()
        return np.cumsum(w), self._season_base

    def emit(self, frame: Frame) -> None:
        if self.sink is None:
            self.frames[frame.entity] = frame
        else:
            self.sink(frame)

    def rng(self, name: str) -> np.random.Generator:
        return rng_for(self.seed, name)

    def style(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-row text styles: date/time (0 ISO, 1 ISO-T+08:00, 2 slash) and money."""
        sty = pick(rng, n, [0.85, 0.08, 0.07]).astype(np.int8)
        msty = pick(rng, n, [0.85, 0.10, 0.05]).astype(np.int8)
        return sty, msty


# ======================================================================================
def simulate(n_customers: int, as_of: dt.date, seed: int,
             sink: Callable[[Frame], None] | None = None) -> Sim:
    """Run the simulation; each entity's clean frame goes to `sink` as soon as it is
    complete (or into `sim.frames` without a sink)."""
    sim = Sim(n_customers, as_of, seed, sink)
    run_simulation(sim)
    return sim


def run_simulation(sim: Sim) -> None:
    """Build every entity in dependency order; frames are emitted after their builder
    returns, so its temporaries are freed before the frame is written."""
    for build in (_reps, _customers, _leads, _campaigns, _orders, _interactions, _opportunities,
                  _tickets, _surveys, _tier_reviews, _customer_frame):
        frames = build(sim) or []
        while frames:  # pop, so a written frame is freed before the next one is written
            sim.emit(frames.pop(0))


# --------------------------------------------------------------------------------------
def _name_parts(rng: np.random.Generator, n: int):
    sur = pick(rng, n, np.linspace(3.0, 0.5, len(V.SURNAMES)))
    g1 = rng.integers(0, len(V.GIVEN), n)
    g2 = np.where(rng.random(n) < 0.6, rng.integers(0, len(V.GIVEN), n), -1)
    return sur, g1, g2


def _add_name(frame: Frame, prefix: str, parts) -> None:
    sur, g1, g2 = parts
    frame.codes(f"{prefix}_sur", sur, [s for s, _ in V.SURNAMES])
    frame.codes(f"{prefix}_g1", g1, [g for g, _ in V.GIVEN])
    frame.codes(f"{prefix}_g2", g2, [g for g, _ in V.GIVEN])


def _reps(sim: Sim) -> list[Frame]:
    rng = sim.rng("sales_reps")
    n = max(8, int(round(sim.n_customers / 40)))
    n_teams = max(2, int(round(n / 9)))
    n_reg = min(len(V.REGIONS), max(1, -(-n_teams // 2)))
    n_dir = n_reg
    members = n - n_dir
    sizes = np.full(n_teams, members // n_teams, dtype=np.int64)
    sizes[: members % n_teams] += 1
    team_of_member = np.repeat(np.arange(n_teams), sizes)
    team_start = n_dir + np.cumsum(sizes) - sizes
    team = np.concatenate([np.full(n_dir, -1), team_of_member])
    idx = np.arange(n)
    region = np.where(team < 0, idx % n_reg, team % n_reg)
    pos = np.where(team < 0, -1, idx - team_start[np.maximum(team, 0)])
    size_of = np.where(team < 0, 0, sizes[np.maximum(team, 0)])

    role = np.where(rng.random(n) < 0.35, 1, 0)  # account_manager / sales_rep
    role = np.where((pos == size_of - 1) & (size_of >= 5), 4, role)  # one service agent per bigger team
    role = np.where(pos == 0, 2, role)
    role = np.where(team < 0, 3, role)
    manager = np.where(team < 0, -1, np.where(pos == 0, region, team_start[np.maximum(team, 0)]))

    # team vocab: directors' "大区" entries then the teams
    team_names = [f"{V.REGIONS[r][0]}大区" for r in range(n_reg)]
    team_names += [f"{V.REGIONS[t % n_reg][0]}{V.chinese_number(t // n_reg + 1)}组" for t in range(n_teams)]
    team_code = np.where(team < 0, region, n_reg + team)

    # a couple of reps have left (sales reps / account managers only)
    candidates = np.flatnonzero(role <= 1)
    k_inactive = min(len(candidates) - 1, max(2, int(round(0.03 * n))))
    inactive = rng.choice(candidates, size=k_inactive, replace=False)
    active = np.ones(n, dtype=np.int8)
    active[inactive] = 0

    # everyone was on board when the CRM history starts (their contacts go back that far)
    hired = sim.W0 - 30 - np.minimum(rng.exponential(3 * 365, n), 14 * 365).astype(np.int64)
    hired = np.where(active == 0, hired - 365, hired)
    hired = np.where(rng.random(n) < 0.04, DAY_NULL, hired)

    # diligence drives cadence keeping and logging discipline
    dil = rng.beta(4.0, 1.3, n)
    sim.s.update(
        rep_team=team_code, rep_region=region, rep_role=role, rep_active=active,
        rep_manager=manager, rep_cad=0.40 + 0.58 * dil, rep_late=0.005 + 0.45 * (1 - dil) ** 2.5,
        rep_dil=dil,
    )
    # team blocks for "another member of the owner's team"
    block_start = np.where(team < 0, idx, team_start[np.maximum(team, 0)])
    block_size = np.where(team < 0, 1, size_of)
    sim.s["rep_block_start"] = block_start
    sim.s["rep_block_size"] = block_size
    # per rep: service agent of its team (or -1)
    agent_of_team = np.full(n_teams, -1, dtype=np.int64)
    agents = np.flatnonzero(role == 4)
    agent_of_team[team[agents]] = agents
    sim.s["rep_agent"] = np.where(team < 0, -1, agent_of_team[np.maximum(team, 0)])
    # approver of a tier change requested by the rep: manager, or director for managers
    sim.s["rep_approver"] = np.where(manager < 0, idx, manager)

    owner_w = np.where(role <= 1, 1.0, np.where(role == 2, 0.3, 0.0)) * active
    sim.s["owner_weights"] = owner_w / owner_w.sum()
    sim.widths["rep"] = id_width(n, 4)

    sty, _ = sim.style(rng, n)
    f = Frame("sales_reps", n)
    f.ints("rid", idx + 1)
    f.ints("mgr", np.where(manager < 0, INT_NULL, manager + 1))
    _add_name(f, "nm", _name_parts(rng, n))
    f.codes("team", team_code, team_names)
    f.codes("region", region, [r for r, _ in V.REGIONS])
    f.codes("role", role, ROLES)
    f.ints("active", active)
    f.day("hired", hired)
    f.ints("sty", sty)
    w = sim.widths["rep"]
    f.col("rep_id", id_sql("rid", "R", w))
    f.col("rep_name", "nm_sur || nm_g1 || coalesce(nm_g2, '')", quote=True)
    f.col("team", "team", quote=True)
    f.col("region", "region", quote=True)
    f.col("role", "role")
    f.col("manager_id", id_sql("mgr", "R", w))
    f.col("is_active", bool_sql("active", "sty"))
    f.col("hired_at", date_sql("hired"))
    sim.s["n_reps"] = np.array(n)
    return [f]


def _other_rep(sim: Sim, rng: np.random.Generator, owner: np.ndarray, share: float,
               when_day: np.ndarray | None = None) -> np.ndarray:
    """owner, or with probability `share` another member of the owner's team (inactive
    reps only for contacts older than a year)."""
    n = len(owner)
    bs = sim.s["rep_block_start"][owner]
    bz = sim.s["rep_block_size"][owner]
    other = bs + np.floor(rng.random(n) * bz).astype(np.int64)
    use = rng.random(n) < share
    ok = sim.s["rep_active"][other] == 1
    if when_day is not None:
        ok = ok | (when_day < sim.AS - 365)
    return np.where(use & ok, other, owner)


# --------------------------------------------------------------------------------------
def _customers(sim: Sim) -> None:
    rng = sim.rng("customers")
    n, AS, W0 = sim.n_customers, sim.AS, sim.W0
    legacy = rng.random(n) < 0.2
    acq = np.where(legacy, W0 - np.floor(rng.random(n) * 5 * 365), W0 + np.floor(rng.random(n) * (AS - W0 + 1)))
    acq = np.sort(acq.astype(np.int64))  # ids are issued in creation order

    owner = pick(rng, n, sim.s["owner_weights"])
    region = sim.s["rep_region"][owner]
    city_counts = np.array([len(c) for _, c in V.REGIONS])
    city_start = np.cumsum(city_counts) - city_counts
    city = city_start[region] + np.floor(rng.random(n) * city_counts[region]).astype(np.int64)
    industry = pick(rng, n, INDUSTRY_W)
    ctype = pick(rng, n, CUSTOMER_TYPE_W)
    lsource = pick(rng, n, LEAD_SOURCE_W)

    # potential annual spend (CNY); long-tailed
    type_factor = np.array([1.0, 1.8, 1.2])[ctype]
    spend = np.exp(rng.normal(10.70, 1.62, n)) * type_factor
    strategic = ((spend > 1_000_000) & (rng.random(n) < 0.3)) | (rng.random(n) < 0.006)

    # ordering window and behaviour
    start = np.maximum(acq, W0) + rng.integers(0, 46, n)
    prospect = rng.random(n) < np.where(acq > AS - 60, 0.5, 0.09)
    prospect |= start > AS
    beh = pick(rng, n, [0.79, 0.14, 0.07])  # 0 normal, 1 churned, 2 won back
    beh = np.where(prospect, 0, beh)
    end = np.full(n, AS, dtype=np.int64)
    churn_span = AS - 91 - (start + 30)
    churn = (beh == 1) & (churn_span > 0)
    end = np.where(churn, start + 30 + np.floor(rng.random(n) * np.maximum(churn_span, 1)).astype(np.int64), end)
    beh = np.where((beh == 1) & ~churn, 0, beh)
    gap_span = AS - 15 - 95 - (start + 30)
    wb = (beh == 2) & (gap_span > 0)
    g1 = start + 30 + np.floor(rng.random(n) * np.maximum(gap_span, 1)).astype(np.int64)
    room = AS - 15 - g1 - 95
    g2 = g1 + 95 + np.floor(rng.random(n) * np.clip(room, 1, 200)).astype(np.int64)
    beh = np.where((beh == 2) & ~wb, 0, beh)
    g1 = np.where(wb, g1, AS + 1)
    g2 = np.where(wb, g2, AS + 1)

    # value class by potential: 0 A, 1 B, 2 C, 3 prospect
    vc = np.where(spend >= 500_000, 0, np.where(spend >= 100_000, 1, 2))
    vc = np.where(strategic, 0, vc)
    vc = np.where(prospect, 3, vc)

    sim.s.update(
        c_acq=acq, c_owner=owner, c_team=sim.s["rep_team"][owner], c_region=region, c_city=city,
        c_industry=industry, c_ctype=ctype, c_lsource=lsource, c_spend=spend,
        c_strategic=strategic, c_start=start, c_end=end, c_prospect=prospect, c_beh=beh,
        c_g1=g1, c_g2=g2, c_vc=vc, c_happy=rng.normal(0, 1, n),
        c_primary=_primary_category(rng, industry),
    )
    sim.widths["customer"] = id_width(n, 7)


def _primary_category(rng: np.random.Generator, industry: np.ndarray) -> np.ndarray:
    table = [V.INDUSTRY_CATEGORY_WEIGHTS[i] for i in INDUSTRIES]
    return pick_grouped(rng, industry, table)


def _customer_frame(sim: Sim) -> list[Frame]:
    rng = sim.rng("customers.profile")
    s = sim.s
    n = sim.n_customers
    acq, city = s["c_acq"], s["c_city"]
    cities = [c for _, cs in V.REGIONS for c in cs]
    dist_counts = np.array([len(c[3]) for c in cities])
    dist_start = np.cumsum(dist_counts) - dist_counts
    district = dist_start[city] + np.floor(rng.random(n) * dist_counts[city]).astype(np.int64)
    addr_prefix = [f"{prov}{name}市{d}" for name, prov, _, ds in cities for d in ds]

    ind = s["c_industry"]
    iw_counts = np.array([len(V.INDUSTRY_WORDS[i]) for i in INDUSTRIES])
    iw_start = np.cumsum(iw_counts) - iw_counts
    iw = iw_start[ind] + np.floor(rng.random(n) * iw_counts[ind]).astype(np.int64)
    iw_vocab = [w for i in INDUSTRIES for w in V.INDUSTRY_WORDS[i]]

    sty, msty = sim.style(rng, n)
    f = Frame("customers", n)
    f.ints("cid", np.arange(1, n + 1))
    f.codes("city", city, [c[0] for c in cities])
    f.codes("b1", rng.integers(0, len(V.BRAND1), n), [c for c, _ in V.BRAND1])
    f.codes("b2", rng.integers(0, len(V.BRAND2), n), [c for c, _ in V.BRAND2])
    f.codes("b1py", f.arrays["b1"], [p for _, p in V.BRAND1])
    f.codes("b2py", f.arrays["b2"], [p for _, p in V.BRAND2])
    f.codes("iw", iw, iw_vocab)
    f.codes("sfx", pick(rng, n, V.LEGAL_SUFFIX_WEIGHTS), V.LEGAL_SUFFIXES)
    f.codes("industry", ind, INDUSTRIES)
    f.codes("ctype", s["c_ctype"], CUSTOMER_TYPES)
    sur, g1, g2 = _name_parts(rng, n)
    _add_name(f, "cn", (sur, g1, g2))
    f.codes("cn_surpy", sur, [p for _, p in V.SURNAMES])
    f.codes("cn_g1py", g1, [p for _, p in V.GIVEN])
    f.codes("cn_g2py", g2, [p for _, p in V.GIVEN])
    f.codes("title", rng.integers(0, len(V.TITLES), n), V.TITLES)
    # phone: mobile (70 %) or office with the city's area code
    f.ints("mobile", (rng.random(n) < 0.7).astype(np.int64))
    f.codes("mp", rng.integers(0, len(V.MOBILE_PREFIXES), n), V.MOBILE_PREFIXES)
    f.codes("area", city, [c[2] for c in cities])
    f.ints("pnum", rng.integers(20_000_000, 90_000_000, n))
    # e-mail: company domain or public mailbox
    f.ints("esty", pick(rng, n, [0.35, 0.15, 0.35, 0.15]))
    f.ints("enum", rng.integers(1, 100, n))
    f.codes("tld", pick(rng, n, [0.5, 0.3, 0.15, 0.05]), V.WEB_TLDS)
    f.codes("maild", rng.integers(0, len(V.MAIL_DOMAINS), n), V.MAIL_DOMAINS)
    f.codes("addr", district, addr_prefix)
    f.codes("road", rng.integers(0, len(V.ROADS), n), V.ROADS)
    f.ints("hno", rng.integers(1, 1000, n))
    f.codes("asfx", rng.integers(0, len(V.ADDRESS_SUFFIXES), n), V.ADDRESS_SUFFIXES)
    f.codes("need", rng.integers(0, len(V.INITIAL_NEEDS), n), V.INITIAL_NEEDS)
    f.codes("lsource", s["c_lsource"], LEAD_SOURCES)
    f.day("acq", acq)
    f.ints("owner", s["c_owner"] + 1)
    spend = s["c_spend"]
    emp = np.maximum(5, np.exp(np.log(spend) * 0.55 - 1.5 + rng.normal(0, 0.7, n))).astype(np.int64)
    f.ints("emp", np.where(rng.random(n) < 0.6, emp, INT_NULL))
    rev = (spend * np.exp(rng.normal(3.0, 0.8, n)) / 10_000).round() * 1_000_000  # whole 10k CNY
    f.ints("rev", np.where(rng.random(n) < 0.5, rev.astype(np.int64), INT_NULL))
    f.ints("web", (rng.random(n) < 0.55).astype(np.int64))
    combos = [""] + [t for t in V.TAGS] + [f"{a};{b}" for i, a in enumerate(V.TAGS) for b in V.TAGS[i + 1:]]
    ntag = pick(rng, n, [0.4, 0.35, 0.25])
    tag_code = np.where(ntag == 0, 0, np.where(ntag == 1, 1 + rng.integers(0, len(V.TAGS), n),
                                               1 + len(V.TAGS) + rng.integers(0, len(combos) - 1 - len(V.TAGS), n)))
    f.codes("tags", tag_code, combos)
    f.ints("strat", np.where(rng.random(n) < 0.9, s["c_strategic"].astype(np.int64), INT_NULL))
    bday = (dt.date(1962, 1, 1) - dt.date(1970, 1, 1)).days + rng.integers(0, 38 * 365, n)
    f.day("bday", np.where(rng.random(n) < 0.7, bday, DAY_NULL))
    founded = np.minimum(acq - 30, (dt.date(1985, 1, 1) - dt.date(1970, 1, 1)).days + rng.integers(0, 37 * 365, n))
    f.day("founded", np.where(rng.random(n) < 0.8, founded, DAY_NULL))
    acq_ts = np.maximum(acq, sim.W0 - 400) * DAY + tod(rng, n)
    upd = acq_ts + np.floor(rng.random(n) * (sim.END - acq_ts)).astype(np.int64)
    f.ts("upd", upd)
    f.ints("sty", sty)
    f.ints("msty", msty)

    w = sim.widths["customer"]
    f.col("customer_id", id_sql("cid", "C", w))
    f.col("customer_name", "city || b1 || b2 || iw || sfx", quote=True)
    f.col("industry", "industry")
    f.col("customer_type", "ctype")
    f.col("contact_name", "cn_sur || cn_g1 || coalesce(cn_g2, '')", quote=True)
    f.col("contact_title", "title", quote=True)
    f.col("phone", "CASE WHEN mobile = 1 THEN mp || lpad(pnum::VARCHAR, 8, '0') ELSE area || '-' || pnum::VARCHAR END")
    local = "cn_surpy || cn_g1py || coalesce(cn_g2py, '')"
    f.col("email", (
        f"CASE esty WHEN 0 THEN {local} || '@' || b1py || b2py || tld "
        f"WHEN 1 THEN cn_g1py || coalesce(cn_g2py, '') || '.' || cn_surpy || '@' || b1py || b2py || tld "
        f"WHEN 2 THEN {local} || enum::VARCHAR || '@' || maild "
        f"ELSE mp || lpad(pnum::VARCHAR, 8, '0') || '@' || maild END"
    ), quote=True)
    f.col("address", "addr || road || hno::VARCHAR || '号' || asfx", quote=True)
    f.col("initial_need", "need", quote=True)
    f.col("lead_source", "lsource")
    f.col("acquired_at", date_sql("acq"))
    f.col("owner_rep_id", id_sql("owner", "R", sim.widths["rep"]))
    f.col("employee_count", "emp::VARCHAR")
    f.col("annual_revenue", money_sql("rev"), quote=True)
    f.col("website", "CASE WHEN web = 1 THEN 'www.' || b1py || b2py || tld END")
    f.col("tags", "tags", quote=True)
    f.col("is_strategic", bool_sql("strat"))
    f.col("contact_birthday", date_sql("bday"))
    f.col("founded_on", date_sql("founded"))
    f.col("updated_at", ts_sql("upd"))
    return [f]


# --------------------------------------------------------------------------------------
def _leads(sim: Sim) -> list[Frame]:
    rng = sim.rng("leads")
    s, AS, W0, END = sim.s, sim.AS, sim.W0, sim.END
    n_total = max(20, int(round(0.55 * sim.n_customers)))
    cand = np.flatnonzero(s["c_acq"] >= W0 + 20)
    n_conv = min(int(round(0.19 * n_total)), int(0.6 * len(cand)))
    conv_cust = np.sort(rng.choice(cand, size=n_conv, replace=False)) if n_conv else np.zeros(0, np.int64)
    n_open = n_total - n_conv

    conv_at = s["c_acq"][conv_cust] * DAY + tod(rng, n_conv)
    conv_created = conv_at - (np.exp(rng.normal(np.log(20), 0.8, n_conv)) * DAY).astype(np.int64)
    o_day = W0 + np.floor(rng.random(n_open) * (AS - W0 + 1)).astype(np.int64)
    o_created = o_day * DAY + tod(rng, n_open, 480, 720)
    created = np.concatenate([conv_created, o_created])
    is_conv = np.concatenate([np.ones(n_conv, bool), np.zeros(n_open, bool)])
    cust = np.concatenate([conv_cust, np.full(n_open, -1)])
    grade = np.concatenate([pick(rng, n_conv, [0.45, 0.35, 0.20]), pick(rng, n_open, [0.14, 0.35, 0.51])])
    source = np.concatenate([s["c_lsource"][conv_cust], pick(rng, n_open, LEAD_SOURCE_W)])
    owner = np.concatenate([s["c_owner"][conv_cust], pick(rng, n_open, s["owner_weights"])])
    age_days = AS - created // DAY
    status = np.where(is_conv, 1, np.where(rng.random(n_total) < np.where(age_days < 30, 0.7, 0.2), 0, 2))

    window_h = np.array([24, 48, 168])[grade]
    dil = s["rep_dil"][owner]
    on_time = rng.random(n_total) < 0.55 + 0.43 * dil
    hours = np.where(on_time, window_h * (0.02 + 0.93 * rng.random(n_total)),
                     window_h * (1.05 + rng.exponential(1.0, n_total)))
    fc = created + (hours * HOUR).astype(np.int64)
    conv_ts = np.concatenate([conv_at, np.full(n_open, INT_NULL)])
    late_fix = is_conv & (fc >= conv_ts)
    fc = np.where(late_fix, created + ((conv_ts - created) * (0.05 + 0.45 * rng.random(n_total))).astype(np.int64), fc)
    never = ~is_conv & (rng.random(n_total) < 0.06)
    fc = np.where(never | (fc > END), INT_NULL, fc)
    last = np.maximum(created, np.maximum(fc, conv_ts))
    upd = last + (rng.random(n_total) * np.where(status == 2, 20 * DAY, 3 * DAY)).astype(np.int64)
    upd = np.minimum(upd, END)

    order = np.lexsort((np.arange(n_total), created))
    created, is_conv, cust, grade, source, owner, status, fc, conv_ts, upd = (
        a[order] for a in (created, is_conv, cust, grade, source, owner, status, fc, conv_ts, upd))
    owner_out = np.where(rng.random(n_total) < 0.02, INT_NULL, owner + 1)
    # lead rows of converted customers (lead index after sorting) for opportunities
    conv_rows = np.flatnonzero(is_conv)
    s["lead_conv_rows"] = conv_rows
    s["lead_conv_cust"] = cust[conv_rows]
    s["lead_conv_at"] = conv_ts[conv_rows]
    s["lead_conv_grade"] = grade[conv_rows]
    sim.widths["lead"] = id_width(n_total, 8)

    sty, _ = sim.style(rng, n_total)
    f = Frame("leads", n_total)
    f.ints("lid", np.arange(1, n_total + 1))
    f.ts("created", created)
    f.codes("source", source, LEAD_SOURCES)
    f.codes("grade", grade, ["A", "B", "C"])
    f.ints("owner", owner_out)
    f.ts("fc", fc)
    f.codes("status", status, ["open", "converted", "disqualified"])
    f.ints("cust", np.where(cust >= 0, cust + 1, INT_NULL))
    f.ts("conv", conv_ts)
    f.ts("upd", upd)
    f.ints("sty", sty)
    f.col("lead_id", id_sql("lid", "L", sim.widths["lead"]))
    f.col("created_at", ts_sql("created"))
    f.col("source", "source")
    f.col("grade", "grade")
    f.col("owner_rep_id", id_sql("owner", "R", sim.widths["rep"]))
    f.col("first_contacted_at", ts_sql("fc"))
    f.col("status", "status")
    f.col("converted_customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("converted_at", ts_sql("conv"))
    f.col("updated_at", ts_sql("upd"))
    return [f]


# --------------------------------------------------------------------------------------
CAMPAIGN_SEGMENTS = ["satisfaction_risk", "high_value_stable", "high_potential", "standard", "prospect"]


def _campaigns(sim: Sim) -> list[Frame]:
    rng = sim.rng("campaigns")
    s, AS, W0, END = sim.s, sim.AS, sim.W0, sim.END
    n = max(6, sim.n_customers // 100)
    ctype = rng.permutation(np.arange(n) % 6)
    event = np.sort(W0 + 30 + np.floor(rng.random(n) * (AS - W0 - 30 + 1)).astype(np.int64))
    # segment per type (two options each)
    seg_opts = np.array([[1, 1], [2, 3], [3, 4], [0, 3], [2, 2], [1, 3]])
    segment = seg_opts[ctype, rng.integers(0, 2, n)]
    planned = np.array([30, 21, 14, 10, 7, 20])[ctype] + rng.integers(-3, 4, n)
    actual = np.maximum(2, np.round(planned * np.exp(rng.normal(0.0, 0.25, n)))).astype(np.int64)
    prep = event - actual
    cost_lo = np.array([20_000, 5_000, 2_000, 10_000, 3_000, 10_000])[ctype]
    cost_hi = np.array([80_000, 30_000, 10_000, 50_000, 15_000, 60_000])[ctype]
    cost = ((cost_lo + rng.random(n) * (cost_hi - cost_lo)) / 100).round().astype(np.int64) * 10_000
    goal = np.array([2, 0, 0, 3, 1, 2])[ctype]
    goal_target = np.array([4.5, 0.6, 0.3, 0.25, 0.35, 4.3])[ctype]
    goal_filled = rng.random(n) < 0.9
    owner_pool = np.flatnonzero(s["rep_role"] <= 2)
    owner = owner_pool[rng.integers(0, len(owner_pool), n)]

    # invitations: pools by type, each sorted by acquisition (customers are)
    acq, vc, beh = s["c_acq"], s["c_vc"], s["c_beh"]
    pools = [
        np.flatnonzero(vc <= 1),                      # private salon: A/B
        np.flatnonzero(vc <= 2),                      # training: customers
        np.arange(sim.n_customers),                   # webinar: everyone
        np.flatnonzero((beh >= 1) & (vc <= 2)),       # win-back: churned / won back
        np.flatnonzero(vc <= 2),                      # onboarding: new customers
        np.flatnonzero(vc <= 1),                      # holiday care: A/B
    ]
    size_lo = np.array([15, 30, 60, 30, 10, 50])[ctype]
    size_hi = np.array([40, 120, 300, 150, 60, 200])[ctype]
    want = uniform_int(rng, size_lo, size_hi + 1)
    lo = np.zeros(n, dtype=np.int64)
    hi = np.zeros(n, dtype=np.int64)
    for t in range(6):  # six campaign types
        rows = np.flatnonzero(ctype == t)
        pacq = acq[pools[t]]
        hi[rows] = np.searchsorted(pacq, event[rows] - 7, side="right")
        if t == 4:
            lo[rows] = np.searchsorted(pacq, event[rows] - 180, side="left")
    avail = np.maximum(hi - lo, 0)
    k = np.minimum(want, avail)
    camp, _ = expand(k)
    pick_pos = lo[camp] + np.floor(rng.random(len(camp)) * avail[camp]).astype(np.int64)
    pool_id = ctype[camp]
    cust = np.empty(len(camp), dtype=np.int64)
    for t in range(6):
        m = pool_id == t
        cust[m] = pools[t][pick_pos[m]]
    key = np.unique(camp * sim.n_customers + cust)
    camp, cust = key // sim.n_customers, key % sim.n_customers
    m = len(camp)
    et = ctype[camp]
    ev = event[camp]
    invited = (ev - uniform_int(rng, np.full(m, 5), np.full(m, 31))) * DAY + tod(rng, m)
    invited = np.maximum(invited, acq[cust] * DAY + 9 * HOUR)
    p_open = np.array([0.8, 0.7, 0.5, 0.45, 0.75, 0.6])[et]
    opened = rng.random(m) < p_open
    registered = opened & (rng.random(m) < np.where(et == 0, 0.7, 0.55))
    attended = (registered & (rng.random(m) < 0.75)) | (~registered & (rng.random(m) < 0.02))
    ev_start = ev * DAY + 9 * HOUR
    open_ts = np.minimum(invited + (rng.exponential(20, m) * HOUR).astype(np.int64), ev_start - 2 * HOUR)
    open_ts = np.maximum(open_ts, invited + 60)
    reg_ts = np.minimum(open_ts + (rng.exponential(48, m) * HOUR).astype(np.int64), ev_start - HOUR)
    reg_ts = np.maximum(reg_ts, open_ts + 60)
    score = 5 - pick(rng, m, [0.5, 0.33, 0.1, 0.05, 0.02])
    has_score = attended & (rng.random(m) < 0.88)
    negative = (score <= 2) | (rng.random(m) < 0.03)

    s["cm_camp"], s["cm_cust"], s["cm_att"], s["cm_event"] = camp, cust, attended, ev
    sim.widths["campaign"] = id_width(n, 6)

    sty, msty = sim.style(rng, n)
    f = Frame("campaigns", n)
    f.ints("cpid", np.arange(1, n + 1))
    year = event.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    season = np.where((month_index(event) % 12) >= 2, ((month_index(event) % 12) - 2) // 3, 3)
    f.ints("year", year)
    f.codes("season", season, V.SEASONS)
    f.codes("cregion", sim.s["rep_region"][owner], [r for r, _ in V.REGIONS])
    f.codes("clabel", ctype, V.CAMPAIGN_LABELS)
    f.ints("seq", np.arange(1, n + 1))
    f.codes("ctype", ctype, V.CAMPAIGN_TYPES)
    f.codes("segment", segment, CAMPAIGN_SEGMENTS)
    f.ints("owner", np.where(rng.random(n) < 0.95, owner + 1, INT_NULL))
    f.day("prep", np.where(rng.random(n) < 0.9, prep, DAY_NULL))
    f.ints("planned", np.where(rng.random(n) < 0.9, planned, INT_NULL))
    f.day("event", event)
    f.ints("cost", cost)
    f.codes("goal", np.where(goal_filled, goal, -1), ["participation_rate", "repurchase_rate", "satisfaction", "reactivation_rate"])
    f.num("target", np.where(goal_filled, goal_target, np.nan))
    f.ints("sty", sty)
    f.ints("msty", msty)
    f.col("campaign_id", id_sql("cpid", "CP", sim.widths["campaign"]))
    f.col("campaign_name", "year::VARCHAR || '年' || season || cregion || '区' || clabel || '(第' || seq::VARCHAR || '期)'", quote=True)
    f.col("campaign_type", "ctype")
    f.col("target_segment", "segment")
    f.col("owner_rep_id", id_sql("owner", "R", sim.widths["rep"]))
    f.col("prep_started_on", date_sql("prep"))
    f.col("planned_prep_days", "planned::VARCHAR")
    f.col("event_date", date_sql("event"))
    f.col("cost", money_sql("cost"), quote=True)
    f.col("goal_metric", "goal")
    f.col("goal_target", "CASE WHEN target < 1 THEN printf('%.2f', target) ELSE printf('%.1f', target) END")
    frames = [f]

    sty, _ = sim.style(rng, m)
    g = Frame("campaign_members", m)
    g.ints("cpid", camp + 1)
    g.ints("cust", cust + 1)
    g.ts("invited", invited)
    g.ts("opened", np.where(opened, open_ts, INT_NULL))
    g.ts("reg", np.where(registered, reg_ts, INT_NULL))
    g.ints("att", attended.astype(np.int64))
    g.ints("score", np.where(has_score, score, INT_NULL))
    g.ints("neg", np.where(has_score, negative.astype(np.int64), INT_NULL))
    g.ints("sty", sty)
    g.col("campaign_id", id_sql("cpid", "CP", sim.widths["campaign"]))
    g.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    g.col("invited_at", ts_sql("invited"))
    g.col("opened_at", ts_sql("opened"))
    g.col("registered_at", ts_sql("reg"))
    g.col("attended", bool_sql("att"))
    g.col("feedback_score", "score::VARCHAR")
    g.col("feedback_negative", bool_sql("neg"))
    return frames + [g]


# --------------------------------------------------------------------------------------
def _renewal_days(rng: np.random.Generator, sim: Sim, cum: np.ndarray, base: int, start: np.ndarray,
                  end: np.ndarray, mean_gap: np.ndarray, regular: np.ndarray,
                  buyer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order days of a renewal process per customer in seasonal operational time.

    Regular buyers have bounded gaps (0.6-1.4 x mean, so they never look churned), the
    others gamma(3) gaps; the first order of a new account is on its start day."""
    AS = sim.AS
    span_u = cum[np.minimum(end, AS) - base] - cum[np.minimum(start, AS) - base]
    n_max = np.where(buyer, np.ceil(span_u / mean_gap * 1.5 + 6), 0).astype(np.int64)
    pc, pk = expand(n_max)
    gaps = np.where(regular[pc], rng.uniform(0.6, 1.4, len(pc)), rng.gamma(3.0, 1 / 3.0, len(pc))) * mean_gap[pc]
    new_account = start[pc] > sim.W0 + 45
    gaps = np.where(pk == 0, np.where(new_account, 0.0, rng.random(len(pc)) * mean_gap[pc]), gaps)
    csum = np.cumsum(gaps)
    first_row = np.cumsum(n_max) - n_max
    u = cum[start[pc] - base] + csum - (csum[first_row[pc]] - gaps[first_row[pc]])
    day = np.searchsorted(cum, u, side="left") + base
    keep = day <= end[pc]
    return pc[keep], day[keep].astype(np.int64)


def _orders(sim: Sim) -> list[Frame]:
    rng = sim.rng("orders")
    s, AS, END = sim.s, sim.AS, sim.END
    n = sim.n_customers
    spend, start, end = s["c_spend"], s["c_start"], s["c_end"]
    prospect, beh, g1, g2 = s["c_prospect"], s["c_beh"], s["c_g1"], s["c_g2"]
    lam = np.clip(8.0 * (spend / 40_000) ** 0.25, 6.0, 40.0)  # completed orders per year
    mean_amt = spend / lam
    growth = rng.normal(0.05, 0.2, n)
    regular = (beh == 0) & ~prospect & (rng.random(n) < 0.6)
    buyer = ~prospect

    # completed orders: a renewal process in seasonal "operational time", mapped back to
    # days through the cumulative seasonal intensity (busy months get more orders,
    # weekends few). Regular buyers have bounded gaps (0.6-1.4 x mean, so they never
    # look churned), the others gamma(3) gaps.
    cum, base = sim.season_cum()
    mean_gap = 365.0 / lam
    parts_c, parts_d = [], []
    for lo in range(0, n, CHUNK):  # customer chunks bound the memory of the expansion
        hi = min(n, lo + CHUNK)
        c, d = _renewal_days(rng, sim, cum, base, start[lo:hi], end[lo:hi], mean_gap[lo:hi],
                             regular[lo:hi], buyer[lo:hi])
        keep = ~((d > g1[lo:hi][c]) & (d < g2[lo:hi][c]))  # won back: nothing inside the gap
        parts_c.append(c[keep] + lo)
        parts_d.append(d[keep])
    pc, p_day = np.concatenate(parts_c), np.concatenate(parts_d)
    del parts_c, parts_d
    wbc = np.flatnonzero(beh == 2)
    wb_day = g2[wbc] + np.floor(rng.random(len(wbc)) * np.minimum(45, AS - g2[wbc] + 1)).astype(np.int64)
    # cancelled / refunded orders on top (~11 % of the completed ones), inside the window
    xc = pc[rng.random(len(pc)) < 0.11]
    lo_x, hi_x = start[xc], np.where(beh[xc] == 2, np.minimum(end[xc], g1[xc]), end[xc])
    x_day = lo_x + np.floor(rng.random(len(xc)) * np.maximum(hi_x - lo_x + 1, 1)).astype(np.int64)
    # campaign attendees buy within 30 days after the event
    att = s["cm_att"].copy()
    cc, ce = s["cm_cust"], s["cm_event"]
    cday = ce + 1 + np.floor(rng.random(len(cc)) * 30).astype(np.int64)
    ok = att & (cday <= AS) & (cday >= start[cc]) & (cday <= end[cc]) & ~((cday > g1[cc]) & (cday < g2[cc]))
    ok &= ~prospect[cc] & (rng.random(len(cc)) < 0.35)
    c_cust, c_day = cc[ok], cday[ok]

    cust = np.concatenate([pc, wbc, c_cust, xc]).astype(np.int32)
    day = np.concatenate([p_day, wb_day, c_day, x_day]).astype(np.int32)
    kind = np.concatenate([np.zeros(len(pc), np.int8), np.ones(len(wbc), np.int8),
                           np.full(len(c_cust), 2, np.int8), np.full(len(xc), 3, np.int8)])
    del pc, p_day, wbc, wb_day, c_cust, c_day, xc, x_day, lo_x, hi_x
    m = len(cust)
    ts = day.astype(np.int64) * DAY + tod(rng, m)
    order = np.lexsort((cust, ts))  # ids are issued in time order
    cust, day, kind, ts = cust[order], day[order], kind[order], ts[order]
    del order
    status = np.where(kind == 3, np.where(rng.random(m) < 0.6, 1, 2), 0).astype(np.int8)
    amt = mean_amt[cust]
    amt *= np.exp(rng.normal(-0.15, 0.55, m))
    amt *= (MONTH_WEIGHT ** 0.5)[month_index(day) % 12]
    amt *= np.exp(growth[cust] * ((day - AS) / 365.0))
    amt[kind == 2] *= 1.2
    cents = (np.maximum(10, np.round(amt / 10)) * 1000).astype(np.int64)
    del amt, kind
    category = pick_grouped(rng, s["c_industry"][cust], [V.INDUSTRY_CATEGORY_WEIGHTS[i] for i in INDUSTRIES])
    prim = rng.random(m) < 0.55
    category[prim] = s["c_primary"][cust[prim]]
    del prim
    lag_lo = np.array([0, 0, 5 * DAY])[status]
    lag = lag_lo + (rng.random(m) * np.array([7 * DAY, 3 * DAY, 35 * DAY])[status]).astype(np.int64)
    del lag_lo
    upd = np.maximum(np.minimum(ts + lag, END), ts)
    del lag
    rep = _other_rep(sim, rng, s["c_owner"][cust], 0.05, day)
    rep_out = np.where(rng.random(m) < 0.02, INT_NULL, rep + 1)
    del rep, ts

    s["o_cust"], s["o_day"], s["o_status"], s["o_cents"] = cust, day, status, cents
    done = status == 0
    first = np.full(n, DAY_NULL, dtype=np.int64)
    # first completed order per customer (orders are time-sorted)
    uniq, first_idx = np.unique(cust[done], return_index=True)
    first[uniq] = day[done][first_idx]
    s["c_first_order"] = first
    del done, uniq, first_idx
    sim.widths["order"] = id_width(m, 9)

    sty, msty = sim.style(rng, m)
    f = Frame("orders", m)
    f.ints("oid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.day("day", day)
    f.ints("amt", cents)
    f.codes("cat", category, V.PRODUCT_CATEGORIES)
    f.codes("status", status, ORDER_STATUSES)
    f.ints("rep", rep_out)
    f.ts("upd", upd)
    f.ints("sty", sty)
    f.ints("msty", msty)
    f.col("order_id", id_sql("oid", "O", sim.widths["order"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("order_date", date_sql("day"))
    f.col("amount", money_sql("amt"), quote=True)
    f.col("product_category", "cat")
    f.col("status", "status")
    f.col("rep_id", id_sql("rep", "R", sim.widths["rep"]))
    f.col("updated_at", ts_sql("upd"))
    return [f]


# --------------------------------------------------------------------------------------
def _structured_touches(rng: np.random.Generator, sim: Sim, lo: int, hi: int):
    """Cadence touches of customers lo..hi-1: one planned touch per period (A monthly,
    B/C quarterly), executed near the planned day with the owner's diligence.
    Returns (touch customer, day, channel) and (plan customer, planned day, channel)."""
    s, AS, W0 = sim.s, sim.AS, sim.W0
    acq, vc = s["c_acq"][lo:hi], s["c_vc"][lo:hi]
    beh, end, start = s["c_beh"][lo:hi], s["c_end"][lo:hi], s["c_start"][lo:hi]
    cad = s["rep_cad"][s["c_owner"][lo:hi]]
    rs = np.maximum(acq, W0)
    monthly = vc == 0
    p0 = np.where(monthly, month_index(rs), month_index(rs) // 3)
    m_as = month_index(np.array([AS]))[0]
    p1 = np.where(monthly, m_as, m_as // 3)
    cnt = np.where(vc <= 2, p1 - p0 + 1, 0)
    c, k = expand(cnt)
    pi = p0[c] + k
    mon = monthly[c]
    pstart = np.where(mon, month_start(pi), month_start(pi * 3))
    plen = np.where(mon, month_start(pi + 1), month_start(pi * 3 + 3)) - pstart
    del pi, k
    planned = pstart + 2 + np.floor(rng.random(len(c)) * np.maximum(plen - 4, 1)).astype(np.int64)
    del pstart, plen, mon
    keep = planned >= rs[c]
    c, planned = c[keep], planned[keep]
    m = len(c)
    cv = vc[c]
    plan_ch = np.where(rng.random(m) < 0.6, CH["visit"], CH["video"]).astype(np.int8)
    b_rows = cv == 1
    plan_ch[b_rows] = np.array([CH["visit"], CH["video"], CH["phone"]], np.int8)[pick(rng, int(b_rows.sum()), [0.3, 0.2, 0.5])]
    c_rows = cv == 2
    plan_ch[c_rows] = np.array([CH["phone"], CH["wechat"], CH["email"]], np.int8)[pick(rng, int(c_rows.sum()), [0.5, 0.35, 0.15])]
    p_exec = cad[c] * np.array([1.0, 0.95, 0.75, 0.0])[cv]
    p_exec[(beh[c] == 1) & (planned > end[c] + 60)] *= 0.5
    done = rng.random(m) < p_exec
    del p_exec
    near = rng.random(m) < 0.85
    off = np.where(near, rng.integers(-3, 4, m), rng.integers(4, 15, m) * np.where(rng.random(m) < 0.5, -1, 1))
    occ_day = planned + off
    del near, off
    ch = np.where(rng.random(m) < 0.88, plan_ch, np.where(cv == 0, CH["phone"], CH["wechat"])).astype(np.int8)
    sel = done & (occ_day >= acq[c]) & (occ_day <= AS)
    touches = (c[sel] + lo, occ_day[sel], ch[sel])
    plan_from = month_start(m_as - PLAN_MONTHS + 1)
    in_plan = (planned >= plan_from) & (planned <= AS) & (planned >= start[c])
    plans = (c[in_plan] + lo, planned[in_plan], plan_ch[in_plan])
    return touches, plans


def _interactions(sim: Sim) -> list[Frame]:
    rng = sim.rng("interactions")
    s, AS, W0, END = sim.s, sim.AS, sim.W0, sim.END
    n = sim.n_customers
    acq, vc, owner = s["c_acq"], s["c_vc"], s["c_owner"]
    cad = s["rep_cad"][owner]
    rs = np.maximum(acq, W0)

    # --- structured cadence touches and the maintenance plan ---------------------------
    st, pl = [], []
    for lo in range(0, n, CHUNK):
        touches, plans = _structured_touches(rng, sim, lo, min(n, lo + CHUNK))
        st.append(touches)
        pl.append(plans)
    plan = [np.concatenate([p[i] for p in pl]) for i in range(3)]
    del pl
    sim.emit(_plan_frame(sim, rng, plan[0], plan[1], plan[2]))
    del plan

    # --- light touches (messages, calls, events) ---------------------------------------
    rate = np.array([8.0, 5.0, 2.5, 0.0])[vc]
    years = (AS - rs + 1) / 365.0
    n_light = rng.poisson(rate * years)
    n_light = np.where(vc == 3, rng.poisson(2 + 1.5 * years), n_light)
    lc, _ = expand(n_light)
    u = rng.random(len(lc))
    u = np.where(vc[lc] == 3, u * u, u)  # prospects: mostly early on
    l_day = rs[lc] + np.floor(u * (AS - rs[lc] + 1)).astype(np.int64)
    del u
    l_ch = np.array([CH["wechat"], CH["phone"], CH["email"], CH["sms"], CH["event"], CH["video"], CH["visit"]], np.int8)[
        pick(rng, len(lc), [0.35, 0.30, 0.15, 0.10, 0.05, 0.03, 0.02])]

    # --- new-customer callbacks after the first completed order --------------------------
    first = s["c_first_order"]
    cb = np.flatnonzero((first != DAY_NULL) & (first < AS))
    on_time = rng.random(len(cb)) < cad[cb]
    late = ~on_time & (rng.random(len(cb)) < 0.5)
    cb_day = first[cb] + np.where(on_time, rng.integers(1, 7, len(cb)), rng.integers(8, 21, len(cb)))
    ok = (on_time | late) & (cb_day <= AS)
    cb, cb_day = cb[ok], cb_day[ok]
    cb_ch = np.array([CH["phone"], CH["visit"], CH["wechat"]], np.int8)[pick(rng, len(cb), [0.7, 0.2, 0.1])]

    cust = np.concatenate([t[0] for t in st] + [lc, cb]).astype(np.int32)
    day = np.concatenate([t[1] for t in st] + [l_day, cb_day]).astype(np.int32)
    ch = np.concatenate([t[2] for t in st] + [l_ch, cb_ch]).astype(np.int8)
    n_st = sum(len(t[0]) for t in st)
    light = np.zeros(len(cust), dtype=bool)
    light[n_st: n_st + len(lc)] = True
    del st, lc, l_day, l_ch, cb, cb_day, cb_ch
    m = len(cust)
    evening = (ch == CH["wechat"]) & (rng.random(m) < 0.15)
    occ = day.astype(np.int64) * DAY + np.where(evening, tod(rng, m, 19 * 60, 180, seconds=False),
                                                 tod(rng, m, 510, 630, seconds=False))
    del evening
    order = np.lexsort((cust, occ))  # ids are issued in time order
    cust, day, ch, light, occ = cust[order], day[order], ch[order], light[order], occ[order]
    del order
    rep = _other_rep(sim, rng, owner[cust], 0.12, day).astype(np.int32)
    is_late = rng.random(m) < s["rep_late"][rep]
    lag = np.where(rng.random(m) < 0.5, rng.uniform(60, 3600, m),
                   np.minimum(np.exp(rng.normal(np.log(3 * HOUR), 0.9, m)), 23 * HOUR))
    lag[is_late] = 25 * HOUR + rng.exponential(40 * HOUR, int(is_late.sum()))
    logged = occ + lag.astype(np.int64)
    del lag, is_late
    keep = logged <= END  # written after the export ran: not in it yet
    cust, day, ch, light, occ, rep, logged = (a[keep] for a in (cust, day, ch, light, occ, rep, logged))
    del keep
    m = len(cust)
    inbound_p = np.where(light, np.where(np.isin(ch, [CH["phone"], CH["wechat"], CH["email"]]), 0.35,
                                         np.where(ch == CH["event"], 0.5, 0.0)), 0.03)
    direction = (rng.random(m) < inbound_p).astype(np.int8)
    del inbound_p, light
    direction[rng.random(m) < 0.04] = -1
    sum_counts = np.array([len(V.SUMMARIES[c]) for c in CHANNELS])
    sum_start = np.cumsum(sum_counts) - sum_counts
    summary = (sum_start[ch] + np.floor(rng.random(m) * sum_counts[ch])).astype(np.int16)
    feedback = np.where(rng.random(m) < 0.6, rng.integers(0, len(V.FEEDBACK), m), -1).astype(np.int8)
    due = day + rng.integers(3, 31, m).astype(np.int32)
    has_next = (rng.random(m) < 0.35) & (due <= AS)
    next_action = np.where(has_next, rng.integers(0, len(V.NEXT_ACTIONS), m), -1).astype(np.int8)
    due[~has_next] = DAY_NULL
    del has_next, day
    sim.widths["interaction"] = id_width(m, 9)

    sty, _ = sim.style(rng, m)
    f = Frame("interactions", m)
    f.ints("iid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.ints("rep", rep + 1)
    f.ts("occ", occ)
    f.ts("logged", logged)
    f.codes("ch", ch, CHANNELS)
    f.codes("dir", direction, ["outbound", "inbound"])
    f.codes("summary", summary, [t for c in CHANNELS for t in V.SUMMARIES[c]])
    f.codes("feedback", feedback, V.FEEDBACK)
    f.codes("next", next_action, V.NEXT_ACTIONS)
    f.day("due", due)
    f.ints("sty", sty)
    f.col("interaction_id", id_sql("iid", "I", sim.widths["interaction"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("rep_id", id_sql("rep", "R", sim.widths["rep"]))
    f.col("occurred_at", ts_sql("occ"))
    f.col("logged_at", ts_sql("logged"))
    f.col("channel", "ch")
    f.col("direction", "dir")
    f.col("summary", "summary", quote=True)
    f.col("customer_feedback", "feedback", quote=True)
    f.col("next_action", "next", quote=True)
    f.col("next_action_due", date_sql("due"))
    return [f]


def _plan_frame(sim: Sim, rng: np.random.Generator, cust: np.ndarray, planned: np.ndarray, ch: np.ndarray) -> Frame:
    order = np.lexsort((cust, planned))
    cust, planned, ch = cust[order], planned[order], ch[order]
    m = len(cust)
    sim.widths["plan"] = id_width(m, 9)
    sty, _ = sim.style(rng, m)
    f = Frame("maintenance_plan", m)
    f.ints("pid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.ints("rep", sim.s["c_owner"][cust] + 1)
    f.day("planned", planned)
    f.codes("ch", ch, CHANNELS)
    f.codes("obj", np.where(rng.random(m) < 0.85, rng.integers(0, len(V.PLAN_OBJECTIVES), m), -1), V.PLAN_OBJECTIVES)
    f.ints("sty", sty)
    f.col("plan_id", id_sql("pid", "P", sim.widths["plan"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("rep_id", id_sql("rep", "R", sim.widths["rep"]))
    f.col("planned_date", date_sql("planned"))
    f.col("channel", "ch")
    f.col("objective", "obj", quote=True)
    return f


# --------------------------------------------------------------------------------------
def _opportunities(sim: Sim) -> list[Frame]:
    rng = sim.rng("opportunities")
    s, AS, W0, END = sim.s, sim.AS, sim.W0, sim.END
    n = sim.n_customers
    vc, acq = s["c_vc"], s["c_acq"]
    # from converted leads
    l_cust = s["lead_conv_cust"]
    l_created = np.minimum(s["lead_conv_at"] + (rng.random(len(l_cust)) * 10 * DAY).astype(np.int64), END - HOUR)
    l_row = s["lead_conv_rows"]
    l_grade = s["lead_conv_grade"]
    # others, weighted to valuable customers and prospects
    n_other = int(round(0.3 * n))
    w = np.array([3.0, 3.0, 1.0, 1.5])[vc]
    o_cust = pick(rng, n_other, w)
    lo = np.maximum(acq[o_cust], W0)
    o_day = lo + np.floor(rng.random(n_other) * (AS - lo + 1)).astype(np.int64)
    o_created = o_day * DAY + tod(rng, n_other)
    cust = np.concatenate([l_cust, o_cust])
    created = np.concatenate([l_created, o_created])
    lead = np.concatenate([l_row, np.full(n_other, -1)])
    m = len(cust)
    cycle = np.exp(rng.normal(np.log(38), 0.7, m)) * DAY
    closed_day = (created + cycle.astype(np.int64)) // DAY
    closed = closed_day * DAY + tod(rng, m)  # closed during office hours
    closed = np.maximum(closed, created + HOUR)
    p_win = np.where(lead >= 0, np.where(np.concatenate([l_grade, np.zeros(n_other, np.int64)]) == 0, 0.6, 0.5), 0.3)
    is_closed = closed <= END
    won = rng.random(m) < p_win
    progress = (END - created) / np.maximum(closed - created, HOUR)
    stage = np.where(is_closed, np.where(won, 3, 4), np.where(progress < 0.3, 0, np.where(progress < 0.65, 1, 2)))
    owner = _other_rep(sim, rng, s["c_owner"][cust], 0.1)
    dil = s["rep_dil"][owner]
    fast = rng.random(m) < 0.3 + 0.5 * dil
    p_hours = np.where(fast, rng.uniform(1, 47, m), 49 + rng.exponential(5 * 24, m))
    prop = created + (p_hours * HOUR).astype(np.int64)
    has_prop = (stage == 1) | (stage == 2) | (stage == 3) | ((stage == 4) & (rng.random(m) < 0.6))
    fix_closed = is_closed & (prop > closed)
    prop = np.where(fix_closed, created + ((closed - created) * rng.uniform(0.2, 0.8, m)).astype(np.int64), prop)
    fix_open = ~is_closed & (prop > END)
    prop = np.where(fix_open, created + ((END - created) * rng.uniform(0.1, 0.9, m)).astype(np.int64), prop)
    prop = np.where(has_prop, prop, INT_NULL)
    closed = np.where(is_closed, closed, INT_NULL)
    spend = s["c_spend"][cust]
    amount = np.where(vc[cust] == 3, np.exp(rng.normal(np.log(80_000), 0.8, m)), spend * rng.uniform(0.15, 0.6, m))
    cents = np.maximum(1, np.round(amount / 100)).astype(np.int64) * 10_000
    cents = np.where(rng.random(m) < 0.05, INT_NULL, cents)
    last = np.maximum(created, np.maximum(prop, closed))
    upd = np.minimum(last + (rng.random(m) * 2 * DAY).astype(np.int64), END)

    order = np.lexsort((cust, created))
    cust, created, lead, stage, owner, prop, closed, cents, upd = (
        a[order] for a in (cust, created, lead, stage, owner, prop, closed, cents, upd))
    sim.widths["opportunity"] = id_width(m, 8)
    sty, msty = sim.style(rng, m)
    f = Frame("opportunities", m)
    f.ints("opid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.ints("lead", np.where(lead >= 0, lead + 1, INT_NULL))
    f.ints("owner", owner + 1)
    f.codes("stage", stage, ["discovery", "proposal", "negotiation", "won", "lost"])
    f.ints("amt", cents)
    f.ts("created", created)
    f.ts("prop", prop)
    f.ts("closed", closed)
    f.ts("upd", upd)
    f.ints("sty", sty)
    f.ints("msty", msty)
    f.col("opportunity_id", id_sql("opid", "OP", sim.widths["opportunity"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("lead_id", id_sql("lead", "L", sim.widths["lead"]))
    f.col("owner_rep_id", id_sql("owner", "R", sim.widths["rep"]))
    f.col("stage", "stage")
    f.col("amount", money_sql("amt"), quote=True)
    f.col("created_at", ts_sql("created"))
    f.col("proposal_sent_at", ts_sql("prop"))
    f.col("closed_at", ts_sql("closed"))
    f.col("updated_at", ts_sql("upd"))
    return [f]


# --------------------------------------------------------------------------------------
def _tickets(sim: Sim) -> list[Frame]:
    rng = sim.rng("tickets")
    s, AS, END = sim.s, sim.AS, sim.END
    start, vc, happy = s["c_start"], s["c_vc"], s["c_happy"]
    active = vc <= 2
    years = np.maximum(AS - start + 1, 0) / 365.0
    cnt = np.where(active, rng.poisson(0.35 * years * (1 + 0.6 * np.maximum(0, -happy))), 0)
    cust, _ = expand(cnt)
    m = len(cust)
    day = start[cust] + np.floor(rng.random(m) * (AS - start[cust] + 1)).astype(np.int64)
    opened = day * DAY + tod(rng, m, 480, 840)
    p_compl = 0.25 + 0.15 * (happy[cust] < -1)
    u = rng.random(m)
    ttype = np.where(u < p_compl, 0, np.where(u < p_compl + 0.4, 1, 2))
    cat_p = np.array([[0.35, 0.20, 0.10, 0.25, 0.10, 0.0],
                      [0.10, 0.20, 0.30, 0.10, 0.20, 0.10],
                      [0.15, 0.25, 0.05, 0.35, 0.10, 0.10]])
    category = pick_grouped(rng, ttype, cat_p)
    category = np.where(rng.random(m) < 0.03, -1, category)
    sev_p = np.array([[0.25, 0.45, 0.30], [0.60, 0.35, 0.05], [0.60, 0.35, 0.05]])
    severity = pick_grouped(rng, ttype, sev_p)
    severity = np.where(rng.random(m) < 0.04, -1, severity)
    compl = ttype == 0
    fast = rng.random(m) < np.where(compl, 0.88, 0.90)
    resp_min = np.where(compl, np.where(fast, rng.uniform(5, 115, m), 120 + rng.exponential(300, m)),
                        np.where(fast, np.minimum(np.exp(rng.normal(np.log(180), 1.0, m)), 1430), 1440 + rng.exponential(1440, m)))
    resp = opened + (resp_min * 60).astype(np.int64)
    resolved_p = np.where(compl, 0.96, 0.97)
    is_res = rng.random(m) < resolved_p
    quick = rng.random(m) < np.where(compl, 0.85, 0.8)
    res_h = np.where(quick, rng.uniform(1, 23.5, m), 24 + rng.exponential(72, m))
    res = np.maximum(opened + (res_h * HOUR).astype(np.int64), resp + 600)
    resp = np.where(resp > END, INT_NULL, resp)
    res = np.where(is_res & (res <= END) & (resp != INT_NULL), res, INT_NULL)
    status = np.where(res == INT_NULL, 0, np.where((res < END - 7 * DAY) & (rng.random(m) < 0.6), 2, 1))
    agent = s["rep_agent"][s["c_owner"][cust]]
    assignee = np.where(agent >= 0, agent, s["c_owner"][cust])
    assignee = np.where(rng.random(m) < 0.05, INT_NULL, assignee + 1)

    order = np.lexsort((cust, opened))
    cust, ttype, category, severity, opened, resp, res, status, assignee = (
        a[order] for a in (cust, ttype, category, severity, opened, resp, res, status, assignee))
    sim.widths["ticket"] = id_width(m, 8)
    sty, _ = sim.style(rng, m)
    f = Frame("tickets", m)
    f.ints("tid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.codes("ttype", ttype, ["complaint", "inquiry", "request"])
    f.codes("cat", category, ["product_quality", "logistics", "price", "service", "billing", "other"])
    f.codes("sev", severity, ["low", "medium", "high"])
    f.ts("opened", opened)
    f.ts("resp", resp)
    f.ts("res", res)
    f.codes("status", status, ["open", "resolved", "closed"])
    f.ints("assignee", assignee)
    f.ints("sty", sty)
    f.col("ticket_id", id_sql("tid", "T", sim.widths["ticket"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("ticket_type", "ttype")
    f.col("category", "cat")
    f.col("severity", "sev")
    f.col("opened_at", ts_sql("opened"))
    f.col("first_response_at", ts_sql("resp"))
    f.col("resolved_at", ts_sql("res"))
    f.col("status", "status")
    f.col("assignee_rep_id", id_sql("assignee", "R", sim.widths["rep"]))
    return [f]


# --------------------------------------------------------------------------------------
def _surveys(sim: Sim) -> list[Frame]:
    rng = sim.rng("surveys")
    s, AS = sim.s, sim.AS
    first, happy = s["c_first_order"], s["c_happy"]
    has = (first != DAY_NULL) & (first + 7 < AS)
    lo = np.where(has, first + 7, AS)
    cnt = np.where(has, rng.poisson(0.45 * (AS - lo + 1) / 365.0), 0)
    cust, _ = expand(cnt)
    m = len(cust)
    day = lo[cust] + np.floor(rng.random(m) * (AS - lo[cust] + 1)).astype(np.int64)
    ts = day * DAY + tod(rng, m, 480, 900)
    z = happy[cust]

    def score(mean: float, zw: float, ew: float) -> np.ndarray:
        return np.clip(np.round(mean + zw * z + ew * rng.normal(0, 1, m)), 1, 5).astype(np.int64)

    overall = score(4.3, 0.7, 0.5)
    quality = score(4.35, 0.6, 0.6)
    respons = score(4.2, 0.6, 0.6)
    comm = score(4.35, 0.6, 0.6)
    value = score(3.9, 0.6, 0.7)
    nps = np.clip(np.round(8.5 + 1.7 * z + 1.0 * rng.normal(0, 1, m)), 0, 10).astype(np.int64)
    part = pick(rng, m, [0.6, 0.2, 0.2])  # 0 both, 1 CSAT only, 2 NPS only
    csat = part != 2
    sub_missing = rng.random((4, m)) < 0.05
    subs = [quality, respons, comm, value]
    subs = [np.where(csat & ~sub_missing[i], a, INT_NULL) for i, a in enumerate(subs)]
    overall = np.where(csat, overall, INT_NULL)
    nps = np.where(part != 1, nps, INT_NULL)
    neg = ((overall != INT_NULL) & (overall <= 2)) | ((nps != INT_NULL) & (nps <= 6) & (overall == INT_NULL))
    pos = ((overall != INT_NULL) & (overall >= 4)) | ((nps != INT_NULL) & (nps >= 9) & (overall == INT_NULL))
    comments = V.COMMENTS_POSITIVE + V.COMMENTS_NEUTRAL + V.COMMENTS_NEGATIVE
    npos, nneu, nneg = len(V.COMMENTS_POSITIVE), len(V.COMMENTS_NEUTRAL), len(V.COMMENTS_NEGATIVE)
    comment = np.where(pos, rng.integers(0, npos, m),
                       np.where(neg, npos + nneu + rng.integers(0, nneg, m), npos + rng.integers(0, nneu, m)))
    comment = np.where(rng.random(m) < 0.35, comment, -1)

    order = np.lexsort((cust, ts))
    cust, ts, overall, nps, comment = (a[order] for a in (cust, ts, overall, nps, comment))
    subs = [a[order] for a in subs]
    sim.widths["survey"] = id_width(m, 8)
    sty, _ = sim.style(rng, m)
    f = Frame("surveys", m)
    f.ints("sid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.ts("ts", ts)
    for name, arr in zip(["q", "r", "c", "v"], subs):
        f.ints(name, arr)
    f.ints("o", overall)
    f.ints("nps", nps)
    f.codes("comment", comment, comments)
    f.ints("sty", sty)
    f.col("response_id", id_sql("sid", "S", sim.widths["survey"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("responded_at", ts_sql("ts"))
    f.col("score_quality", "q::VARCHAR")
    f.col("score_responsiveness", "r::VARCHAR")
    f.col("score_communication", "c::VARCHAR")
    f.col("score_value", "v::VARCHAR")
    f.col("score_overall", "o::VARCHAR")
    f.col("nps_score", "nps::VARCHAR")
    f.col("comment", "comment", quote=True)
    return [f]


# --------------------------------------------------------------------------------------
def _tier_reviews(sim: Sim) -> list[Frame]:
    rng = sim.rng("tier_reviews")
    s, AS, W0, END = sim.s, sim.AS, sim.W0, sim.END
    n = sim.n_customers
    # quarter ends from one year into the history up to as_of
    first_q = month_index(np.array([W0 + 365]))[0] // 3
    last_q = month_index(np.array([AS]))[0] // 3
    q_ends = month_start(np.arange(first_q, last_q + 1) * 3 + 3) - 1
    q_ends = q_ends[(q_ends >= W0 + 365) & (q_ends <= AS)]
    done = s["o_status"] == 0
    oc, od, oa = s["o_cust"][done], s["o_day"][done], s["o_cents"][done] / 100.0
    strategic, acq = s["c_strategic"], s["c_acq"]
    rows_c, rows_q, rows_from, rows_to, rows_appr, rows_appr_ts = [], [], [], [], [], []
    eff = None
    for qi, q in enumerate(q_ends):  # one pass per quarter end (a handful), vectorised over customers
        w = (od > q - 365) & (od <= q)
        spend = np.bincount(oc[w], weights=oa[w], minlength=n)
        comp = np.where(strategic | (spend >= 500_000), 0, np.where(spend >= 100_000, 1, 2))
        exists = acq <= q
        if eff is None:
            eff = comp
            continue
        down = exists & (comp > eff)
        up = exists & (comp < eff) & (rng.random(n) < 0.25)
        latest = qi == len(q_ends) - 1
        p_appr = np.where(eff == 0, 0.5 if latest else 0.7, 0.95)
        appr = np.where(down, rng.random(n) < p_appr, up)
        appr_ts = (q + rng.integers(1, 13, n)) * DAY + tod(rng, n)
        appr = appr & (appr_ts <= END)
        idx = np.flatnonzero(down | up)
        rows_c.append(idx)
        rows_q.append(np.full(len(idx), q))
        rows_from.append(eff[idx])
        rows_to.append(comp[idx])
        rows_appr.append(appr[idx])
        rows_appr_ts.append(appr_ts[idx])
        takes_effect = exists & ((comp < eff) | ((comp > eff) & ((eff != 0) | appr)))
        eff = np.where(takes_effect, comp, eff)
    cat = (lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype))
    cust = cat(rows_c, np.int64)
    qd = cat(rows_q, np.int64)
    frm = cat(rows_from, np.int64)
    to = cat(rows_to, np.int64)
    appr = cat(rows_appr, bool)
    appr_ts = cat(rows_appr_ts, np.int64)
    m = len(cust)
    requester = s["c_owner"][cust]
    approver = s["rep_approver"][requester]
    sim.widths["review"] = id_width(m, 8)
    sty, _ = sim.style(rng, m)
    f = Frame("tier_reviews", m)
    f.ints("trid", np.arange(1, m + 1))
    f.ints("cust", cust + 1)
    f.day("q", qd)
    f.codes("frm", frm, TIERS)
    f.codes("to_t", to, TIERS)
    f.ints("req", requester + 1)
    f.ints("appr", np.where(appr, approver + 1, INT_NULL))
    f.ts("appr_ts", np.where(appr, appr_ts, INT_NULL))
    f.ints("sty", sty)
    f.col("review_id", id_sql("trid", "TR", sim.widths["review"]))
    f.col("customer_id", id_sql("cust", "C", sim.widths["customer"]))
    f.col("reviewed_on", date_sql("q"))
    f.col("from_tier", "frm")
    f.col("to_tier", "to_t")
    f.col("requested_by", id_sql("req", "R", sim.widths["rep"]))
    f.col("approved_by", id_sql("appr", "R", sim.widths["rep"]))
    f.col("approved_at", ts_sql("appr_ts"))
    return [f]
