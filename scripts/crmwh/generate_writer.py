"""Turn generated numpy columns into export files (helper of `generate.py`).

A `Frame` holds one entity as numpy arrays (codes, integers, day numbers, epoch seconds)
plus, per contract column, a DuckDB SQL expression that renders the text a CRM would
export. Dirt is expressed on the frame before rendering:

- `override(col, rows, token)`: replace a cell's text by a fixed token ('' = missing,
  '2025-13-45', 'fax', 'C9999999', ...);
- `take(index)`: reorder / repeat rows (exact duplicates, re-exported versions);
- `malformed`: per-row flag, 1 = line gets an extra field, 2 = line loses its last field
  (CSV only).

Rendering runs in DuckDB over an Arrow table (a pure projection, so insertion order is
kept); each CSV line is built in SQL and the Arrow string buffer of a batch is written to
the file as is. Nothing here loops over rows in Python.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

INT_NULL = np.iinfo(np.int64).min  # null marker of int64 arrays (ints, epoch seconds)
DAY_NULL = np.iinfo(np.int32).min  # null marker of int32 day numbers
INT32_NULL = np.iinfo(np.int32).min  # null marker of int32-stored integers


def null_marker(values: np.ndarray) -> int:
    """Null marker of an integer array: the smallest value of its dtype (INT_NULL for
    int64, INT32_NULL for int32, ...)."""
    return int(np.iinfo(values.dtype).min)

EXTRA_FIELD = "备注:见附件"
BATCH_ROWS = 1_000_000  # rows per result batch written at a time
SCAN_BATCH_ROWS = 1 << 17  # rows per Arrow batch DuckDB scans


class Frame:
    """One entity: input arrays, per-column SQL text expressions, overrides and row flags."""

    def __init__(self, entity: str, n: int):
        self.entity = entity
        self.n = int(n)
        self.arrays: dict[str, np.ndarray] = {}
        self.kinds: dict[str, str] = {}
        self.vocabs: dict[str, list[str]] = {}
        self.exprs: dict[str, str] = {}
        self.quote: set[str] = set()
        # column -> (int16 codes, -1 = none; token list)
        self.overrides: dict[str, tuple[np.ndarray, list[str]]] = {}
        self.malformed = np.zeros(self.n, dtype=np.int8)

    # --- inputs ---------------------------------------------------------------------
    def _add(self, name: str, values: np.ndarray, kind: str) -> None:
        values = np.asarray(values)
        if len(values) != self.n:
            raise ValueError(f"{self.entity}.{name}: {len(values)} values for {self.n} rows")
        self.arrays[name] = values
        self.kinds[name] = kind

    def ints(self, name: str, values) -> None:
        """Integer values; the dtype's minimum (INT_NULL for int64) = null. Stored in the
        smallest integer dtype that fits (its minimum is then the null marker); use
        `is_null()` to test."""
        values = np.asarray(values)
        nulls = values == null_marker(values)
        lo = int(values[~nulls].min()) if (~nulls).any() else 0
        hi = int(values[~nulls].max()) if (~nulls).any() else 0
        for dtype in (np.int8, np.int16, np.int32, np.int64):
            info = np.iinfo(dtype)
            if info.min < lo and hi <= info.max:
                break
        if values.dtype != dtype:
            values = np.where(nulls, np.iinfo(dtype).min, values).astype(dtype)
        self._add(name, values, "int")

    def is_null(self, name: str) -> np.ndarray:
        values = self.arrays[name]
        return values == null_marker(values)

    def ts(self, name: str, values) -> None:
        """Epoch seconds of naive local time; INT_NULL = null."""
        self._add(name, np.asarray(values, dtype=np.int64), "ts")

    def day(self, name: str, values) -> None:
        """Days since 1970-01-01; DAY_NULL = null."""
        self._add(name, np.asarray(values, dtype=np.int32), "date")

    def num(self, name: str, values) -> None:
        """float64; NaN = null."""
        self._add(name, np.asarray(values, dtype=np.float64), "float")

    def codes(self, name: str, codes, vocab: list[str]) -> None:
        """Codes into vocab; -1 = null."""
        codes = np.asarray(codes)
        self._add(name, codes.astype(np.int8 if len(vocab) < 127 else np.int16 if len(vocab) < 32767 else np.int32), "dict")
        self.vocabs[name] = list(vocab)

    def col(self, column: str, expr: str, quote: bool = False) -> None:
        self.exprs[column] = expr
        if quote:
            self.quote.add(column)

    # --- dirt -----------------------------------------------------------------------
    def override(self, column: str, rows: np.ndarray, token: str) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        codes, tokens = self.overrides.get(column, (None, []))
        if codes is None:
            codes = np.full(self.n, -1, dtype=np.int16)
        if token not in tokens:
            tokens.append(token)
        codes[rows] = tokens.index(token)
        self.overrides[column] = (codes, tokens)

    def append_copies(self, rows: np.ndarray) -> np.ndarray:
        """Append copies of `rows` (values, overrides, flags); return the new row numbers."""
        rows = np.asarray(rows, dtype=np.int64)
        index = np.concatenate([np.arange(self.n, dtype=np.int64), rows])
        new = np.arange(self.n, self.n + len(rows), dtype=np.int64)
        self.take(index)
        return new

    def take(self, index: np.ndarray) -> None:
        index = np.asarray(index, dtype=np.int64)
        for name in self.arrays:
            self.arrays[name] = self.arrays[name][index]
        for column, (codes, tokens) in self.overrides.items():
            self.overrides[column] = (codes[index], tokens)
        self.malformed = self.malformed[index]
        self.n = len(index)

    # --- arrow ----------------------------------------------------------------------
    def to_arrow(self) -> pa.Table:
        cols: dict[str, pa.Array] = {}
        for name, values in self.arrays.items():
            kind = self.kinds[name]
            if kind == "int":
                cols[name] = pa.array(values, mask=values == null_marker(values))
            elif kind == "ts":
                mask = values == INT_NULL
                cols[name] = pa.array(np.where(mask, 0, values).view("datetime64[s]"), mask=mask)
            elif kind == "date":
                mask = values == DAY_NULL
                cols[name] = pa.array(np.where(mask, 0, values).astype("datetime64[D]"), mask=mask)
            elif kind == "float":
                cols[name] = pa.array(values, mask=np.isnan(values))
            else:  # dict
                cols[name] = _dict_array(values, self.vocabs[name])
        for column, (codes, tokens) in self.overrides.items():
            cols[f"ov__{column}"] = _dict_array(codes, tokens)
        cols["mal__"] = pa.array(self.malformed)
        table = pa.table(cols)
        # several record batches let DuckDB scan in parallel (order is preserved)
        return pa.Table.from_batches(table.to_batches(max_chunksize=SCAN_BATCH_ROWS), schema=table.schema)

    def field_sql(self, column: str, quote: bool) -> str:
        expr = f"({self.exprs[column]})"
        if column in self.overrides:
            expr = f"coalesce(ov__{column}, {expr})"
        expr = f"coalesce({expr}, '')"
        if quote and column in self.quote:
            expr = f"q({expr})"
        return expr


def _dict_array(codes: np.ndarray, vocab: list[str]) -> pa.DictionaryArray:
    idx = pa.array(codes, mask=codes < 0)
    return pa.DictionaryArray.from_arrays(idx, pa.array(vocab, type=pa.string()))


# --- SQL snippets (style columns: sty 0 = ISO space, 1 = ISO 'T' +08:00, 2 = Excel slash) --
def ts_sql(col: str, sty: str = "sty") -> str:
    # a TIMESTAMP_S cast is 'YYYY-MM-DD HH:MM:SS' and much cheaper than strftime
    return (
        f"CASE {sty} WHEN 0 THEN {col}::VARCHAR "
        f"WHEN 1 THEN replace({col}::VARCHAR, ' ', 'T') || '+08:00' "
        f"ELSE strftime({col}, '%Y/%-m/%-d %H:%M') END"
    )


def date_sql(col: str, sty: str = "sty") -> str:
    return f"CASE WHEN {sty} = 2 THEN strftime({col}, '%Y/%-m/%-d') ELSE {col}::VARCHAR END"


def money_sql(cents: str, msty: str = "msty") -> str:
    """cents (int64) -> '1250.00' | '1,250.00' | '¥1,250.00' (negatives always plain)."""
    plain = f"(({cents})::DECIMAL(18,0) / 100)::DECIMAL(18,2)::VARCHAR"
    grouped = f"format('{{:,.2f}}', ({cents}) / 100.0)"
    return (
        f"CASE WHEN {msty} = 0 OR {cents} < 0 THEN {plain} "
        f"WHEN {msty} = 1 THEN {grouped} ELSE '¥' || {grouped} END"
    )


def id_sql(col: str, prefix: str, width: int) -> str:
    return f"'{prefix}' || lpad(({col})::VARCHAR, {width}, '0')"


def bool_sql(col: str, sty: str = "sty") -> str:
    return (
        f"CASE WHEN {col} IS NULL THEN NULL "
        f"WHEN {sty} = 2 THEN (CASE WHEN {col} = 1 THEN '是' ELSE '否' END) "
        f"WHEN {sty} = 1 THEN (CASE WHEN {col} = 1 THEN '1' ELSE '0' END) "
        f"ELSE (CASE WHEN {col} = 1 THEN 'true' ELSE 'false' END) END"
    )


def id_width(count: int, minimum: int) -> int:
    return max(minimum, len(str(max(int(count), 1))))


# --- writing ----------------------------------------------------------------------------
def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(
        "CREATE MACRO q(x) AS CASE WHEN contains(x, ',') OR contains(x, '\"') "
        "THEN '\"' || replace(x, '\"', '\"\"') || '\"' ELSE x END"
    )
    return con


def _csv_header(names: list[str]) -> str:
    out = []
    for name in names:
        out.append('"' + name.replace('"', '""') + '"' if ("," in name or '"' in name) else name)
    return ",".join(out) + "\n"


class _Sink:
    """Byte sink for csv / csv.gz, transcoding UTF-8 to GB18030 if asked."""

    def __init__(self, path: Path, gz: bool, encoding: str):
        self._raw = open(path, "wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=6, mtime=0) if gz else None
        self._transcode = encoding.lower().replace("-", "") not in ("utf8",)
        self._encoding = encoding

    def write(self, chunk) -> None:
        if self._transcode:
            chunk = bytes(chunk).decode("utf-8").encode(self._encoding)
        (self._gz or self._raw).write(chunk)

    def close(self) -> None:
        if self._gz is not None:
            self._gz.close()
        self._raw.close()


def write_frame(con: duckdb.DuckDBPyConnection, frame: Frame, columns: list[str], header: list[str],
                path: Path, file_format: str, encoding: str) -> int:
    """Render `frame` into `path`; return the number of data rows written."""
    table = frame.to_arrow()
    con.register("frame_src", table)
    try:
        if file_format == "parquet":
            fields = ", ".join(
                f"{frame.field_sql(c, quote=False)} AS \"c{i}\"" for i, c in enumerate(columns)
            )
            reader = con.execute(f"SELECT {fields} FROM frame_src").fetch_record_batch(BATCH_ROWS)
            schema = pa.schema([pa.field(h, pa.string()) for h in header])
            with pq.ParquetWriter(path, schema, compression="zstd") as writer:
                for batch in reader:
                    arrays = [batch.column(i).cast(pa.string()) for i in range(len(columns))]
                    writer.write_batch(pa.record_batch(arrays, schema=schema))
            return frame.n

        parts = [frame.field_sql(c, quote=True) for c in columns]
        head = ", ',', ".join(parts[:-1]) if len(parts) > 1 else "''"
        last = parts[-1]
        # mal__: 1 = extra trailing field, 2 = last field dropped (malformed lines)
        sql = (
            f"SELECT concat({head}, CASE WHEN mal__ = 2 THEN '' ELSE ',' || {last} END, "
            f"CASE WHEN mal__ = 1 THEN ',{EXTRA_FIELD}' ELSE '' END, chr(10)) AS line FROM frame_src"
        )
        reader = con.execute(sql).fetch_record_batch(BATCH_ROWS)
        sink = _Sink(path, gz=file_format == "csv.gz", encoding=encoding)
        try:
            sink.write(_csv_header(header).encode("utf-8"))
            for batch in reader:
                arr = batch.column(0)
                if arr.type != pa.string():
                    arr = arr.cast(pa.string())
                if len(arr) == 0:
                    continue
                bufs = arr.buffers()
                offsets = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset: arr.offset + len(arr) + 1]
                data = memoryview(bufs[2])
                sink.write(data[int(offsets[0]): int(offsets[-1])])
        finally:
            sink.close()
        return frame.n
    finally:
        con.unregister("frame_src")
