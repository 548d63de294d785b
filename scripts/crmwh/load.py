"""Land a night's CRM export files, verbatim as text, into the warehouse's raw schema.

What is accepted is the contract of ``raw_exports.md`` (declared once in
``models/staging/crm/_crm__sources.yml``): one file per entity named ``<entity>.csv``,
``.csv.gz``, ``.parquet`` or ``.xlsx``; UTF-8 (with or without BOM) or GB18030/GBK,
detected; English or Chinese headers in any order and case.

Every data row lands in ``raw.<entity>`` with lineage columns. A CSV line that cannot be
split into the header's fields lands too, with ``_parse_error`` and ``_raw_line`` set, so
staging can quarantine it as ``malformed_row``: nothing is dropped. A file that cannot be
read at all (unknown entity, undecodable, not CSV/Excel/Parquet, missing a required
column) raises :class:`ExportError` naming the file and column, and nothing of that night
is loaded: all files of one call are landed in a single transaction.

Loading the same file (same entity, same SHA-256) again is a no-op; a new file appends a
new load, so raw history is kept.

For engines that do not read the DuckDB file (Spark), ``export_landing_parquet`` (or
``load_exports(..., landing_parquet=True)``, ``crmwh load --parquet``) then writes every
raw table, history included, to ``<warehouse_dir>/landing/<table>/part-0.parquet``: the
landing tables of such an engine are external tables over these directories (see the
``crm_register_landing_tables`` on-run-start hook).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import operator
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from crmwh.contract import Entity, load_contract
from crmwh.paths import BUILD_DB_NAME

RAW_SCHEMA = "raw"
MANIFEST_TABLE = f"{RAW_SCHEMA}._load_manifest"
LINEAGE_COLUMNS = {
    "_load_id": "BIGINT",
    "_source_file": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_row_number": "BIGINT",
    "_loaded_at": "TIMESTAMP",
    "_parse_error": "VARCHAR",
    "_raw_line": "VARCHAR",
}
LANDING_DIR_NAME = "landing"
FORMATS = (".csv.gz", ".csv", ".parquet", ".xlsx")
CHUNK_ROWS = 100_000
_READ_BLOCK = 1 << 22


class ExportError(Exception):
    """A night's exports cannot be loaded; the message names the file (and column)."""


@dataclass
class FileLoad:
    entity: str
    path: Path
    file_format: str
    sha256: str
    status: str = "pending"  # loaded | already_loaded
    encoding: str | None = None
    rows: int = 0
    malformed: int = 0
    header_map: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    reader: str | None = None  # csv: "duckdb" (fast path) or "python"; None: xlsx/parquet
    fallback_reason: str | None = None  # why a csv file was not parsed by DuckDB (fast_csv on)


@dataclass
class LoadReport:
    load_id: int | None
    database: Path
    files: list[FileLoad]
    ignored_files: list[str]

    @property
    def loaded(self) -> list[FileLoad]:
        return [f for f in self.files if f.status == "loaded"]


# --------------------------------------------------------------------------- discovery


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in FORMATS:
        if name.endswith(suffix):
            return suffix.lstrip(".")
    return None


def discover_files(exports_dir: Path, entities: dict[str, Entity]) -> tuple[dict[str, tuple[Path, str]], list[str]]:
    """Map entity -> (file, format). Files that are not data files are returned as ignored."""
    if not exports_dir.is_dir():
        raise ExportError(f"{exports_dir}: exports directory does not exist")
    found: dict[str, tuple[Path, str]] = {}
    ignored: list[str] = []
    for path in sorted(exports_dir.iterdir()):
        if path.name.startswith((".", "_")) or not path.is_file():
            ignored.append(path.name)
            continue
        fmt = _format_of(path)
        if fmt is None:
            ignored.append(path.name)
            continue
        entity = path.name[: -len(fmt) - 1].strip().lower()
        if entity not in entities:
            raise ExportError(
                f"{path.name}: unknown entity {entity!r}; export files must be named "
                f"<entity>.csv|.csv.gz|.parquet|.xlsx with entity one of: {', '.join(entities)}"
            )
        if entity in found:
            raise ExportError(
                f"{path.name}: a second file for entity {entity!r} (already {found[entity][0].name}); "
                "export one file per entity per night"
            )
        found[entity] = (path, fmt)
    return found, ignored


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- headers


def _normalise_header(name: object) -> str:
    text = "" if name is None else str(name)
    text = text.replace("\ufeff", "").strip().strip('"').strip()
    text = re.sub(r"\s+", " ", text).lower()
    return text


