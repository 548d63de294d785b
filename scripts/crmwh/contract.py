"""The raw export contract, read from the one place it is declared.

`models/staging/crm/_crm__sources.yml` declares every export entity and column with its
type, required flag, Chinese header alias, code list, range and references (column
`meta`). The loader, the sample generator and the data-quality checks read it from here,
and the staging macros read the same declaration inside dbt.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from crmwh.paths import SEEDS_DIR, SOURCES_YML


@dataclass(frozen=True)
class Column:
    name: str
    crm_type: str
    required: bool
    zh: str
    description: str = ""
    code_list: str | None = None
    places_in_time: bool = False
    references: str | None = None
    min: float | None = None
    max: float | None = None
    pii: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    zh: str
    key: tuple[str, ...]
    version_column: str | None
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


@lru_cache(maxsize=None)
def load_contract(path: Path = SOURCES_YML) -> dict[str, Entity]:
    """Entities of the raw export contract, in declaration order."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    source = next(s for s in doc["sources"] if s["name"] == "crm_raw")
    entities: dict[str, Entity] = {}
    for table in source["tables"]:
        meta = table.get("meta", {})
        columns = []
        for col in table["columns"]:
            cmeta = col.get("meta", {})
            columns.append(
                Column(
                    name=col["name"],
                    crm_type=cmeta["crm_type"],
                    required=bool(cmeta.get("required", False)),
                    zh=cmeta["zh"],
                    description=col.get("description", ""),
                    code_list=cmeta.get("code_list"),
                    places_in_time=bool(cmeta.get("places_in_time", False)),
                    references=cmeta.get("references"),
                    min=cmeta.get("min"),
                    max=cmeta.get("max"),
                    pii=bool(cmeta.get("pii", False)),
                )
            )
        entities[table["name"]] = Entity(
            name=table["name"],
            zh=meta.get("zh", ""),
            key=tuple(meta["key"]),
            version_column=meta.get("version_column"),
            columns=tuple(columns),
        )
    return entities


@lru_cache(maxsize=None)
def load_code_lists(path: Path = SEEDS_DIR / "reference" / "ref_codes.csv") -> dict[str, dict[str, str]]:
    """code_list -> {code: Chinese label} from the reference seed."""
    lists: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lists.setdefault(row["code_list"], {})[row["code"]] = row["label_zh"]
    return lists
