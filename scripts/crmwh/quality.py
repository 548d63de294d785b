"""Great Expectations checkpoint on the night's landed data (`raw.<entity>`).

One expectation suite per export entity is GENERATED from the contract declaration
(`models/staging/crm/_crm__sources.yml`, read through :mod:`crmwh.contract`), the code
lists (seed `ref_codes`) and the completeness targets (seed
`policy_completeness_targets`); nothing here lists entities or columns by hand. The
suites are run as GX Checkpoints (one per entity, all under one run id) against the rows
of one load -- the latest, or a given ``load_id`` -- and the results are written as:

    <warehouse_dir>/gx/data_docs/index.html   GX Data Docs (local site) of the last run
    <warehouse_dir>/gx/summary.html           one self-contained page (inline CSS), offline

Entry points: :func:`run_checkpoint` (returns a :class:`QualityResult`; prints nothing)
and :func:`run_gx_command` (prints ``result.text_summary()``, returns an exit code).

How the data reaches GX. The GX SQL datasource over duckdb-engine does not work with GX
1.24 (the connection is closed before results are read; regex expectations are not
supported for the dialect), so each entity's rows of the load are read from DuckDB over a
read-only connection into a pandas DataFrame, the connection is closed, and only then does
GX run (pandas datasource, one dataframe asset per entity, whole-dataframe batch
definition, ValidationDefinition, Checkpoint with an UpdateDataDocsAction). The GX context
is ephemeral (suites, definitions and checkpoints are regenerated on every run; nothing is
written into the repository); only the Data Docs site is on disk. The DataFrame index is
the file's line number, so GX's unexpected-index lists point at lines of the export.

What is validated is the text as landed, cleaned the way staging cleans it: every value
trimmed and the empty string read as missing (``crm_clean_text``). Expectations that need
a staging-style interpretation run on a derived column next to the raw one:

    <col>__code   code normalised like staging (trimmed, case-insensitive, ' '/'-' -> '_',
                  or the Chinese label) -> the canonical code; unrecognised values keep
                  their text so the docs show what came in
    <col>__num    number parsed like staging (``1,250.00``, ``¥``, ``元`` accepted)
    <col>__date   the calendar day of a date/timestamp, parsed like
                  ``crm_parse_timestamp`` (offsets converted to var crm_timezone)

Expectations per entity (all from the contract's column meta):

    rule            expectation                                   mostly        severity
    exists          expect_column_to_exist (required columns)     -             critical
    complete        ..._values_to_not_be_null (required, non-key) target (0.90) warning
    complete_error  ..._values_to_not_be_null (required, non-key) error_below   critical
    key_not_null    ..._values_to_not_be_null (key columns)       0.995         warning
    key_unique      ..._values_to_be_unique / compound unique     0.95          warning
    well_formed     _parse_error ..._to_be_null (CSV lines)       0.99          warning
    code            ..._values_to_be_in_set on <col>__code        0.95          warning
    email, phone    ..._values_to_match_regex                     0.95          warning
    time_form       ..._values_to_match_regex (allowed forms)     0.95          warning
    time_range      ..._values_to_be_between on <col>__date       0.95          warning
    number_form     ..._values_to_match_regex                     0.95          warning
    range           ..._values_to_be_between on <col>__num        0.95          warning
    boolean         ..._values_to_match_regex (accepted words)    0.95          warning

Tolerances (``mostly``), chosen so that a normal dirty night passes except for real
completeness misses. Completeness uses the policy seed: below ``target`` fails as a
warning, below ``error_below`` as an error (severity critical) -- the split of the dbt
completeness tests (warn below target, error below error_below). The denominator is the
night's well-formed lines (``row_condition: _parse_error IS NULL``): a malformed line has
no fields to count; staging quarantines it as ``malformed_row`` and ``well_formed`` counts
it (at most 1 % of the lines). Validity expectations (codes, patterns, forms, ranges)
are computed over the non-empty values and tolerate 5 %: the contract expects dirt
(staging quarantines it row by row), while a systematic break -- a changed date format, a new
code list, shifted columns -- hits far more than 5 % of a column. Keys: a missing key
costs a row (quarantined as missing_key), and dirty exports do lose a few (the bundled
sample: 0.1 % per entity, at most 1 of 253 = 0.4 %), so up to 0.5 % is tolerated
(``KEY_MOSTLY``; 1.0 fails every dirty night). Note that on a table under 200 rows one
missing key already exceeds 0.5 %. Ids are unique within one load up to 5 % (the sample:
at most 3 %; duplicates and re-exported versions are resolved by staging; GX counts
every copy of a repeated id). On the bundled sample the validity expectations see at most
0.9 % unexpected values per column.

Date ranges. By default a date/timestamp must lie between 2000-01-01 and the night's
as-of date. A column's ``time_range`` meta in the contract changes that: ``plan`` (a
planned date: not before 2000-01-01, may lie after the as-of date) and ``life`` (a
birthday or founding date: 1900-01-01 up to the as-of date).

Large tables. An entity whose load has more than ``max_rows`` landed rows (default
250,000) is validated on a deterministic sample of ``max_rows`` of them (the rows with the
smallest hash of their line number); the result says so (``sampled``, ``rows_landed``,
``rows_validated``). Every expectation is a share (``mostly``), which a sample of that
size estimates to about +/-0.1 percentage point; only an isolated defect (a few missing
keys) can be missed. All entities' frames are read before GX starts (the database is
closed while GX runs), so memory is bounded by 12 x ``max_rows`` rows (about 1 GB at the
default; 650k landed rows took 1.0 GB).

Personal data (PIPL). Unexpected values of ``pii`` columns (phone, e-mail, contact name,
address, birthday) are masked in the validation results before Data Docs are rendered
(letters -> ``x``, digits -> ``9``, other letters -> ``*``, punctuation kept, so
``zhang#qq.com`` shows as ``xxxxx#xx.xxx``), by the checkpoint's docs action.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
import yaml

from crmwh.contract import Column, Entity, load_code_lists, load_contract
from crmwh.paths import BUILD_DB_NAME, PROJECT_ROOT, SEEDS_DIR, SOURCES_YML

# ----------------------------------------------------------------------------- policy

KEY_MOSTLY = 0.995
UNIQUE_MOSTLY = 0.95
VALIDITY_MOSTLY = 0.95
WELL_FORMED_MOSTLY = 0.99
DEFAULT_COMPLETENESS_TARGET = 0.90
DEFAULT_COMPLETENESS_ERROR_BELOW = 0.50
DEFAULT_MAX_ROWS = 250_000
EARLIEST_DATE = dt.date(2000, 1, 1)
EARLIEST_LIFE_DATE = dt.date(1900, 1, 1)
TIME_RANGES = ("event", "plan", "life")

# Patterns are matched against the trimmed text (Python `re`, anchored).
EMAIL_REGEX = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
# Chinese mobile (1[3-9] + 9 digits), landline with area code (optionally in
# parentheses, optional extension), 400/800 service numbers; optional +86/0086 prefix;
# spaces and hyphens as separators (staging strips spaces).
PHONE_REGEX = (
    r"^(?:(?:\+|00)?86[-\s]?)?(?:"
    r"1[3-9]\d(?:[-\s]?\d{4}){2}"
    r"|(?:\(0\d{2,3}\)|0\d{2,3})[-\s]?\d{3,4}[-\s]?\d{4}(?:[-\s]?(?:转|ext\.?|x|#)[-\s]?\d{1,6})?"
    r"|[48]00[-\s]?\d{3}[-\s]?\d{4}"
    r")$"
)
# The forms of raw_exports.md, as crm_parse_timestamp accepts them: 2025-03-18 14:05:00,
# 2025-03-18T14:05:00+08:00 (or Z, fractions of a second), 2025/3/18 14:05, 2025-03-18.
TIME_REGEX = (
    r"^\d{4}(?:-|/)(?:0?[1-9]|1[0-2])(?:-|/)(?:0?[1-9]|[12]\d|3[01])"
    r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
NUMBER_REGEX = {
    "money": r"^[¥￥]?\s*-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*元?$",
    "integer": r"^[-+]?\d+$",
    "decimal": r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$",
}
BOOLEAN_REGEX = r"(?i)^(?:true|t|yes|y|1|false|f|no|n|0|是|否|√|×)$"
# (non-capturing groups only: GX runs them through pandas str.contains, which warns on groups)

GX_DIR_NAME = "gx"
SUITE_PREFIX = "raw."
DATASOURCE_NAME = "crm_raw_night"


class QualityError(Exception):
    """The checkpoint cannot run (no warehouse, no load, unknown load id)."""


# ----------------------------------------------------------------------------- contract


@lru_cache(maxsize=None)
def time_ranges(path: Path = SOURCES_YML) -> dict[tuple[str, str], str]:
    """(entity, column) -> time_range meta of the contract's date/timestamp columns."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    source = next(s for s in doc["sources"] if s["name"] == "crm_raw")
    found: dict[tuple[str, str], str] = {}
    for table in source["tables"]:
        for col in table["columns"]:
            meta = col.get("meta", {})
            if meta.get("crm_type") in ("date", "timestamp"):
                value = meta.get("time_range", "event")
                if value not in TIME_RANGES:
                    raise ValueError(f"{table['name']}.{col['name']}: time_range {value!r} not one of {TIME_RANGES}")
                found[(table["name"], col["name"])] = value
    return found


