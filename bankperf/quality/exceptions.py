"""The exceptions of each business date, for the people who fix them (``rpt_data_exceptions``).

By the severity policy (:mod:`bankperf.quality.policy`) a descriptive feed's row that names an
account, card or employee not on that day's books is a warning: the row is applied where it can
be and ignored where it cannot, and the dbt mart ``rpt_data_exceptions`` (also in schema
``published``) says what was found, which row and what the warehouse did with it. This module
reads it for the run's log and ``bankperf summary`` (a count per feed and rule), and writes the
date's page ``<BANKPERF_HOME>/quality/<YYYYMMDD>/exceptions.html``, linked from that date's
great-expectations Data Docs, so an auditor reading the warnings finds the rows and the actions.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path

import psycopg

from bankperf.quality.validate import day_folder

MART = "marts.rpt_data_exceptions"
PUBLISHED = "published.rpt_data_exceptions"
PAGE = "exceptions.html"
_LINK_MARK = "<!-- bankperf: exceptions link -->"


def _has_mart(conn: psycopg.Connection) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (MART,)).fetchone()[0]


def counts(conn: psycopg.Connection, dates: Sequence[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Per date, the number of exception rows per ``FEED rule`` (dates without any are absent)."""
    if not dates or not _has_mart(conn):
        return {}
    found: dict[dt.date, dict[str, int]] = {}
    rows = conn.execute(
        f"select biz_date, feed || ' ' || rule_name, count(*) from {MART} where biz_date = any(%s) "
        "group by 1, 2 order by 1, 2",
        (list(dates),),
    ).fetchall()
    for biz_date, rule, count in rows:
        found.setdefault(biz_date, {})[rule] = count
    return found


def count_line(biz_date: dt.date, per_rule: dict[str, int]) -> str:
    """One line: ``exceptions 2026-03-16: 5 (REL dep_account_exists 2, FEE acct_no_in_dep_or_loan 1, ...)``."""
    if not per_rule:
        return f"exceptions {biz_date:%Y-%m-%d}: none"
    listed = ", ".join(f"{rule} {count}" for rule, count in per_rule.items())
    return f"exceptions {biz_date:%Y-%m-%d}: {sum(per_rule.values())} ({listed}) in {PUBLISHED}"


def summary_lines(conn: psycopg.Connection, limit: int = 5) -> list[str]:
    """The count per rule of the last ``limit`` dates that have exceptions (for ``bankperf summary``)."""
    if not _has_mart(conn):
        return []
    dates = [day for (day,) in conn.execute(
        f"select distinct biz_date from {MART} order by biz_date desc limit %s", (limit,)
    )]
    found = counts(conn, dates)
    lines = [f"Exceptions (warnings applied or ignored, {PUBLISHED}): " + ("none" if not found else "")]
    lines += [f"  {count_line(day, found[day])}" for day in sorted(found)]
    return lines


def write_page(conn: psycopg.Connection, biz_date: dt.date, root: Path | None = None) -> Path:
    """The date's exceptions as an HTML page beside its Data Docs, and a link to it from their index."""
    rows = []
    if _has_mart(conn):
        rows = conn.execute(
            f"select feed, rule_name, record_key, record, action_taken from {MART} where biz_date = %s "
            "order by feed, rule_name, record_key, record",
            (biz_date,),
        ).fetchall()
    folder = day_folder(biz_date, root)
    folder.mkdir(parents=True, exist_ok=True)
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value or ''))}</td>" for value in row) + "</tr>\n" for row in rows
    )
    page = folder / PAGE
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Exceptions {biz_date:%Y-%m-%d}</title></head><body>\n"
        f"<h1>Exceptions of {biz_date:%Y-%m-%d}</h1>\n"
        f"<p>{len(rows)} row(s): warnings of the severity policy (expectations/RULES.md) — each row was applied "
        f"where it could be and ignored where it could not. The same rows: <code>{PUBLISHED}</code>. "
        "<a href='data_docs/index.html'>Data Docs of the date</a>.</p>\n"
        "<table border='1'><tr><th>feed</th><th>rule</th><th>key</th><th>row</th><th>action taken</th></tr>\n"
        f"{cells}</table></body></html>\n",
        encoding="utf-8",
    )
    _link_from_data_docs(folder / "data_docs" / "index.html", len(rows))
    return page


def _link_from_data_docs(index: Path, row_count: int) -> None:
    """Put a link to the exceptions page at the top of the date's Data Docs index (once)."""
    if not index.is_file():
        return
    text = index.read_text(encoding="utf-8")
    link = (
        f"{_LINK_MARK}<div style='padding:8px;background:#fff3cd'><a href='../{PAGE}'>Exceptions of this date: "
        f"{row_count} row(s) and what the warehouse did with them</a> ({PUBLISHED})</div>"
    )
    if _LINK_MARK in text:
        start = text.index(_LINK_MARK)
        end = text.index("</div>", start) + len("</div>")
        text = text[:start] + link + text[end:]
    else:
        at = text.find(">", text.find("<body")) + 1 if "<body" in text else 0
        text = text[:at] + link + text[at:]
    index.write_text(text, encoding="utf-8")
