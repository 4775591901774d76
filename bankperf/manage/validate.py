"""Validate every row of a management-input file; nothing is imported when any row is bad.

Each error names the row (as the user counts it: the header is row 1) and the column. Values
are parsed into their types here; set-level checks (shares, leads, splits) are in ``rules``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bankperf.manage import rules
from bankperf.manage.catalog import Field, Kind


@dataclass
class Row:
    row_no: int  # as in the file: the header is row 1
    values: dict[str, object]


class ValidationError(ValueError):
    def __init__(self, kind: Kind, source: str, errors: list[str]) -> None:
        self.errors = errors
        shown = "\n  ".join(errors[:50]) + (f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else "")
        super().__init__(f"{source}: {len(errors)} problem(s) in {kind.name}; nothing imported:\n  {shown}")


def _parse(field: Field, text: str) -> object:
    if text == "":
        return None
    if field.type == "date":
        for pattern in ("%Y-%m-%d", "%Y%m%d"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or YYYYMMDD)")
    if field.type in ("decimal", "int"):
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a number")
        if field.type == "int" and number != number.to_integral_value():
            raise ValueError(f"{text!r} is not a whole number")
        if field.min is not None and number < Decimal(str(field.min)):
            raise ValueError(f"{text} is below the minimum {field.min}")
        if field.max is not None and number > Decimal(str(field.max)):
            raise ValueError(f"{text} is above the maximum {field.max}")
        return int(number) if field.type == "int" else number
    if field.type == "flag":
        if text not in ("0", "1"):
            raise ValueError(f"{text!r} is not a flag (0 or 1)")
        return text == "1"
    value = text.upper() if field.type == "code" else text
    if field.values and value not in field.values:
        raise ValueError(f"{text!r} is not one of {', '.join(field.values)}")
    return value


def validate(
    kind: Kind, raw_rows: list[dict[str, str]], source: str, known_employees: set[str] | None = None,
    known_institutions: set[str] | None = None,
) -> list[Row]:
    """Parsed rows, or ValidationError listing every problem (row, column, what is wrong)."""
    errors: list[str] = []
    rows: list[Row] = []
    bad_rows: set[int] = set()
    for index, raw in enumerate(raw_rows, start=2):
        errors_before = len(errors)
        values: dict[str, object] = {}
        for field in kind.fields:
            text = raw.get(field.name, "")
            try:
                values[field.name] = _parse(field, text)
            except ValueError as exc:
                errors.append(f"row {index}, column {field.name}: {exc}")
                continue
            if field.required and values[field.name] is None:
                errors.append(f"row {index}, column {field.name}: required, but empty")
        if known_employees is not None and "emp_id" in values and values["emp_id"]:
            emp_id = str(values["emp_id"])
            if not rules.is_virtual(emp_id) and emp_id not in known_employees:
                errors.append(f"row {index}, column emp_id: employee {emp_id!r} is not in the EMP feed")
            if rules.is_virtual(emp_id) and known_institutions is not None and emp_id[1:] not in known_institutions:
                errors.append(f"row {index}, column emp_id: virtual manager {emp_id!r}: institution "
                              f"{emp_id[1:]!r} is not in the ORG feed")
        for name in ("org_id", "referring_org_id", "department_org_id"):
            org_id = values.get(name)
            if known_institutions is not None and org_id and str(org_id) not in known_institutions:
                errors.append(f"row {index}, column {name}: institution {org_id!r} is not in the ORG feed")
        if known_institutions is not None and values.get("subject_type") and values.get("subject_id"):
            problem = _unknown_subject(str(values["subject_type"]), str(values["subject_id"]),
                                       known_employees or set(), known_institutions)
            if problem:
                errors.append(f"row {index}, column subject_id: {problem}")
        if len(errors) > errors_before:
            bad_rows.add(index)
        rows.append(Row(index, values))
    if not rows:
        errors.append("the file has a header but no rows")
    sets: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        sets[tuple(row.values.get(name) for name in kind.set_columns)].append(row)
    for key, members in sets.items():
        if not any(row.row_no in bad_rows for row in members):  # set rules need every row parsed
            label = "set " + ", ".join(f"{n}={v}" for n, v in zip(kind.set_columns, key, strict=True) if v is not None)
            for rule in kind.rules:
                errors.extend(f"{label} (rows {_rows(members)}): {message}" for message in rules.check(rule, members))
    if errors:
        raise ValidationError(kind, source, errors)
    return rows


def _unknown_subject(subject_type: str, subject_id: str, employees: set[str], institutions: set[str]) -> str | None:
    """Plans and appraisal scores name an employee, a virtual manager V<org_id> or an institution."""
    if subject_type == "ORG" and subject_id not in institutions:
        return f"institution {subject_id!r} is not in the ORG feed"
    if subject_type == "EMP" and rules.is_virtual(subject_id) and subject_id[1:] not in institutions:
        return f"virtual manager {subject_id!r}: institution {subject_id[1:]!r} is not in the ORG feed"
    if subject_type == "EMP" and not rules.is_virtual(subject_id) and subject_id not in employees:
        return f"employee {subject_id!r} is not in the EMP feed"
    return None


def _rows(members: list[Row]) -> str:
    return ", ".join(str(row.row_no) for row in members)