@lru_cache(maxsize=None)
def completeness_targets(
    path: Path = SEEDS_DIR / "policy" / "policy_completeness_targets.csv",
) -> dict[tuple[str, str], tuple[float, float]]:
    """(entity, column) -> (target, error_below) from the policy seed."""
    targets: dict[tuple[str, str], tuple[float, float]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            error_below = row.get("error_below") or DEFAULT_COMPLETENESS_ERROR_BELOW
            targets[(row["entity"], row["column_name"])] = (float(row["target"]), float(error_below))
    return targets


@lru_cache(maxsize=None)
def crm_timezone(path: Path = PROJECT_ROOT / "dbt_project.yml") -> str:
    """var crm_timezone of dbt_project.yml (naive CRM timestamps are local time there)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return str((doc.get("vars") or {}).get("crm_timezone") or "Asia/Shanghai")


def _is_key(entity: Entity, column: Column) -> bool:
    return column.name in entity.key or column.crm_type == "key"


# ----------------------------------------------------------------------------- suites


def _expectation_meta(entity: Entity, rule: str, column: str | None, validated: str | None, **extra) -> dict:
    meta = {"entity": entity.name, "rule": rule, "contract_column": column, "validated_column": validated}
    meta.update(extra)
    return meta


def build_suite(entity: Entity, as_of: dt.date) -> Any:
    """The expectation suite of one entity, generated from its contract declaration."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column as GxColumn

    code_lists = load_code_lists()
    targets = completeness_targets()
    ranges = time_ranges()
    well_formed = GxColumn("_parse_error").is_null()
    as_of_dt = dt.datetime.combine(as_of, dt.time())
    expectations = []

    def add(expectation, rule: str, column: str | None, validated: str | None, **extra) -> None:
        expectation.meta = _expectation_meta(entity, rule, column, validated, **extra)
        expectations.append(expectation)

    for col in entity.columns:
        if col.required:
            add(gxe.ExpectColumnToExist(column=col.name, severity="critical",
                                        notes=f"{col.zh}: required column of the contract."),
                "exists", col.name, col.name)
        if _is_key(entity, col):
            add(gxe.ExpectColumnValuesToNotBeNull(
                column=col.name, mostly=KEY_MOSTLY, row_condition=well_formed, severity="warning",
                notes=f"{col.zh}: key; a row without it is quarantined (missing_key)."),
                "key_not_null", col.name, col.name)
        elif col.required:
            target, error_below = targets.get(
                (entity.name, col.name), (DEFAULT_COMPLETENESS_TARGET, DEFAULT_COMPLETENESS_ERROR_BELOW))
            add(gxe.ExpectColumnValuesToNotBeNull(
                column=col.name, mostly=target, row_condition=well_formed, severity="warning",
                notes=f"{col.zh}: completeness target {target:.0%} (seed policy_completeness_targets)."),
                "complete", col.name, col.name, target=target)
            add(gxe.ExpectColumnValuesToNotBeNull(
                column=col.name, mostly=error_below, row_condition=well_formed, severity="critical",
                notes=f"{col.zh}: completeness below {error_below:.0%} is an error (error_below)."),
                "complete_error", col.name, col.name, target=error_below)

        dirt = f"{col.zh}: up to {1 - VALIDITY_MOSTLY:.0%} dirty values tolerated (quarantined by staging)."
        if col.crm_type == "code" and col.code_list:
            codes = sorted(code_lists.get(col.code_list, {}))
            if not codes:
                raise ValueError(f"{entity.name}.{col.name}: code list {col.code_list!r} not in seed ref_codes")
            derived = f"{col.name}__code"
            add(gxe.ExpectColumnValuesToBeInSet(column=derived, value_set=codes, mostly=VALIDITY_MOSTLY,
                                                severity="warning", notes=dirt + f" Code list {col.code_list}."),
                "code", col.name, derived, code_list=col.code_list)
        elif col.crm_type == "email":
            add(gxe.ExpectColumnValuesToMatchRegex(column=col.name, regex=EMAIL_REGEX, mostly=VALIDITY_MOSTLY,
                                                   severity="warning", notes=dirt),
                "email", col.name, col.name)
        elif col.crm_type == "phone":
            add(gxe.ExpectColumnValuesToMatchRegex(column=col.name, regex=PHONE_REGEX, mostly=VALIDITY_MOSTLY,
                                                   severity="warning", notes=dirt),
                "phone", col.name, col.name)
        elif col.crm_type in ("date", "timestamp"):
            add(gxe.ExpectColumnValuesToMatchRegex(column=col.name, regex=TIME_REGEX, mostly=VALIDITY_MOSTLY,
                                                   severity="warning", notes=dirt),
                "time_form", col.name, col.name)
            kind = ranges.get((entity.name, col.name), "event")
            lower = EARLIEST_LIFE_DATE if kind == "life" else EARLIEST_DATE
            upper = None if kind == "plan" else as_of_dt
            derived = f"{col.name}__date"
            bounds = f"{lower} .. {upper.date() if upper else 'open'}"
            add(gxe.ExpectColumnValuesToBeBetween(
                column=derived, min_value=dt.datetime.combine(lower, dt.time()), max_value=upper,
                mostly=VALIDITY_MOSTLY, severity="warning",
                notes=dirt + f" time_range {kind}: {bounds} (as of {as_of})."),
                "time_range", col.name, derived, time_range=kind)
        elif col.crm_type in NUMBER_REGEX:
            add(gxe.ExpectColumnValuesToMatchRegex(column=col.name, regex=NUMBER_REGEX[col.crm_type],
                                                   mostly=VALIDITY_MOSTLY, severity="warning", notes=dirt),
                "number_form", col.name, col.name)
            if col.min is not None or col.max is not None:
                derived = f"{col.name}__num"
                add(gxe.ExpectColumnValuesToBeBetween(
                    column=derived, min_value=col.min, max_value=col.max, mostly=VALIDITY_MOSTLY,
                    severity="warning", notes=dirt + f" Range {col.min} .. {col.max}."),
                    "range", col.name, derived)
        elif col.crm_type == "boolean":
            add(gxe.ExpectColumnValuesToMatchRegex(column=col.name, regex=BOOLEAN_REGEX, mostly=VALIDITY_MOSTLY,
                                                   severity="warning", notes=dirt),
                "boolean", col.name, col.name)

    key = list(entity.key)
    key_note = "Ids unique within one load; exact duplicates and re-exported versions are resolved by staging."
    if len(key) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=key[0], mostly=UNIQUE_MOSTLY, severity="warning", notes=key_note),
            "key_unique", key[0], key[0])
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=key, mostly=UNIQUE_MOSTLY, severity="warning",
                                                notes=key_note),
            "key_unique", ", ".join(key), ", ".join(key))
    add(gxe.ExpectColumnValuesToBeNull(
        column="_parse_error", mostly=WELL_FORMED_MOSTLY, severity="warning",
        notes="Lines the CSV reader could not split into the header's fields (quarantined as malformed_row)."),
        "well_formed", None, "_parse_error")
    return gx.ExpectationSuite(
        name=f"{SUITE_PREFIX}{entity.name}",
        expectations=expectations,
        meta={"generated_from": "models/staging/crm/_crm__sources.yml", "entity_zh": entity.zh,
              "as_of": as_of.isoformat()},
    )


