"""The interface contract, read once from ``feeds.yaml``.

Everything else derives from it: raw table DDL, the regular expression a valid line
matches, the column list given to ``COPY``. Types map to PostgreSQL types and to the
exact text each accepts, so a value that would make ``COPY`` fail is caught first and
rejected with its reason instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CONTRACT_FILE = Path(__file__).with_name("feeds.yaml")

# type -> (PostgreSQL type, regular expression of a non-empty valid value, human description)
# Only calendar dates PostgreSQL accepts, leap days included, so COPY never meets a bad date.
_DATE = (
    r"[1-9]\d{3}(?:(?:0[13578]|1[02])(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)(?:0[1-9]|[12]\d|30)"
    r"|02(?:0[1-9]|1\d|2[0-8]))"
    r"|[1-9]\d(?:0[48]|[2468][048]|[13579][26])0229|(?:[2468][048]|[13579][26])000229"
)
# Numbers are stored as unconstrained numeric so that PostgreSQL never rounds a value silently:
# the load table checks the contract's scale and range instead (see ``Column.check``).
TYPES: dict[str, tuple[str, str, str]] = {
    "text": ("text", r"[^|]*", "text"),
    "code": ("text", r"[^|]*", "a code"),
    "date": ("date", _DATE, "a valid date YYYYMMDD"),
    "amount": ("numeric", r"-?\d{1,18}(?:\.\d{1,2})?", "an amount with at most 2 decimals"),
    "rate": ("numeric", r"-?\d{1,8}(?:\.\d{1,6})?", "a rate with at most 6 decimals"),
    "pct": ("numeric", r"-?\d{1,6}(?:\.\d{1,2})?", "a percentage with at most 2 decimals"),
    "int": ("integer", r"\d{1,9}", "a whole number"),
    "flag": ("boolean", r"[01]", "a flag 0 or 1"),
}
# type -> max decimals, checked by the load table
_NUMERIC_LIMITS = {"amount": 2, "rate": 6, "pct": 2}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False

    @property
    def pg_type(self) -> str:
        return TYPES[self.type][0]

    @property
    def description(self) -> str:
        return TYPES[self.type][2]

    @property
    def pattern(self) -> str:
        """The field's exact form as the fast path accepts it (text as delivered, typed values bare)."""
        value = TYPES[self.type][1]
        if self.required and self.type in ("text", "code"):
            value = r"[^|]*[^| ][^|]*"  # something other than blanks
        return f"(?:{value})" if self.required else f"(?:{value})?"

    def check(self) -> str | None:
        """A CHECK expression the load table enforces, so the server refuses what the contract forbids
        (more decimals than allowed: an unconstrained numeric never rounds, so the scale shows it).
        Required values are NOT NULL columns of the load table. Both cost the server almost nothing."""
        if self.type in _NUMERIC_LIMITS:
            return f"scale({self.name}) <= {_NUMERIC_LIMITS[self.type]}"
        return None

    def matches(self, value: str) -> bool:
        return _field_regex(self.type, self.required).fullmatch(value) is not None


@dataclass(frozen=True)
class Feed:
    code: str  # as in the file names: DEP
    table: str  # raw table: dep
    kind: str  # snapshot | transactions
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def qualified_table(self) -> str:
        return f"raw.{self.table}"

    def line_regex(self) -> re.Pattern[str]:
        """A full-line pattern that only a valid line (right field count, every value parsable) matches."""
        return _line_regex(self.code)


@cache
def feeds() -> dict[str, Feed]:
    """All feeds of the contract, in delivery order."""
    document = yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))
    result: dict[str, Feed] = {}
    for code, spec in document["feeds"].items():
        columns = tuple(Column(**column) for column in spec["columns"])
        unknown = [column.type for column in columns if column.type not in TYPES]
        if unknown:
            raise ValueError(f"{CONTRACT_FILE}: feed {code} uses unknown types {unknown}")
        result[code] = Feed(
            code=code,
            table=spec["table"],
            kind=spec["kind"],
            description=spec["description"],
            key=tuple(spec["key"]),
            columns=columns,
        )
    return result


def feed(code: str) -> Feed:
    try:
        return feeds()[code.upper()]
    except KeyError:
        raise KeyError(f"Unknown feed {code!r}; the contract has {', '.join(feeds())}") from None


@cache
def _line_regex(code: str) -> re.Pattern[str]:
    return re.compile(r"\|".join(column.pattern for column in feed(code).columns))


@cache
def _field_regex(type_name: str, required: bool) -> re.Pattern[str]:
    return re.compile(Column("probe", type_name, required).pattern)
