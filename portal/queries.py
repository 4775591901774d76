"""Running a page: its rows (as the user may see them), its charts, and its ``.xlsx`` export."""

from __future__ import annotations

import io
from decimal import Decimal

import psycopg
from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from psycopg.rows import dict_row

from bankperf.xlsx import append_row
from portal import text
from portal.pages import ROW_LIMIT, Chart, Column, Page

NUMBER_FORMATS = {"money": "#,##0.00", "pct": "#,##0.00", "count": "#,##0", "rank": "0", "score": "#,##0.00",
                  "share": "0.00", "rate": "0.0000"}


def page_sql(page: Page, params: dict) -> str:
    # the only piece of SQL text chosen at run time: a rank column from a fixed list (params.RANK_BY)
    return page.sql.replace("{rank_by}", params["rank_by"])


def fetch(conn: psycopg.Connection, statement: str, params: dict, limit: int = ROW_LIMIT) -> tuple[list[dict], bool]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(statement, params)
        rows = cur.fetchmany(limit + 1)
    return rows[:limit], len(rows) > limit


def cell_kind(column: Column, row: dict) -> str:
    """How a cell is formatted: ``value`` columns follow the indicator's unit."""
    if column.fmt != "value":
        return column.fmt
    unit = row.get("unit") or text.indicator_unit(str(row.get("indicator_code", "")))
    return {"CNY": "money", "PCT": "pct", "COUNT": "count"}.get(unit, "money")


def cell_value(column: Column, row: dict, unit: str, kind: str | None = None) -> object:
    """The value as shown: money in the chosen unit, shares as percent, rounded as displayed."""
    kind = kind or cell_kind(column, row)
    value = row.get(column.key)
    if value is None or kind in ("text", "code", "indicator", "date"):
        return value
    if kind == "share":
        return text.scaled(Decimal(str(value)) * 100, "pct", unit)
    if kind == "score":
        return text.scaled(value, "pct", unit)
    if kind == "rate":
        return Decimal(str(value))
    return text.scaled(value, kind, unit)


NUMBER_TEXT = {"money": "{:,.2f}", "pct": "{:,.2f}%", "share": "{:,.2f}%", "score": "{:,.2f}", "count": "{:,.0f}",
               "rank": "{:,.0f}", "rate": "{:.4f}"}


def cell_text(column: Column, row: dict, unit: str, lang: str) -> str:
    """The cell as the bank writes it (the same rounding as the export)."""
    kind = cell_kind(column, row)
    value = cell_value(column, row, unit, kind)
    if value is None:
        return ""
    pattern = NUMBER_TEXT.get(kind)
    if pattern and isinstance(value, Decimal):
        return pattern.format(value)
    return text.shown(value, kind, unit, lang)


def table_html(page: Page, rows: list[dict], params: dict, unit: str, lang: str) -> Markup:
    """The table body, built here rather than cell by cell in the template (hundreds of rows stay fast)."""
    out = []
    for row in rows:
        cells = []
        for column in page.columns:
            shown_text = escape(cell_text(column, row, unit, lang))
            href = column.link(row, params) if column.link else None
            if href:
                shown_text = Markup('<a href="{}">{}</a>').format(href, shown_text)
            cells.append(f'<td class="{cell_kind(column, row)}">{shown_text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("\n".join(out))


def chart_data(conn: psycopg.Connection, chart: Chart, rows: list[dict], params: dict, unit: str, lang: str) -> dict:
    """A chart as plain data (the page's script hands it to plotly)."""
    if chart.sql is None:
        data = rows
    elif chart.sql.startswith("rows:"):
        dimension = chart.sql.removeprefix("rows:")
        data = [row for row in rows if row.get("dimension") == dimension]
    else:
        data, _ = fetch(conn, chart.sql, params)
    series: dict[str, dict] = {}
    for row in data:
        group = text.indicator_name(row[chart.series], lang) if chart.series else ""
        for y in chart.y:
            name = " ".join(filter(None, [group, text.label(y, lang) if len(chart.y) > 1 or not group else ""]))
            entry = series.setdefault(name, {"name": name, "x": [], "y": []})
            x = row[chart.x]
            if chart.x == "indicator_code":
                x = text.indicator_name(x, lang)
            kind = "money" if chart.fmt == "money" else chart.fmt
            if chart.series and chart.series == "indicator_code":
                kind = cell_kind(Column(y, "value"), row)
            value = text.scaled(row[y], kind, unit)
            entry["x"].append(x.isoformat() if hasattr(x, "isoformat") else str(x))
            entry["y"].append(float(value) if value is not None else None)
    title = chart.title[1] if lang == "en" else chart.title[0]
    return {"key": chart.key, "kind": chart.kind, "title": title, "series": list(series.values())}


def workbook(page: Page, rows: list[dict], params_text: str, unit: str, lang: str) -> bytes:
    """The rows on screen as an ``.xlsx``: same columns, same numbers (money in the chosen unit)."""
    book = Workbook()
    sheet = book.active
    sheet.title = page.slug[:31]
    title = page.title[1] if lang == "en" else page.title[0]
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, [params_text])
    unit_label = text.label("unit_wan" if unit == "wan" else "unit_yuan", lang)
    headers = [text.label(column.label or column.key, lang) for column in page.columns]
    append_row(sheet, [f"{h} ({unit_label})" if column.fmt in ("money", "value") else h
                       for h, column in zip(headers, page.columns, strict=True)])
    for cell in sheet[3]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    for row in rows:
        values, formats = [], []
        for column in page.columns:
            kind = cell_kind(column, row)
            value = cell_value(column, row, unit)
            if kind in ("code", "indicator") and value is not None:
                value = text.shown(value, kind, unit, lang)
            values.append(value)
            formats.append(NUMBER_FORMATS.get(kind))
        append_row(sheet, values, formats)
    for index, column in enumerate(page.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 18 if column.fmt in ("money", "value") else 14
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
