"""The pickers of the query pages: read from the query string, checked, with defaults from the user.

Every value is checked against its list or range (an unknown value falls back to the default),
so a query only ever receives a date the warehouse published, a known indicator and caliber.
"""

from __future__ import annotations

import datetime as dt

import psycopg
from werkzeug.datastructures import MultiDict

from portal import text

CALIBERS = ("ASSESSMENT", "ACCOUNTING")
ACCT_TYPES = ("DEP", "LOAN")
RANK_BY = ("balance_rank", "avg_m_rank", "avg_y_rank", "increase_y_rank", "decrease_y_rank",
           "increase_m_rank", "decrease_m_rank")
PERIODS = ("M", "Q", "Y")
PERIOD_TYPES = ("MONTH", "QUARTER", "YEAR")
SUBJECT_TYPES = ("EMP", "ORG")
DEFAULT_INDICATORS = ("DEP_BAL", "LOAN_BAL")


def published_dates(conn: psycopg.Connection) -> list[dt.date]:
    """Visible business dates, newest first."""
    rows = conn.execute(
        "select status.biz_date from published.publication_status as status"
        " where status.is_visible order by status.biz_date desc"
    ).fetchall()
    return [row[0] for row in rows]


def institutions(conn: psycopg.Connection) -> list[tuple[str, str, int]]:
    return conn.execute(
        "select institution.org_id, institution.org_name, institution.org_level from published.dim_institution"
        " as institution where institution.is_current order by institution.org_level, institution.org_id"
    ).fetchall()


def period_start(date: dt.date, period: str) -> dt.date:
    if period == "Y":
        return date.replace(month=1, day=1)
    if period == "Q":
        return date.replace(month=(date.month - 1) // 3 * 3 + 1, day=1)
    return date.replace(day=1)


def _choice(args: MultiDict, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = args.get(name, "")
    return value if value in allowed else default


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(args.get(name, default)), low), high)
    except ValueError:
        return default


def read(args: MultiDict, identity: dict, dates: list[dt.date], orgs: list[tuple[str, str, int]]) -> dict:
    """Every picker's value (all pages share the names; a page uses those it lists)."""
    params: dict = {}
    try:
        asked = dt.date.fromisoformat(args.get("date", ""))
    except ValueError:
        asked = None
    params["date"] = asked if asked in dates else (dates[0] if dates else dt.date.today())
    params["caliber"] = _choice(args, "caliber", CALIBERS, "ASSESSMENT")
    codes = [code for value in args.getlist("indicators") for code in value.split(",")]
    catalogue = text.catalogue()
    params["indicators"] = [code for code in codes if code in catalogue] or list(DEFAULT_INDICATORS)
    params["indicator"] = args.get("indicator") if args.get("indicator") in catalogue else "DEP_BAL"
    org_ids = {org[0] for org in orgs}
    root = identity.get("org_id") or (orgs[0][0] if orgs else "")
    params["org"] = args.get("org") if args.get("org") in org_ids else root
    params["emp"] = (args.get("emp") or identity.get("emp_id") or "").strip()
    params["subject"] = (args.get("subject") or params["emp"]).strip()
    params["acct_type"] = _choice(args, "acct_type", ACCT_TYPES, "DEP")
    params["rank_by"] = _choice(args, "rank_by", RANK_BY, "balance_rank")
    params["n"] = _int(args, "n", 20, 1, 500)
    params["days"] = _int(args, "days", 30, 0, 3660)
    params["level"] = _int(args, "level", 3, 1, 9)
    params["period"] = _choice(args, "period", PERIODS, "M")
    params["period_start"] = period_start(params["date"], params["period"])
    params["period_type"] = _choice(args, "period_type", PERIOD_TYPES, "MONTH")
    params["subject_type"] = _choice(args, "subject_type", SUBJECT_TYPES, "EMP")
    acct_type, _, rest = (args.get("acct") or "").partition("|")
    acct_no, _, sub_acct_no = rest.partition("|")
    params["acct"] = args.get("acct") or ""
    params["acct_type_of_acct"], params["acct_no"], params["sub_acct_no"] = acct_type, acct_no, sub_acct_no
    return params


def query_string(params: dict, names: tuple[str, ...]) -> dict[str, str]:
    """The pickers of a page as query-string values (links, export)."""
    out = {}
    for name in names:
        value = params[name]
        out[name] = ",".join(value) if isinstance(value, list) else str(value)
    return out
