"""The kinds of management input, read once from ``kinds.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

KINDS_FILE = Path(__file__).with_name("kinds.yaml")
PG_TYPES = {"text": "text", "code": "text", "date": "date", "decimal": "numeric", "int": "integer", "flag": "boolean"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None

    @property
    def pg_type(self) -> str:
        return PG_TYPES[self.type]


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    description: str
    set_columns: tuple[str, ...]
    fields: tuple[Field, ...]
    rules: tuple[str, ...]
    # False for inputs the marts read through views on each date (the scheme's roles, weights, grades,
    # indicator settings, EVA parameters): a past date applies at once, nothing is queued to restate
    restates: bool = True

    @property
    def column_names(self) -> list[str]:
        return [field.name for field in self.fields]

    def field(self, name: str) -> Field:
        return next(field for field in self.fields if field.name == name)


@cache
def kinds() -> dict[str, Kind]:
    document = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    result = {}
    for name, spec in document["kinds"].items():
        fields = tuple(
            Field(**{**column, "values": tuple(column["values"]) if "values" in column else None})
            for column in spec["columns"]
        )
        result[name] = Kind(name, spec["table"], " ".join(spec["description"].split()),
                            tuple(spec["set"]), fields, tuple(spec.get("rules", [])), spec.get("restates", True))
    return result


def kind(name: str) -> Kind:
    try:
        return kinds()[name.replace("-", "_")]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}; known kinds: {', '.join(kinds())}") from None
