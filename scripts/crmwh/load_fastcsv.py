"""The fast path of the loader for CSV files: DuckDB's CSV reader in place of Python's.

``crmwh.load`` defines what a CSV file lands as (``read_csv_rows``: Python's ``csv`` module,
strict, one raw row per record, ``_row_number`` = the physical line a record starts on, a
malformed record costing one line). Parsing row by row in Python is slow (about 45 k rows/s),
so for a file whose every line is *regular* this module lands the same rows with DuckDB:

1. ``utf8_copy``: DuckDB reads UTF-8 only; a GB18030 or gzipped file is first written,
   streaming, as a plain UTF-8 copy (same text, same lines).
2. ``scan``: one vectorised pass (NumPy over 16 MiB blocks) proves the file regular and
   works out what Python's reader makes of each line: every line ends the same way (all ``\\n`` or all ``\\r\\n``; no other ``\\r``), no line is
   longer than Python's field size limit, and every line is a sequence of well-formed
   fields (unquoted without any quote, or quoted with inner quotes doubled), so no
   record spans two lines and no quote is left open. A field count is then the number of
   commas outside quotes plus one; a blank line is no record; a line with another field
   count than the header is malformed (``expected N fields, found M``, the line as
   ``_raw_line``). Anything else (a quoted line break, an unbalanced quote, a stray ``\\r``,
   a header spanning lines) makes the file irregular, and the caller lands it with the
   Python reader as before.
3. ``stage``: DuckDB reads the file (all text, the header's width, rejects stored) into a
   Parquet file in a scratch directory, on its own in-memory connection, so a failure there
   never touches the load's transaction. Its good rows and rejected lines must be exactly
   the scan's, or the file again goes to the Python reader.
4. ``crmwh.load`` lands the good rows with one ``insert ... select`` from the Parquet
   file: good row k (file order) starts on line ``first_line + k`` plus the number of blank
   and malformed lines before it (``shift_sql``: a binary search over those few lines,
   written as nested ``case`` expressions); the malformed lines land as Python's reader
   lands them (no values, ``_parse_error``, ``_raw_line``).
"""

from __future__ import annotations

import codecs
import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

# Python's csv reader fails a field longer than this (csv.Error -> a malformed line); a
# line longer than it is left to the Python reader.
FIELD_SIZE_LIMIT = csv.field_size_limit()
BLOCK_BYTES = 1 << 24
# more excluded (blank or malformed) lines than this: no case-expression search, Python reader
MAX_EXCLUDED = 20_000



@dataclass
class Scan:
    """What Python's reader makes of a regular CSV file (data lines only)."""

    newline: str  # "\n" or "\r\n" ("\n" for a file without data lines)
    good: int = 0  # records with the header's field count
    blank: list[int] = field(default_factory=list)  # line numbers of blank lines
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, error, raw line)

    @property
    def excluded(self) -> list[int]:
        return sorted(self.blank + [m[0] for m in self.malformed])


class Irregular(Exception):  # noqa: N818 - a reason, not a failure: the Python reader takes over
    """The file is not regular (see the module docstring): land it with the Python reader."""


def utf8_copy(path: Path, fmt: str, encoding: str, scratch: Path) -> tuple[Path, str]:
    """(a plain UTF-8 file DuckDB can read, the codec that decodes its first line)."""
    if fmt == "csv" and encoding in ("utf-8", "utf-8-sig"):
        return path, encoding
    target = scratch / f"{path.name}.utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    with (gzip.open(path, "rb") if fmt == "csv.gz" else open(path, "rb")) as source, open(target, "wb") as sink:
        for block in iter(lambda: source.read(BLOCK_BYTES), b""):
            sink.write(decoder.decode(block).encode("utf-8"))
        sink.write(decoder.decode(b"", final=True).encode("utf-8"))
    return target, "utf-8"


def scan(path: Path, header_encoding: str, header: list[str]) -> Scan:
    """Prove ``path`` regular and classify its lines; raises Irregular otherwise."""
    width = len(header)
    with open(path, "rb") as handle:
        first = handle.readline()
        newline = "\r\n" if first.endswith(b"\r\n") else "\n"
        if first.count(b"\r") != (1 if newline == "\r\n" else 0):
            raise Irregular("a carriage return inside the header line")
        try:
            parsed = next(csv.reader([first.decode(header_encoding)], strict=True))
        except (csv.Error, StopIteration) as exc:
            raise Irregular(f"header line: {exc}") from exc
        if parsed != header:
            raise Irregular("the header spans more than one line")
        result = Scan(newline=newline)
        line_number = 2
        carry = b""
        while True:
            block = handle.read(BLOCK_BYTES)
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            if cut:
                line_number = _scan_block(memoryview(data)[:cut], newline, width, line_number, result)
            carry = data[cut:]
            if not block:
                return result