def build_suites(as_of: dt.date) -> dict[str, Any]:
    """entity -> generated expectation suite, for every entity of the contract."""
    return {name: build_suite(entity, as_of) for name, entity in load_contract().items()}


# ----------------------------------------------------------------------------- reading


@dataclass
class LandedFrame:
    entity: str
    rows_landed: int
    rows_validated: int
    rows_malformed: int
    sampled: bool
    frame: pd.DataFrame


def _clean(column: str) -> str:
    return f"nullif(trim(\"{column}\"), '')"


def _parse_timestamp_sql(expr: str, timezone: str) -> str:
    """Mirror of macros/parsing/crm_parse_timestamp.sql (duckdb__) for one expression."""
    return f"""case
        when regexp_matches({expr}, '([+-][0-9]{{2}}:?[0-9]{{2}}|Z)$')
            then cast(timezone('{timezone}', try_strptime(replace({expr}, 'Z', '+00:00'),
                ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M%z']))
                as timestamp)
        else try_strptime({expr}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f',
            '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M',
            '%Y-%m-%d', '%Y/%m/%d'])
    end"""


def _select_list(entity: Entity, timezone: str) -> list[str]:
    items = ["_row_number", "_parse_error"]
    for col in entity.columns:
        clean = _clean(col.name)
        items.append(f'{clean} as "{col.name}"')
        if col.crm_type == "code" and col.code_list:
            items.append(f"lower(replace(replace({clean}, ' ', '_'), '-', '_')) as \"{col.name}__code\"")
        elif col.crm_type in ("date", "timestamp"):
            items.append(f'cast({_parse_timestamp_sql(clean, timezone)} as date) as "{col.name}__date"')
        elif col.crm_type == "money" and (col.min is not None or col.max is not None):
            stripped = clean
            for token in (",", "¥", "￥", "元", " "):
                stripped = f"replace({stripped}, '{token}', '')"
            items.append(f"try_cast(nullif({stripped}, '') as double) as \"{col.name}__num\"")
        elif col.crm_type in ("integer", "decimal") and (col.min is not None or col.max is not None):
            kind = "bigint" if col.crm_type == "integer" else "double"
            items.append(f'cast(try_cast({clean} as {kind}) as double) as "{col.name}__num"')
    return items


