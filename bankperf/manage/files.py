"""Reading and writing management-input files: CSV (UTF-8, with or without BOM) and Excel.

Finance staff live in Excel, so every kind has an ``.xlsx`` template with the same columns as
its CSV, a drop-down for each coded column and a README sheet describing every column.
Reading gives every cell as text, exactly as typed, so validation sees what the user wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from bankperf.manage.catalog import Kind
from bankperf.xlsx import append_row


class FileFormatError(ValueError):
    """The file cannot be read as the kind's table (names the file and what is wrong)."""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def read_rows(path: Path, kind: Kind) -> list[dict[str, str]]:
    """Rows as {column: text}; the header must name the kind's columns (any order, extra columns refused)."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        table = [[_cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    table = [row for row in table if any(row)]
    if not table:
        raise FileFormatError(f"{path}: empty file; expected a header row with {', '.join(kind.column_names)}")
    header = [name.strip().lower() for name in table[0]]
    while header and header[-1] == "":
        header.pop()
    unknown = [name for name in header if name not in kind.column_names]
    missing = [f.name for f in kind.fields if f.required and f.name not in header]
    if unknown or missing:
        raise FileFormatError(
            f"{path}: header does not match kind {kind.name}: "
            + "; ".join(filter(None, [unknown and f"unknown columns {unknown}", missing and f"missing {missing}"]))
            + f". Expected columns: {', '.join(kind.column_names)}"
        )
    rows = []
    for values in table[1:]:
        values = values + [""] * (len(header) - len(values))
        rows.append({name: values[index] for index, name in enumerate(header)})
    return rows


def write_rows(path: Path, kind: Kind, rows: list[dict[str, object]]) -> None:
    """Write rows in the kind's format: CSV, or an Excel workbook when the name ends in .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        write_template(path, kind, rows)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(kind.column_names)
        for row in rows:
            writer.writerow([_cell_text(row.get(name)) for name in kind.column_names])


def write_template(path: Path, kind: Kind, rows: list[dict[str, object]] | None = None) -> None:
    """An Excel workbook for the kind: the data sheet (header, drop-downs, optional rows) and a README."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.name
    append_row(sheet, kind.column_names)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    for row in rows or []:
        append_row(sheet, [_cell_text(row.get(name)) for name in kind.column_names])
    for index, field in enumerate(kind.fields, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, len(field.name) + 4)
        if field.values:
            validation = DataValidation(type="list", formula1='"' + ",".join(field.values) + '"', allow_blank=True)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    readme = workbook.create_sheet("README")
    readme.append([kind.name, kind.description])
    readme.append([])
    readme.append(["column", "type", "required", "accepted values / range"])
    for field in kind.fields:
        bounds = ", ".join(field.values) if field.values else (
            f"{field.min if field.min is not None else ''} .. {field.max if field.max is not None else ''}"
            if field.min is not None or field.max is not None else "")
        append_row(readme, [field.name, field.type, "yes" if field.required else "", bounds])
    readme.column_dimensions["A"].width = 22
    readme.column_dimensions["B"].width = 40
    workbook.save(path)
