"""Split one generated export set into consecutive nights (test and benchmark helper).

`split_nights(source, cutoffs, out)` writes one export directory per night: the night of
cutoff D holds what a CRM would have exported by the end of D. The first night is a full
snapshot; every later night holds only the rows that are new or changed since the night
before (incremental exports, as raw_exports.md allows), so keys come again with changed
values: re-exported customer/order/lead/opportunity versions, tickets that got their
response or resolution, tier reviews that got approved. Entities without a change date
(sales_reps, campaigns, maintenance_plan) are exported in full on the first night only.
Rows whose date cannot be read (the generator's dirt) belong to the first night.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})")

# entity -> column deciding the night a row is first exported
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
# entity -> {column: columns blanked while the column's date lies after the night}
LATER_EVENTS = {
    "tickets": {"first_response_at": ["first_response_at"], "resolved_at": ["resolved_at"]},
    "tier_reviews": {"approved_at": ["approved_by", "approved_at"]},
    "interactions": {},
}


def _date(text: str | None) -> dt.date | None:
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _as_of_night(row: dict, entity: str, cutoff: dt.date) -> dict | None:
    """The row as exported on the night of `cutoff`, or None when not exported yet."""
    column = KNOWN_AT.get(entity)
    if column is not None:
        known = _date(row.get(column))
        if entity == "interactions" and not (row.get(column) or "").strip():
            known = _date(row.get("occurred_at"))
        if known is not None and known > cutoff:
            return None
    out = dict(row)
    for event, cleared in LATER_EVENTS.get(entity, {}).items():
        happened = _date(out.get(event))
        if happened is not None and happened > cutoff:
            for name in cleared:
                out[name] = ""
            if entity == "tickets" and out.get("status") in ("resolved", "closed") and not out.get("resolved_at"):
                out["status"] = "open"
    return out


def split_nights(source: Path, cutoffs: list[dt.date], out: Path) -> list[Path]:
    """One export directory per cutoff under `out` (night_<n>); returns them in order."""
    nights = [out / f"night_{n + 1}" for n in range(len(cutoffs))]
    for night in nights:
        night.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.csv")):
        entity = path.stem
        with open(path, encoding="utf-8-sig", newline="") as handle:
            lines = handle.read().splitlines(keepends=True)
        header_line = lines[0]
        header = next(csv.reader([header_line]))
        exported: set[str] = set()
        for night_number, (night, cutoff) in enumerate(zip(nights, cutoffs, strict=True)):
            if entity not in KNOWN_AT and night_number > 0:
                continue
            body = []
            for line in lines[1:]:
                try:
                    values = next(csv.reader([line]))
                except (csv.Error, StopIteration):
                    values = None
                if values is None or len(values) != len(header):
                    # a malformed line: exported with the first night, verbatim
                    text = line if night_number == 0 else None
                else:
                    row = _as_of_night(dict(zip(header, values, strict=True)), entity, cutoff)
                    if row is None:
                        continue
                    buffer = _csv_line([row[h] for h in header])
                    text = buffer
                if text is None or text in exported:
                    continue
                exported.add(text)
                body.append(text)
            if body or night_number == 0:
                (night / path.name).write_text(header_line + "".join(body), encoding="utf-8")
    for night, cutoff in zip(nights, cutoffs, strict=True):
        (night / "_night.json").write_text(json.dumps({"as_of": cutoff.isoformat()}) + "\n", encoding="utf-8")
    return nights


def _csv_line(values: list[str]) -> str:
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