def _normalise_codes(entity: Entity, frame: pd.DataFrame) -> None:
    """<col>__code: the canonical code (by code, case-insensitively, or by Chinese label)."""
    code_lists = load_code_lists()
    for col in entity.columns:
        if not (col.crm_type == "code" and col.code_list):
            continue
        labels = code_lists.get(col.code_list, {})
        by_code = {code.lower(): code for code in labels}
        by_label = {label: code for code, label in labels.items()}
        derived = f"{col.name}__code"
        normalised = frame[derived].astype(object)
        raw = frame[col.name].astype(object)
        mapped = normalised.map(lambda v: by_code.get(v) if isinstance(v, str) else None).astype(object)
        mapped = mapped.where(mapped.notna(), raw.map(lambda v: by_label.get(v) if isinstance(v, str) else None))
        frame[derived] = mapped.where(mapped.notna(), raw).astype(object)


def latest_load_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select max(load_id) from raw._load_manifest").fetchone()
    if row is None or row[0] is None:
        raise QualityError("no load in raw._load_manifest: run `crmwh load` first")
    return int(row[0])


def read_load(
    database: Path, load_id: int | None = None, *, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[int, dict[str, LandedFrame]]:
    """The rows of one load (default: the latest) per entity, as DataFrames for GX.

    Opens ``database`` read-only and closes it before returning. Entities without rows in
    the load are absent from the result.
    """
    if not database.exists():
        raise QualityError(f"{database}: no warehouse database (run `crmwh load` first)")
    entities = load_contract()
    timezone = crm_timezone()
    frames: dict[str, LandedFrame] = {}
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as exc:  # e.g. a dbt run holds the write lock
        raise QualityError(f"{database}: cannot be opened read-only ({exc})") from exc
    try:
        con.execute("set enable_progress_bar = false")
        try:
            if load_id is None:
                load_id = latest_load_id(con)
            known = con.execute("select count(*) from raw._load_manifest where load_id = ?", [load_id]).fetchone()[0]
        except duckdb.CatalogException as exc:
            raise QualityError(f"{database}: no raw._load_manifest (run `crmwh load` first)") from exc
        if not known:
            raise QualityError(f"load {load_id} is not in raw._load_manifest of {database}")
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        for name, entity in entities.items():
            if name not in tables:
                continue
            landed, malformed = con.execute(
                f"select count(*), count(_parse_error) from raw.{name} where _load_id = ?", [load_id]
            ).fetchone()
            if not landed:
                continue
            select = ",\n    ".join(_select_list(entity, timezone))
            source = f"select * from raw.{name} where _load_id = ?"
            sampled = landed > max_rows
            if sampled:
                source += f" order by hash(_row_number), _row_number limit {int(max_rows)}"
            frame = con.execute(
                f"select\n    {select}\nfrom ({source}) as landed order by _row_number", [load_id]
            ).df()
            for column in frame.columns:
                if frame[column].dtype != object and str(frame[column].dtype) in ("str", "string"):
                    frame[column] = frame[column].astype(object)
            frame = frame.set_index("_row_number", drop=True)
            _normalise_codes(entity, frame)
            frames[name] = LandedFrame(name, int(landed), len(frame), int(malformed), sampled, frame)
    finally:
        con.close()
    return int(load_id), frames


# ----------------------------------------------------------------------------- results


@dataclass
class ExpectationOutcome:
    entity: str
    expectation: str  # GX expectation type, e.g. expect_column_values_to_match_regex
    rule: str  # see the module docstring
    column: str | None  # contract column (None: table level)
    validated_column: str | None  # DataFrame column (e.g. industry__code)
    success: bool
    severity: str
    mostly: float | None
    observed: str  # human-readable observed value
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None  # of the values the expectation looked at
    examples: list[str] = field(default_factory=list)
    exception: str | None = None


@dataclass
class EntityOutcome:
    entity: str
    rows_landed: int
    rows_validated: int
    rows_malformed: int
    sampled: bool
    expectations: list[ExpectationOutcome]
    docs_page: Path | None = None

    @property
    def success(self) -> bool:
        return all(e.success for e in self.expectations)

    @property
    def passed(self) -> int:
        return sum(e.success for e in self.expectations)

    @property
    def failed(self) -> int:
        return sum(not e.success for e in self.expectations)

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success and e.severity == "critical"]

    @property
    def failing_columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for e in self.expectations:
            if not e.success:
                seen[e.column or e.validated_column or "(table)"] = None
        return list(seen)


