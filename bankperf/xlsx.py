"""Writing rows into ``.xlsx`` sheets so that no text ever becomes a formula.

openpyxl stores a string that begins with ``=`` as a formula, and Excel treats a cell typed
``+``, ``-`` or ``@`` as the start of one: a customer name, account name or reason such as
``=HYPERLINK(...)`` coming from the core system or a user would then run in the reader's Excel
(formula injection). Every workbook the project writes (the portal's exports, the
reconciliation report, management-input exports and templates, plans) appends its rows with
:func:`append_row`, which keeps such text a plain string cell.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@")


def is_formula_like(value: object) -> bool:
    """True for text that a spreadsheet would read as the start of a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """``sheet.append(values)``, with every formula-like text stored as a plain string cell."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