def header_aliases(entity: Entity) -> dict[str, str]:
    """Normalised header spelling -> contract column name."""
    aliases: dict[str, str] = {}
    for col in entity.columns:
        for spelling in (col.name, col.name.replace("_", " "), col.zh):
            aliases[_normalise_header(spelling)] = col.name
    return aliases


def map_header(entity: Entity, header: list[object], file_name: str) -> tuple[list[str | None], list[str]]:
    """Contract column for each header position (None = ignored), and the ignored names.

    Raises ExportError on a missing required column or a column given twice.
    """
    aliases = header_aliases(entity)
    mapped: list[str | None] = []
    ignored: list[str] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(header, start=1):
        column = aliases.get(_normalise_header(raw))
        if column is None:
            if _normalise_header(raw):
                ignored.append(str(raw))
            mapped.append(None)
            continue
        if column in seen:
            raise ExportError(
                f"{file_name}: column {column!r} appears twice in the header "
                f"(positions {seen[column]} and {position})"
            )
        seen[column] = position
        mapped.append(column)
    missing = [c for c in entity.columns if c.required and c.name not in seen]
    if missing:
        names = ", ".join(f"{c.name!r} ({c.zh})" for c in missing)
        raise ExportError(f"{file_name}: missing required column {names}")
    return mapped, ignored


# --------------------------------------------------------------------------- readers
# Each reader yields (row_number, values, parse_error, raw_line) after first yielding the
# header via `header` attribute; values are aligned with the file's header.


def _open_bytes(path: Path, fmt: str):
    return gzip.open(path, "rb") if fmt == "csv.gz" else open(path, "rb")