@dataclass
class QualityResult:
    load_id: int
    as_of: dt.date
    entities: dict[str, EntityOutcome]
    not_in_load: list[str]
    elapsed_seconds: float
    read_seconds: float
    validate_seconds: float
    gx_dir: Path
    data_docs_index: Path
    summary_html: Path

    @property
    def success(self) -> bool:
        """Every expectation of every validated entity passed."""
        return all(e.success for e in self.entities.values())

    @property
    def has_errors(self) -> bool:
        """A critical expectation failed (a required column missing, completeness below error_below)."""
        return any(e.errors for e in self.entities.values())

    @property
    def passed(self) -> int:
        return sum(e.passed for e in self.entities.values())

    @property
    def failed(self) -> int:
        return sum(e.failed for e in self.entities.values())

    @property
    def evaluated(self) -> int:
        return self.passed + self.failed

    @property
    def failing_columns(self) -> dict[str, list[str]]:
        return {name: e.failing_columns for name, e in self.entities.items() if e.failing_columns}

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [x for e in self.entities.values() for x in e.expectations if not x.success]

    def text_summary(self) -> str:
        status = "PASSED" if self.success else ("FAILED (errors)" if self.has_errors else "FAILED (warnings only)")
        lines = [
            f"gx checkpoint: load {self.load_id}, as of {self.as_of}: {status}; "
            f"{self.passed}/{self.evaluated} expectations passed, {len(self.entities)} entities, "
            f"{self.elapsed_seconds:.1f} s (read {self.read_seconds:.1f} s, "
            f"validate+docs {self.validate_seconds:.1f} s)"
        ]
        for name, outcome in self.entities.items():
            rows = f"{outcome.rows_validated:,}" + (f" of {outcome.rows_landed:,} (sample)" if outcome.sampled else "")
            lines.append(f"  {name:<18} {rows:>14} rows  {outcome.passed:>3}/{len(outcome.expectations):<3} passed")
            for e in outcome.expectations:
                if not e.success:
                    lines.append(f"      {e.severity:<8} {e.column or e.validated_column}: {e.rule} -- {e.observed}")
        if self.not_in_load:
            lines.append(f"  not in load {self.load_id}: {', '.join(self.not_in_load)}")
        lines.append(f"  data docs: {self.data_docs_index}")
        lines.append(f"  summary:   {self.summary_html}")
        return "\n".join(lines)


def _percent(share: float) -> str:
    return f"{round(share * 100, 4):g}%"