def _scan_block(data: memoryview, newline: str, width: int, line_number: int, result: Scan) -> int:
    """Classify the whole lines of ``data`` (the last may lack its line end); next line number."""
    arr = np.frombuffer(data, dtype=np.uint8)
    line_feeds = np.flatnonzero(arr == 10)
    terminated = arr[-1] == 10
    ends = line_feeds if terminated else np.append(line_feeds, len(data))
    starts = np.empty(len(ends), dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    carriage_returns = int(np.count_nonzero(arr == 13))
    if newline == "\r\n":
        # as many carriage returns as line feeds, each right before one
        crlf = not len(line_feeds) or (line_feeds[0] > 0 and bool(np.all(arr[line_feeds - 1] == 13)))
        if carriage_returns != len(line_feeds) or not crlf:
            raise Irregular("mixed line ends or a carriage return inside a line")
        content_ends = ends - 1
        if not terminated:
            content_ends[-1] = len(data)
    else:
        if carriage_returns:
            raise Irregular("a carriage return in a file whose lines end with a line feed")
        content_ends = ends
    lengths = content_ends - starts
    if int(lengths.max()) > FIELD_SIZE_LIMIT:
        raise Irregular(f"a line longer than {FIELD_SIZE_LIMIT} bytes")
    quotes = np.flatnonzero(arr == 34)
    commas = np.flatnonzero(arr == 44)

    def commas_before(positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(commas, positions)

    fields = commas_before(content_ends) - commas_before(starts) + 1
    if len(quotes):
        _check_quoting(arr, quotes, content_ends)
        # every regular line holds an even number of quotes, so quotes pair up (open, close)
        # within lines: the commas between a pair are text, not separators
        opens, closes = quotes[0::2], quotes[1::2]
        quoted_commas = commas_before(closes) - commas_before(opens)
        if quoted_commas.any():
            fields -= np.bincount(
                np.searchsorted(ends, opens), weights=quoted_commas, minlength=len(ends)
            ).astype(np.int64)
    blank = lengths == 0
    bad = ~blank & (fields != width)
    result.good += int(len(ends) - blank.sum() - bad.sum())
    result.blank.extend((np.flatnonzero(blank) + line_number).tolist())
    for i in np.flatnonzero(bad).tolist():
        raw = bytes(data[starts[i] : content_ends[i]]).decode("utf-8")
        if raw.endswith((",", ',""')) and fields[i] == width + 1:
            # DuckDB's reader takes a last empty field too many for a trailing delimiter
            # and keeps the row; Python's reader counts the field
            raise Irregular(f"line {line_number + i}: one empty field too many")
        result.malformed.append((line_number + i, f"expected {width} fields, found {int(fields[i])}", raw))
    if len(result.blank) + len(result.malformed) > MAX_EXCLUDED:
        raise Irregular(f"more than {MAX_EXCLUDED} blank or malformed lines")
    return line_number + len(ends)


def _check_quoting(arr: np.ndarray, quotes: np.ndarray, content_ends: np.ndarray) -> None:
    """Raise Irregular unless every line is a sequence of well-formed fields: each field
    unquoted without any quote, or quoted with inner quotes doubled.

    With the quotes of a line numbered from 0, that is: the line holds an even number of
    quotes; an even-numbered quote opens a field (line start or after a comma) or is the
    second of a doubled pair (after a quote); an odd-numbered quote closes its field
    (before a comma or the line end) or is the first of a doubled pair (before a quote).
    """
    line_of_quote = np.searchsorted(content_ends, quotes)
    if np.any(np.bincount(line_of_quote) & 1):
        raise Irregular("a line with an odd number of quotes")
    # every line holds an even number of quotes, so the parity within the block is the
    # parity within the line
    last = len(arr) - 1
    previous = np.where(quotes > 0, arr[np.maximum(quotes - 1, 0)], 10)  # data starts a line
    following = np.where(quotes < last, arr[np.minimum(quotes + 1, last)], 10)  # and ends one
    opens = (previous == 10) | (previous == 44) | (previous == 34)
    closes = (following == 44) | (following == 34) | (following == 10) | (following == 13)
    if not (np.all(opens[0::2]) and np.all(closes[1::2])):
        raise Irregular("a line that is not a sequence of well-formed fields")


def stage(path: Path, width: int, scratch: Path, expected: Scan) -> Path:
    """DuckDB reads ``path`` into a Parquet file (columns c0..); raises Irregular unless its
    good rows and rejected lines are exactly the scan's.

    The line end is left to DuckDB's detection (the scan proved it is the same on every
    line): ``new_line = '\\r\\n'`` given explicitly misreads a CRLF file in DuckDB 1.4.
    """
    target = scratch / f"{path.name}.parquet"
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    source = str(path).replace("'", "''")
    sql = f"""
        copy (
            select *
            from read_csv(
                '{source}',
                columns = {{{columns}}},
                header = false,
                skip = 1,
                auto_detect = false,
                delim = ',',
                quote = '"',
                escape = '"',
                comment = '',
                strict_mode = true,
                null_padding = false,
                store_rejects = true
            )
        ) to '{str(target).replace("'", "''")}' (format parquet)
    """
    con = duckdb.connect(config={"temp_directory": str(scratch / "duckdb-tmp")})
    try:
        good = con.execute(sql).fetchone()[0]
        rejected = [r[0] for r in con.execute("select distinct line from reject_errors order by line").fetchall()]
    except duckdb.Error as exc:
        raise Irregular(f"DuckDB's CSV reader: {exc}") from exc
    finally:
        con.close()
    if good != expected.good or rejected != [m[0] for m in expected.malformed]:
        raise Irregular(
            f"DuckDB's reader disagrees with the scan: {good} good rows (scan {expected.good}), "
            f"{len(rejected)} rejected lines (scan {len(expected.malformed)})"
        )
    return target


def shift_sql(excluded: list[int], first_line: int, row: str = "file_row_number") -> str:
    """SQL for the number of excluded lines before good row ``row`` (0-based, file order).

    Good row k lies after the excluded line e_j (j = 1, 2, ...) when k >= e_j - first_line - (j - 1);
    the count of such j is found by binary search over these thresholds.
    """
    thresholds = [line - first_line - j for j, line in enumerate(excluded)]

    def search(lo: int, hi: int, base: int) -> str:
        # row >= thresholds[lo - 1] (base counted so far) and row < thresholds[hi]
        if lo == hi:
            return str(base)
        mid = (lo + hi) // 2
        return f"case when {row} >= {thresholds[mid]} then {search(mid + 1, hi, mid + 1)} else {search(lo, mid, base)} end"

    return search(0, len(thresholds), 0)
