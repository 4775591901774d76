"""Writing rows into ``.xlsx`` sheets so that no text ever becomes a formula.

openpyxl stores a string that begins with ``=`` as a formula, and Excel treats a cell typed
``+``, ``-`` or ``@`` as the start of one: a customer name, account name or reason such as
``=HYPERLINK(...)`` coming from the core system or a user would then run in the reader's Excel
(formula injection). Every workbook the project writes (the portal's exports, the
reconciliation report, management-input exports and templates, plans) appends its rows with
:func:`append_row`, which keeps such text a plain string cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@")


def is_formula_like(value: object) -> bool:
    """True for text that a spreadsheet would read as the start of a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(sheet: Worksheet, values: Iterable[object], number_formats: Sequence[str | None] | None = None) -> None:
    """``sheet.append(values)``, with every formula-like text stored as a plain string cell.

    ``number_formats`` (optional, one per value) formats the numeric cells of the row."""
    cells = []
    for index, value in enumerate(values):
        cell = Cell(sheet, value=value)
        if is_formula_like(value):
            cell.data_type = "s"
        if number_formats and number_formats[index] and isinstance(value, int | float | Decimal):
            cell.number_format = number_formats[index]
        cells.append(cell)
    sheet.append(cells)  # appending prepared cells: no scan of the sheet per row