def _observed(etype: str, rule: str, result: dict, mostly: float | None, success: bool) -> tuple[str, list[str]]:
    examples = [str(v) for v in (result.get("partial_unexpected_list") or []) if v is not None][:5]
    if etype == "expect_column_to_exist":
        return ("present" if success else "missing"), []
    count = result.get("element_count")
    unexpected = result.get("unexpected_count")
    missing = result.get("missing_count")
    need = f" (needs >= {_percent(mostly)})" if mostly is not None else ""
    if etype == "expect_column_values_to_not_be_null" and count is not None:
        filled = count - (unexpected or 0)
        share = filled / count if count else 1.0
        return f"{filled:,} of {count:,} filled = {share:.1%}{need}", []
    if etype == "expect_column_values_to_be_null" and count is not None:
        allowed = f" (allows <= {_percent(1 - mostly)})" if mostly is not None else ""
        return f"{unexpected or 0:,} of {count:,} lines malformed{allowed}", []
    if count is None:
        return "no result", []
    checked = count - (missing or 0)
    share_ok = (checked - (unexpected or 0)) / checked if checked else 1.0
    text = f"{unexpected or 0:,} of {checked:,} non-empty values unexpected; {share_ok:.1%} valid{need}"
    if examples:
        text += "; e.g. " + ", ".join(examples)
    return text, examples


def collect_outcomes(entity: str, validation_result: Any) -> list[ExpectationOutcome]:
    """ExpectationOutcome per expectation of one GX validation result, in suite order."""
    outcomes = []
    for res in validation_result.results:
        config = res.expectation_config
        meta = config.meta or {}
        kwargs = config.kwargs
        result = res.result or {}
        etype = config.type
        exception = None
        if res.exception_info and res.exception_info.get("raised_exception"):
            exception = str(res.exception_info.get("exception_message"))
        mostly = kwargs.get("mostly")
        if mostly is None and etype.startswith(("expect_column_values", "expect_compound")):
            mostly = 1.0
        observed, examples = _observed(etype, meta.get("rule", ""), result, mostly, bool(res.success))
        if exception:
            observed = f"error: {exception}"
        severity = getattr(config, "severity", None) or "critical"
        outcomes.append(
            ExpectationOutcome(
                entity=entity,
                expectation=etype,
                rule=meta.get("rule", ""),
                column=meta.get("contract_column"),
                validated_column=meta.get("validated_column") or kwargs.get("column"),
                success=bool(res.success),
                severity=str(getattr(severity, "value", severity)),
                mostly=mostly,
                observed=observed,
                element_count=result.get("element_count"),
                unexpected_count=result.get("unexpected_count"),
                unexpected_percent=result.get("unexpected_percent"),
                examples=examples,
                exception=exception,
            )
        )
    return outcomes


# ----------------------------------------------------------------------------- PII masking


def mask_value(value: object) -> object:
    """Shape of a personal value: letters -> x, digits -> 9, CJK -> *, punctuation kept."""
    if not isinstance(value, str):
        return value
    out = []
    for ch in value:
        if ch.isascii() and ch.isalpha():
            out.append("x")
        elif ch.isdigit():
            out.append("9")
        elif ch.isalpha():
            out.append("*")
        else:
            out.append(ch)
    return "".join(out)


def _pii_columns() -> dict[str, set[str]]:
    """entity -> DataFrame columns carrying personal data (raw and derived)."""
    found: dict[str, set[str]] = {}
    for name, entity in load_contract().items():
        for col in entity.columns:
            if col.pii:
                found.setdefault(name, set()).update(
                    {col.name, f"{col.name}__code", f"{col.name}__date", f"{col.name}__num"})
    return found


def redact_validation_result(validation_result: Any, pii_columns: set[str]) -> bool:
    """Mask unexpected values of personal-data columns in place; True if anything changed."""
    changed = False
    for res in validation_result.results:
        column = res.expectation_config.kwargs.get("column")
        if column not in pii_columns or not res.result:
            continue
        for key in ("partial_unexpected_list", "unexpected_list"):
            if res.result.get(key):
                res.result[key] = [mask_value(v) for v in res.result[key]]
                changed = True
        for key in ("partial_unexpected_counts", "unexpected_counts"):
            if res.result.get(key):
                res.result[key] = [{**item, "value": mask_value(item.get("value"))} for item in res.result[key]]
                changed = True
    return changed


def _docs_action_class():
    """UpdateDataDocsAction that first masks personal data in the validation results.

    A subclass, not a separate action: a GX 1.24 Checkpoint always runs its
    UpdateDataDocsActions before any other action, whatever the list order. Defined once:
    GX registers action classes by their ``type``.
    """
    global _DOCS_ACTION
    if _DOCS_ACTION is not None:
        return _DOCS_ACTION
    from great_expectations.checkpoint import UpdateDataDocsAction

    class MaskedUpdateDataDocsAction(UpdateDataDocsAction):
        """Mask unexpected values of PIPL personal-data columns, then update Data Docs."""

        type: Literal["crmwh_masked_update_data_docs"] = "crmwh_masked_update_data_docs"

        def run(self, checkpoint_result, action_context=None) -> dict:  # noqa: ANN001 - GX signature
            context = self._data_context or self._resolve_context().context
            pii = _pii_columns()
            for identifier, result in checkpoint_result.run_results.items():
                entity = result.suite_name.removeprefix(SUITE_PREFIX)
                if redact_validation_result(result, pii.get(entity, set())):
                    context.validation_results_store.set(identifier, result)
            return super().run(checkpoint_result, action_context)

    _DOCS_ACTION = MaskedUpdateDataDocsAction
    return _DOCS_ACTION


