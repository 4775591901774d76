"""``bankperf recon report --date D``: the reconciliation of one business date for finance.

Reads ``marts.rpt_gl_reconciliation`` (detail against GL per institution × subject ×
currency) and, for each broken line, the accounts behind it from ``marts.fct_account_daily``,
and writes the same content twice: a formatted ``.xlsx`` workbook (Summary, Breaks,
Accounts sheets) and a self-contained HTML page. Nothing is computed here that the mart
does not already say: the report only presents it.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bankperf.settings import home, service_settings
from bankperf.xlsx import append_row

LINE_COLUMNS = [
    "org_id", "subject_code", "currency", "detail_balance", "gl_balance", "difference", "status", "account_count",
]
ACCOUNT_COLUMNS = ["org_id", "subject_code", "currency", "acct_type", "acct_no", "sub_acct_no", "cust_id", "balance"]
MONEY = {"detail_balance", "gl_balance", "difference", "balance"}


@dataclass
class Reconciliation:
    biz_date: dt.date
    lines: list[dict]
    accounts: list[dict]  # accounts behind the broken lines

    @property
    def breaks(self) -> list[dict]:
        return [line for line in self.lines if line["status"] != "OK"]

    @property
    def headline(self) -> str:
        if not self.lines:
            return f"{self.biz_date}: no reconciliation lines (has the date been built?)"
        if not self.breaks:
            return f"{self.biz_date}: all {len(self.lines)} lines tied"
        return f"{self.biz_date}: {len(self.breaks)} breaks out of {len(self.lines)} lines"


def fetch(biz_date: dt.date, url: str | None = None) -> Reconciliation:
    with psycopg.connect(url or service_settings("orchestrator").url) as conn:
        if conn.execute("select to_regclass('marts.rpt_gl_reconciliation')").fetchone()[0] is None:
            return Reconciliation(biz_date, [], [])  # nothing built yet: the report says so
        cur = conn.execute(
            f"select {', '.join(LINE_COLUMNS)} from marts.rpt_gl_reconciliation where biz_date = %s "
            "order by status = 'OK', org_id, subject_code, currency",
            (biz_date,),
        )
        lines = [dict(zip(LINE_COLUMNS, row, strict=True)) for row in cur]
        broken = [(line["org_id"], line["subject_code"], line["currency"]) for line in lines if line["status"] != "OK"]
        accounts: list[dict] = []
        if broken:
            cur = conn.execute(
                f"select {', '.join(ACCOUNT_COLUMNS)} from marts.fct_account_daily "
                "where biz_date = %s and is_present and (org_id, subject_code, currency) in "
                "(select * from unnest(%s::text[], %s::text[], %s::text[])) "
                "order by org_id, subject_code, currency, balance desc",
                (biz_date, [b[0] for b in broken], [b[1] for b in broken], [b[2] for b in broken]),
            )
            accounts = [dict(zip(ACCOUNT_COLUMNS, row, strict=True)) for row in cur]
    return Reconciliation(biz_date, lines, accounts)


def report_dir(biz_date: dt.date, root: Path | None = None) -> Path:
    """Where a date's report goes: ``<root>/<YYYYMMDD>/``, root default ``<BANKPERF_HOME>/recon`` (var/recon)."""
    return (Path(root) if root else home() / "recon") / f"{biz_date:%Y%m%d}"


def write_report(biz_date: dt.date, out_dir: Path | None = None, url: str | None = None) -> tuple[Path, Path]:
    """Write ``recon_<D>.xlsx`` and ``recon_<D>.html`` into ``out_dir`` (default :func:`report_dir`);
    returns their paths. The nightly run writes them for every date it processes, failing ones too."""
    recon = fetch(biz_date, url)
    folder = Path(out_dir) if out_dir else report_dir(biz_date)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / f"recon_{biz_date:%Y%m%d}.xlsx"
    page = folder / f"recon_{biz_date:%Y%m%d}.html"
    _write_xlsx(recon, xlsx)
    page.write_text(_html(recon), encoding="utf-8")
    return xlsx, page


_HEADER = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_BREAK_FILL = PatternFill("solid", fgColor="F8CBAD")


def _sheet(workbook: Workbook, title: str, columns: list[str], rows: list[dict], first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER, _HEADER_FILL
    for row in rows:
        append_row(sheet, [float(row[c]) if isinstance(row[c], Decimal) else row[c] for c in columns])
        if row.get("status") not in (None, "OK"):
            for cell in sheet[sheet.max_row]:
                cell.fill = _BREAK_FILL
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 20 if column in MONEY else 14
        if column in MONEY:
            for cell in sheet[letter][1:]:
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"


def _write_xlsx(recon: Reconciliation, path: Path) -> None:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["GL reconciliation", str(recon.biz_date)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["Result", "ALL TIED" if recon.lines and not recon.breaks else f"{len(recon.breaks)} BREAKS"])
    summary["B2"].font = Font(bold=True, color="006100" if not recon.breaks else "9C0006")
    summary.append(["Lines checked", len(recon.lines)])
    summary.append(["Breaks", len(recon.breaks)])
    total = sum((abs(line["difference"] or 0) for line in recon.breaks), Decimal(0))
    summary.append(["Total absolute difference (currency units)", float(total)])
    summary["B5"].number_format = "#,##0.00"
    summary.append([])
    summary.append(["Detail = sum of account balances (deposits, loans) per institution × subject × currency; "
                    "GL = the general-ledger balance on its own side."])
    summary["A7"].alignment = Alignment(wrap_text=False)
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 24
    _sheet(workbook, "Breaks", LINE_COLUMNS, recon.breaks)
    _sheet(workbook, "Accounts of breaks", ACCOUNT_COLUMNS, recon.accounts)
    _sheet(workbook, "All lines", LINE_COLUMNS, recon.lines)
    workbook.save(path)


def _table(columns: list[str], rows: list[dict]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        css = ' class="break"' if row.get("status") not in (None, "OK") else ""
        cells = "".join(
            f'<td class="num">{row[c]:,.2f}</td>' if c in MONEY and row[c] is not None
            else f"<td>{html.escape('' if row[c] is None else str(row[c]))}</td>"
            for c in columns
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html(recon: Reconciliation) -> str:
    status = "ok" if recon.lines and not recon.breaks else "bad"
    sections = [f'<h1>GL reconciliation {recon.biz_date}</h1><p class="{status}">{html.escape(recon.headline)}</p>']
    if recon.breaks:
        sections.append("<h2>Breaks</h2>" + _table(LINE_COLUMNS, recon.breaks))
        for line in recon.breaks:
            key = (line["org_id"], line["subject_code"], line["currency"])
            accounts = [a for a in recon.accounts if (a["org_id"], a["subject_code"], a["currency"]) == key]
            title = f"<h3>Accounts of {' / '.join(key)} ({len(accounts)})</h3>"
            sections.append(title + _table(ACCOUNT_COLUMNS, accounts))
    sections.append("<h2>All lines</h2>" + _table(LINE_COLUMNS, recon.lines))
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
        "th,td{border:1px solid #bbb;padding:3px 8px}th{background:#1f4e78;color:#fff}"
        "td.num{text-align:right;font-variant-numeric:tabular-nums}tr.break{background:#f8cbad}"
        ".ok{color:#006100;font-weight:bold}.bad{color:#9c0006;font-weight:bold}"
    )
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>GL reconciliation {recon.biz_date}</title>"
            f"<style>{style}</style></head><body>{''.join(sections)}</body></html>")