def detect_encoding(path: Path, fmt: str) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030'; raises ExportError when neither decodes."""
    try:
        with _open_bytes(path, fmt) as handle:
            head = handle.read(3)
    except (OSError, EOFError) as exc:
        raise ExportError(f"{path.name}: cannot be read ({exc})") from exc
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    failures = []
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with _open_bytes(path, fmt) as handle:
                for block in iter(lambda: handle.read(_READ_BLOCK), b""):
                    if b"\x00" in block:
                        raise ExportError(f"{path.name}: not a CSV text file (contains NUL bytes)")
                    decoder.decode(block)
                    offset += len(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            failures.append(f"{encoding} fails at byte {offset + exc.start}")
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ExportError(f"{path.name}: cannot be read ({exc})") from exc
    raise ExportError(f"{path.name}: cannot be decoded as UTF-8 or GB18030 ({'; '.join(failures)})")


class _LineTap:
    """Feeds lines to csv.reader while remembering them; lets lines be pushed back."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._pending: list[str] = []
        self.taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = self._pending.pop() if self._pending else next(self._lines)
        self.taken.append(line)
        return line

    def push_back(self, lines: list[str]) -> None:
        self._pending.extend(reversed(lines))


def read_csv_rows(path: Path, fmt: str, encoding: str):
    """Yield the header, then (line_number, values, parse_error, raw_line) per record.

    A record whose field count differs from the header's is malformed. When such a record
    spans several physical lines (an unbalanced quote swallowing what follows), only its
    first line is reported as malformed and the following lines are parsed again, so one
    broken quote costs one line, not the rest of the file.
    """
    with _open_bytes(path, fmt) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        tap = _LineTap(iter(text))
        # strict: a quote left open to the end of the file, or closed by a later field's
        # quote with text after it, is an error (-> malformed line), not one giant field
        reader = csv.reader(tap, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise ExportError(f"{path.name}: empty file (no header row)") from None
        except csv.Error as exc:
            raise ExportError(f"{path.name}: header row cannot be parsed ({exc})") from exc
        yield header
        width = len(header)
        line_number = len(tap.taken)
        tap.taken.clear()
        while True:
            try:
                values = next(reader)
                error = None
            except StopIteration:
                break
            except csv.Error as exc:
                values, error = None, f"CSV error: {exc}"
            lines, tap.taken = tap.taken, []
            start = line_number + 1
            if values is not None and len(values) == width:
                line_number += len(lines)
                yield start, values, None, None
                continue
            if values == [] and error is None:  # blank line: not a record
                line_number += len(lines)
                continue
            if error is None:
                error = f"expected {width} fields, found {len(values)}"
            if len(lines) > 1:
                tap.push_back(lines[1:])
                lines = lines[:1]
                error += " (unbalanced quote; re-reading the following lines)"
            line_number += 1
            yield start, None, error, "".join(lines).rstrip("\r\n")


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        # keep sub-seconds and the UTC offset of tz-aware values (a Parquet timestamp in
        # UTC must not be read as local time); naive whole seconds: 2025-03-18 14:05:00
        return value.isoformat(
            sep="T" if value.tzinfo else " ", timespec="microseconds" if value.microsecond else "seconds"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_rows(path: Path):
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a readable workbook"
        raise ExportError(f"{path.name}: not a readable Excel workbook ({exc})") from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ExportError(f"{path.name}: empty worksheet (no header row)")
        yield list(header)
        width = len(header)
        for row_number, row in enumerate(rows, start=2):
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            values = [_cell_text(v) for v in row][:width]
            values += [None] * (width - len(values))
            yield row_number, values, None, None
    finally:
        workbook.close()


def read_parquet_rows(path: Path):
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{path.name}: not a readable Parquet file ({exc})") from exc
    yield list(parquet.schema_arrow.names)
    row_number = 0
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
        columns = [[_cell_text(v) for v in column.to_pylist()] for column in batch.columns]
        for values in zip(*columns, strict=True):
            row_number += 1
            yield row_number, list(values), None, None


# --------------------------------------------------------------------------- landing


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    database.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database))
    # every landed row carries its own lineage (load id, file, row number), so the physical
    # order of a raw table means nothing: without insertion order DuckDB writes a large
    # insert's row groups in parallel and its commit is cheap (at 100 k customers it more
    # than halved the CPU time of writing the raw tables). No progress bar in the night's log.
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = false")
    return con


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, entities: dict[str, Entity]) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for entity in entities.values():
        columns = [f'"{c}" VARCHAR' for c in entity.column_names]
        columns += [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
        con.execute(f"create table if not exists {RAW_SCHEMA}.{entity.name} ({', '.join(columns)})")
        existing = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [RAW_SCHEMA, entity.name],
            ).fetchall()
        }
        for name in entity.column_names:
            if name not in existing:  # the contract gained an optional column
                con.execute(f'alter table {RAW_SCHEMA}.{entity.name} add column "{name}" VARCHAR')
    con.execute(
        f"""
        create table if not exists {MANIFEST_TABLE} (
            load_id BIGINT,
            entity VARCHAR,
            source_file VARCHAR,
            source_path VARCHAR,
            file_sha256 VARCHAR,
            file_format VARCHAR,
            encoding VARCHAR,
            rows_landed BIGINT,
            rows_malformed BIGINT,
            header_map VARCHAR,
            ignored_columns VARCHAR,
            loaded_at TIMESTAMP
        )
        """
    )


def _rows_of(load: FileLoad):
    if load.file_format in ("csv", "csv.gz"):
        if load.encoding is None:  # detected already when the fast path gave the file back
            load.encoding = detect_encoding(load.path, load.file_format)
        return read_csv_rows(load.path, load.file_format, load.encoding)
    if load.file_format == "xlsx":
        return read_xlsx_rows(load.path)
    return read_parquet_rows(load.path)


def _land_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    load: FileLoad,
    load_id: int,
    loaded_at: dt.datetime,
    scratch: _Scratch | None = None,
) -> None:
    """Land one file; a regular CSV file through DuckDB's reader when ``scratch`` is given."""
    if scratch is not None and load.file_format in ("csv", "csv.gz") and _land_csv_fast(
        con, entity, load, load_id, loaded_at, scratch
    ):
        return
    rows = _rows_of(load)
    header = next(rows)
    mapped, load.ignored_columns = map_header(entity, header, load.path.name)
    load.header_map = {str(raw): col for raw, col in zip(header, mapped, strict=True) if col}
    if load.file_format in ("csv", "csv.gz"):
        load.reader = "python"
    positions = {col: i for i, col in enumerate(mapped) if col}
    sink = _RowSink(con, entity, load, load_id, loaded_at)

    # the file's position of each contract column (None: not in the file), computed once
    columns = entity.column_names
    picks = [positions.get(c) for c in columns]
    empty = [None] * len(columns)
    if None in picks:
        def pick(values: list) -> list:
            return [values[i] if i is not None else None for i in picks]
    else:
        getter = operator.itemgetter(*picks)

        def pick(values: list) -> list:
            picked = getter(values)
            return list(picked) if isinstance(picked, tuple) else [picked]

    for row_number, values, parse_error, raw_line in rows:
        if values is None:
            record = list(empty)
            load.malformed += 1
        else:
            record = pick(values)
        record += (row_number, parse_error, raw_line)
        sink.add(record)
        load.rows += 1
    sink.flush()


class _RowSink:
    """Appends records (contract values..., _row_number, _parse_error, _raw_line) to
    ``raw.<entity>`` in chunks of CHUNK_ROWS, through Arrow."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, entity: Entity, load: FileLoad, load_id: int, loaded_at: dt.datetime
    ):
        self.con = con
        self.names = entity.column_names + ["_row_number", "_parse_error", "_raw_line"]
        self.params = [load_id, load.path.name, load.sha256, loaded_at]
        quoted = ", ".join(f'"{n}"' for n in entity.column_names)
        self.insert = (
            f"insert into {RAW_SCHEMA}.{entity.name} ({quoted}, "
            "_load_id, _source_file, _file_sha256, _row_number, _loaded_at, _parse_error, _raw_line) "
            f"select {quoted}, ?, ?, ?, _row_number, ?, _parse_error, _raw_line from chunk"
        )
        self.buffer: list[list] = []

    def add(self, record: list) -> None:
        self.buffer.append(record)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        arrays = {}
        for name, values in zip(self.names, zip(*self.buffer), strict=True):
            arrays[name] = pa.array(values, type=pa.int64() if name == "_row_number" else pa.string())
        chunk = pa.table(arrays)  # noqa: F841 - read by DuckDB's replacement scan
        self.con.execute(self.insert, self.params)
        self.buffer = []


class _Scratch:
    """A scratch directory beside the database for one load call, made on first use."""

    def __init__(self, parent: Path):
        self.parent = parent
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix=".crmwh-load-", dir=self.parent))
        return self._path

    def file_dir(self, load: FileLoad) -> Path:
        path = self.path / load.entity
        path.mkdir(exist_ok=True)
        return path

    def cleanup(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None


def _land_csv_fast(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    load: FileLoad,
    load_id: int,
    loaded_at: dt.datetime,
    scratch: _Scratch,
) -> bool:
    """Land a regular CSV file through DuckDB's reader (``crmwh.load_fastcsv``): the same
    rows, values and row numbers as ``read_csv_rows``. False (nothing landed) when the file
    is not regular; the caller then lands it with the Python reader."""
    from crmwh import load_fastcsv as fast

    # the same checks, in the same order, with the same messages as the Python reader's
    load.encoding = detect_encoding(load.path, load.file_format)
    rows = read_csv_rows(load.path, load.file_format, load.encoding)
    try:
        header = next(rows)
    finally:
        rows.close()
    mapped, ignored = map_header(entity, header, load.path.name)
    work = scratch.file_dir(load)
    try:
        try:
            source, header_encoding = fast.utf8_copy(load.path, load.file_format, load.encoding, work)
            plan = fast.scan(source, header_encoding, header)
            staged = fast.stage(source, len(header), work, plan) if plan.good else None
        except fast.Irregular as exc:
            load.fallback_reason = str(exc)
            return False
        except Exception as exc:  # noqa: BLE001 - nothing is landed yet: the Python reader decides
            load.fallback_reason = f"fast path failed: {exc!r}"
            return False
        load.ignored_columns = ignored
        load.header_map = {str(raw): col for raw, col in zip(header, mapped, strict=True) if col}
        load.reader = "duckdb"
        positions = {col: i for i, col in enumerate(mapped) if col}
        if staged is not None:
            # Python's reader reads an empty field as '', DuckDB's as NULL
            values = [
                f"coalesce(c{positions[c]}, '')" if c in positions else "null" for c in entity.column_names
            ]
            quoted = ", ".join(f'"{n}"' for n in entity.column_names)
            first_line = 2
            row_number = f"{first_line} + file_row_number + ({fast.shift_sql(plan.excluded, first_line)})"
            parquet = str(staged).replace("'", "''")
            con.execute(
                f"insert into {RAW_SCHEMA}.{entity.name} ({quoted}, "
                "_load_id, _source_file, _file_sha256, _row_number, _loaded_at, _parse_error, _raw_line) "
                f"select {', '.join(values)}, ?, ?, ?, {row_number}, ?, null, null "
                f"from read_parquet('{parquet}', file_row_number = true)",
                [load_id, load.path.name, load.sha256, loaded_at],
            )
        sink = _RowSink(con, entity, load, load_id, loaded_at)
        empty = [None] * len(entity.column_names)
        for line, error, raw in plan.malformed:
            sink.add([*empty, line, error, raw])
        sink.flush()
        load.malformed = len(plan.malformed)
        load.rows = plan.good + load.malformed
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_landing_parquet(warehouse_dir: Path | str, *, database_name: str = BUILD_DB_NAME) -> Path:
    """Write every raw table (and the load manifest) to Parquet for engines such as Spark.

    Each table becomes ``<warehouse_dir>/landing/<table>/part-0.parquet`` (one directory per
    table, as Spark's ``create table ... using parquet location`` expects), holding the
    whole raw history exactly as landed in DuckDB: same rows, same text values, lineage
    columns typed (``_loaded_at`` a timestamp without time zone). A table's directory is
    rewritten atomically (written beside it, then renamed), so a reader never sees half of
    it. The file is named ``part-0.parquet``: Spark skips files whose name starts with ``_``
    or ``.`` (so ``_load_manifest.parquet`` would read as empty). Returns the landing directory.
    """
    database = Path(warehouse_dir) / database_name
    landing = Path(warehouse_dir) / LANDING_DIR_NAME
    landing.mkdir(parents=True, exist_ok=True)
    tables = [*load_contract(), MANIFEST_TABLE.split(".", 1)[1]]
    with duckdb.connect(str(database), read_only=True) as con:
        for table in tables:
            final = landing / table
            staging = landing / f".{table}.tmp"
            if staging.exists():
                shutil.rmtree(staging)
            staging.mkdir()
            target = str(staging / "part-0.parquet").replace("'", "''")
            con.execute(f"copy {RAW_SCHEMA}.{table} to '{target}' (format parquet)")
            previous = landing / f".{table}.old"
            if final.exists():
                final.rename(previous)
            staging.rename(final)
            if previous.exists():
                shutil.rmtree(previous)
    return landing


def load_exports(
    exports_dir: Path | str,
    warehouse_dir: Path | str,
    *,
    loaded_at: dt.datetime | None = None,
    database_name: str = BUILD_DB_NAME,
    landing_parquet: bool = False,
    fast_csv: bool = True,
) -> LoadReport:
    """Land every export file of ``exports_dir`` into ``<warehouse_dir>/<database_name>``.

    With ``landing_parquet``, the raw tables are then also written to Parquet
    (:func:`export_landing_parquet`), also when the night was already loaded. CSV files are
    parsed by DuckDB when they are regular (``crmwh.load_fastcsv``), else by Python's csv
    module; ``fast_csv=False`` forces the Python reader (same rows, slower).
    """
    report = _load_exports(
        exports_dir, warehouse_dir, loaded_at=loaded_at, database_name=database_name, fast_csv=fast_csv
    )
    if landing_parquet:
        export_landing_parquet(warehouse_dir, database_name=database_name)
    return report


def _load_exports(
    exports_dir: Path | str,
    warehouse_dir: Path | str,
    *,
    loaded_at: dt.datetime | None,
    database_name: str,
    fast_csv: bool,
) -> LoadReport:
    exports_dir = Path(exports_dir)
    database = Path(warehouse_dir) / database_name
    entities = load_contract()
    found, ignored = discover_files(exports_dir, entities)
    if not found:
        raise ExportError(f"{exports_dir}: no export files (<entity>.csv|.csv.gz|.parquet|.xlsx) found")
    loaded_at = loaded_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    files = [
        FileLoad(entity=name, path=path, file_format=fmt, sha256=sha256_of(path))
        for name, (path, fmt) in found.items()
    ]
    con = _connect(database)
    try:
        ensure_raw_tables(con, entities)
        already = {
            (entity, sha)
            for entity, sha in con.execute(f"select entity, file_sha256 from {MANIFEST_TABLE}").fetchall()
        }
        todo = []
        for load in files:
            if (load.entity, load.sha256) in already:
                load.status = "already_loaded"
            else:
                todo.append(load)
        if not todo:
            return LoadReport(None, database, files, ignored)
        scratch = _Scratch(database.parent) if fast_csv else None
        con.execute("begin transaction")
        try:
            load_id = con.execute(f"select coalesce(max(load_id), 0) + 1 from {MANIFEST_TABLE}").fetchone()[0]
            for load in todo:
                _land_file(con, entities[load.entity], load, load_id, loaded_at, scratch)
                load.status = "loaded"
                con.execute(
                    f"insert into {MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        load_id,
                        load.entity,
                        load.path.name,
                        str(load.path.resolve()),
                        load.sha256,
                        load.file_format,
                        load.encoding,
                        load.rows,
                        load.malformed,
                        json.dumps(load.header_map, ensure_ascii=False),
                        json.dumps(load.ignored_columns, ensure_ascii=False),
                        loaded_at,
                    ],
                )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            for load in todo:
                load.status = "rejected"
            raise
        finally:
            if scratch is not None:
                scratch.cleanup()
        return LoadReport(load_id, database, files, ignored)
    finally:
        con.close()