_DOCS_ACTION = None


# ----------------------------------------------------------------------------- context


def _gx_context(gx_dir: Path) -> Any:
    """An ephemeral GX context (stores in memory) with its Data Docs site under gx_dir.

    Suites, validation definitions and checkpoints are generated from the contract on every
    run, so nothing needs persisting; the Data Docs site shows the last run.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, ProgressBarsConfig

    def in_memory(class_name: str) -> dict:
        return {"class_name": class_name, "store_backend": {"class_name": "InMemoryStoreBackend"}}

    config = DataContextConfig(
        expectations_store_name="expectations_store",
        validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store",
        stores={
            "expectations_store": in_memory("ExpectationsStore"),
            "validation_results_store": in_memory("ValidationResultsStore"),
            "checkpoint_store": in_memory("CheckpointStore"),
            "validation_definition_store": in_memory("ValidationDefinitionStore"),
        },
        data_docs_sites={
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(gx_dir / "data_docs"),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


# ----------------------------------------------------------------------------- checkpoint


def run_checkpoint(
    warehouse_dir: Path | str,
    as_of: dt.date,
    load_id: int | None = None,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> QualityResult:
    """Validate the landed rows of one load (default: the latest) against the generated suites.

    Reads ``<warehouse_dir>/build.duckdb`` read-only (closed again before GX starts), runs
    one GX Checkpoint per entity with rows in the load (pandas dataframe batch; action:
    mask personal data, then update Data Docs under ``<warehouse_dir>/gx/data_docs``),
    writes ``<warehouse_dir>/gx/summary.html`` and returns a :class:`QualityResult`.
    Prints nothing; ``result.text_summary()`` is the terminal summary. Raises
    :class:`QualityError` when there is no warehouse, no load, or no such load.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    started = time.perf_counter()
    warehouse_dir = Path(warehouse_dir).resolve()  # GX needs an absolute Data Docs directory
    gx_dir = warehouse_dir / GX_DIR_NAME
    load_id, frames = read_load(warehouse_dir / BUILD_DB_NAME, load_id, max_rows=max_rows)
    read_seconds = time.perf_counter() - started

    validating = time.perf_counter()
    # the Data Docs site shows this run only: drop the pages of the previous run
    shutil.rmtree(gx_dir / "data_docs", ignore_errors=True)
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = _gx_context(gx_dir)
    datasource = context.data_sources.add_pandas(DATASOURCE_NAME)
    suites = build_suites(as_of)
    definitions = {}
    for name, landed in frames.items():
        asset = datasource.add_dataframe_asset(
            name,
            batch_metadata={"load_id": load_id, "as_of": as_of.isoformat(), "rows_landed": landed.rows_landed,
                            "rows_validated": landed.rows_validated, "sampled": landed.sampled},
        )
        batch = asset.add_batch_definition_whole_dataframe(f"load_{load_id}")
        suite = context.suites.add(suites[name])
        definitions[name] = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{SUITE_PREFIX}{name}", data=batch, suite=suite))
    run_id = RunIdentifier(run_name=f"load_{load_id}_as_of_{as_of.isoformat()}",
                           run_time=dt.datetime.now(dt.timezone.utc))
    outcomes: dict[str, EntityOutcome] = {}
    # One Checkpoint per entity under one run id: a dataframe batch is passed as a batch
    # parameter of a checkpoint run, and a run passes the same parameters to every
    # validation definition of its checkpoint.
    for name, definition in definitions.items():
        landed = frames[name]
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{SUITE_PREFIX}{name}",
                validation_definitions=[definition],
                actions=[_docs_action_class()(name="update_data_docs")],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20},
            )
        )
        checkpoint_result = checkpoint.run(batch_parameters={"dataframe": landed.frame}, run_id=run_id)
        for identifier, validation_result in checkpoint_result.run_results.items():
            outcomes[name] = EntityOutcome(
                entity=name,
                rows_landed=landed.rows_landed,
                rows_validated=landed.rows_validated,
                rows_malformed=landed.rows_malformed,
                sampled=landed.sampled,
                expectations=collect_outcomes(name, validation_result),
                docs_page=_docs_page(gx_dir, identifier),
            )
    validate_seconds = time.perf_counter() - validating
    result = QualityResult(
        load_id=load_id,
        as_of=as_of,
        entities={name: outcomes[name] for name in load_contract() if name in outcomes},
        not_in_load=[name for name in load_contract() if name not in frames],
        elapsed_seconds=0.0,
        read_seconds=read_seconds,
        validate_seconds=validate_seconds,
        gx_dir=gx_dir,
        data_docs_index=gx_dir / "data_docs" / "index.html",
        summary_html=gx_dir / "summary.html",
    )
    result.elapsed_seconds = time.perf_counter() - started
    write_summary_html(result, result.summary_html)
    result.elapsed_seconds = time.perf_counter() - started
    return result


def _docs_page(gx_dir: Path, identifier: Any) -> Path | None:
    """Data Docs page of one validation result: validations/<suite, split on '.'>/<run
    name>/<run time>/<batch id>.html (the layout of GX's local site)."""
    suite, *rest = identifier.to_tuple()
    page = gx_dir.joinpath("data_docs", "validations", *suite.split("."), *map(str, rest))
    page = page.with_name(page.name + ".html")
    return page if page.exists() else None


# ----------------------------------------------------------------------------- summary page

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin-top:.4rem}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}tr.fail td{background:#fdecea}tr.warn td{background:#fff6e0}
.ok{color:#1b7f3b;font-weight:600}.bad{color:#b3261e;font-weight:600}.warnt{color:#9a6700;font-weight:600}
code{font-size:.8rem;word-break:break-all}.small{color:#555;font-size:.8rem}
"""


def _h(value: object) -> str:
    return html.escape("" if value is None else str(value))


def write_summary_html(result: QualityResult, path: Path) -> Path:
    """One self-contained page (inline CSS, no scripts, no external assets)."""
    status = "passed" if result.success else ("failed (errors)" if result.has_errors else "failed (warnings)")
    css_class = "ok" if result.success else ("bad" if result.has_errors else "warnt")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>CRM raw data quality - load {result.load_id}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>CRM raw data quality (Great Expectations) &mdash; load {result.load_id}, as of {result.as_of}</h1>",
        f'<p>Status: <span class="{css_class}">{_h(status)}</span>; '
        f"{result.passed} of {result.evaluated} expectations passed; {len(result.entities)} entities validated; "
        f"run time {result.elapsed_seconds:.1f} s.</p>",
        f'<p class="small">Suites generated from models/staging/crm/_crm__sources.yml. Values are trimmed, '
        f"empty = missing; <code>__code</code>, <code>__num</code>, <code>__date</code> columns are the values "
        f"normalised/parsed like staging. Personal-data values are masked. "
        f'GX Data Docs (needs a network for its styling): <a href="data_docs/index.html">'
        f"<code>{_h(result.data_docs_index)}</code></a></p>",
        "<h2>Entities</h2><table><tr><th>entity</th><th>rows validated</th><th>rows landed</th>"
        "<th>malformed lines</th><th>passed</th><th>failed</th><th>status</th><th>failing columns</th></tr>",
    ]
    for name, e in result.entities.items():
        cls = "" if e.success else (' class="fail"' if e.errors else ' class="warn"')
        parts.append(
            f"<tr{cls}><td><a href=\"#{_h(name)}\">{_h(name)}</a></td><td>{e.rows_validated:,}"
            f"{' (sample)' if e.sampled else ''}</td><td>{e.rows_landed:,}</td><td>{e.rows_malformed:,}</td>"
            f"<td>{e.passed}</td><td>{e.failed}</td>"
            f"<td>{'passed' if e.success else ('error' if e.errors else 'warning')}</td>"
            f"<td>{_h(', '.join(e.failing_columns))}</td></tr>"
        )
    parts.append("</table>")
    if result.not_in_load:
        parts.append(f"<p>Not in load {result.load_id}: {_h(', '.join(result.not_in_load))}</p>")
    if result.failures:
        parts.append("<h2>Failed expectations</h2><table><tr><th>entity</th><th>column</th><th>rule</th>"
                     "<th>expectation</th><th>severity</th><th>observed</th></tr>")
        for e in result.failures:
            parts.append(
                f"<tr class=\"{'fail' if e.severity == 'critical' else 'warn'}\"><td>{_h(e.entity)}</td>"
                f"<td>{_h(e.column or e.validated_column)}</td><td>{_h(e.rule)}</td><td>{_h(e.expectation)}</td>"
                f"<td>{_h(e.severity)}</td><td>{_h(e.observed)}</td></tr>"
            )
        parts.append("</table>")
    for name, e in result.entities.items():
        parts.append(f'<h2 id="{_h(name)}">{_h(name)} &mdash; {e.passed}/{len(e.expectations)} passed</h2>')
        parts.append("<table><tr><th>column</th><th>validated as</th><th>rule</th><th>expectation</th>"
                     "<th>mostly</th><th>severity</th><th>success</th><th>observed</th></tr>")
        for x in e.expectations:
            cls = "" if x.success else (' class="fail"' if x.severity == "critical" else ' class="warn"')
            mostly = "" if x.mostly is None else f"{x.mostly:g}"
            parts.append(
                f"<tr{cls}><td>{_h(x.column or '(table)')}</td><td><code>{_h(x.validated_column)}</code></td>"
                f"<td>{_h(x.rule)}</td><td>{_h(x.expectation)}</td><td>{mostly}</td><td>{_h(x.severity)}</td>"
                f"<td class=\"{'ok' if x.success else 'bad'}\">{'yes' if x.success else 'NO'}</td>"
                f"<td>{_h(x.observed)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def run_gx_command(
    warehouse_dir: Path | str,
    as_of: dt.date,
    load_id: int | None = None,
    *,
    fail_on: Literal["error", "warning"] = "error",
) -> int:
    """`crmwh gx`: run the checkpoint and print its summary.

    Exit code: 0 passed (with ``fail_on="error"``: also when only warning-level
    expectations failed, as dbt treats warn tests), 1 failed, 2 cannot run (message on
    stderr).
    """
    try:
        result = run_checkpoint(warehouse_dir, as_of, load_id)
    except QualityError as exc:
        print(f"crmwh gx: {exc}", file=sys.stderr)
        return 2
    print(result.text_summary())
    failed = result.has_errors if fail_on == "error" else not result.success
    return 1 if failed else 0
