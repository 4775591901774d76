"""The Flask application: sessions, login, CSRF, idle timeout, security headers and the query pages.

Sessions live in a signed cookie (HTTP-only, SameSite=Lax, Secure behind TLS) holding only the
login, its identity row, a CSRF token and the time of the last request. Every POST must carry the
session's CSRF token. Nothing here decides what a user may see: each request runs as the user
(``portal.db.as_user``) and the database's grants and row-level security answer.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from flask import Flask, Response, abort, g, redirect, render_template, request, send_file, session, url_for

from portal import config, db, lockout, pages, params, queries, text

PLOTLY_JS = Path(__import__("plotly").__file__).parent / "package_data" / "plotly.min.js"
PUBLIC_ENDPOINTS = {"login", "static", "plotly_js", "health"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
       "form-action 'self'")


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key(),
        SESSION_COOKIE_NAME="bankperf_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookie(),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )
    app.before_request(_before_request)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)
    _routes(app)
    from portal import admin, appraisal, ownership, status

    admin.register(app)
    appraisal.register(app)
    ownership.register(app)
    status.register(app)
    return app


# --- session, CSRF, idle timeout ------------------------------------------------------------------

def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent, expected)


def _before_request():
    g.lang = "en" if session.get("lang") == "en" else "zh"
    g.unit = "wan" if session.get("unit") == "wan" else "yuan"
    if request.method == "POST" and not _csrf_ok():
        return render_template("message.html", message=text.label("csrf", g.lang)), 400
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    login = session.get("login")
    if not login:
        return redirect(url_for("login", next=request.full_path))
    if time.time() - session.get("seen", 0) > config.idle_minutes() * 60:
        session.clear()
        return redirect(url_for("login", reason="idle"))
    session["seen"] = time.time()
    g.identity = session["identity"]
    return None


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint not in ("static", "plotly_js"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _template_helpers() -> dict:
    lang = getattr(g, "lang", "zh")
    return {
        "t": lambda key, **kw: text.label(key, lang).format(**kw),
        "csrf_token": csrf_token,
        "identity": getattr(g, "identity", None),
        "lang": lang,
        "unit": getattr(g, "unit", "yuan"),
        "nav": _nav(),
        "indicator_name": lambda code: text.indicator_name(code, lang),
    }


def _nav() -> list[tuple[str, list[tuple[str, str]]]]:
    identity = getattr(g, "identity", None)
    if not identity:
        return []
    role, lang = identity["user_role"], getattr(g, "lang", "zh")
    groups: dict[str, list[tuple[str, str]]] = {}
    for page in pages.PAGES:
        if role in page.roles and "hidden" not in page.order:
            title = page.title[1] if lang == "en" else page.title[0]
            groups.setdefault(page.group, []).append((f"/q/{page.slug}", title))
    admin_links = [("/requests", "归属申请" if lang == "zh" else "Ownership requests")]
    if role in ("office", "auditor", "head_office"):
        admin_links.append(("/status", "运行状态" if lang == "zh" else "Run status"))
    if role in ("office", "auditor"):
        admin_links.append(("/admin", "管理输入" if lang == "zh" else "Management inputs"))
    if role in ("office", "head_office"):
        admin_links.append(("/appraisal", "考核关账" if lang == "zh" else "Appraisal periods"))
    groups["g_admin"] = admin_links
    return [(text.label(name, lang), links) for name, links in groups.items()]


def user_connection():
    """The current user's connection (``SET ROLE``); a disabled login ends the session."""
    return db.as_user(g.identity["login"])


# --- routes ---------------------------------------------------------------------------------------

def _routes(app: Flask) -> None:
    @app.get("/health")
    def health():
        return {"ok": True}

    @app.get("/static/vendor/plotly.min.js")
    def plotly_js():
        response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400)
        return response

    @app.route("/login", methods=["GET", "POST"])
    def login():
        lang = g.lang
        message = {"idle": text.label("idle", lang), "revoked": text.label("revoked", lang)}.get(
            request.args.get("reason", ""))
        if request.method == "POST":
            name = request.form.get("login", "").strip().lower()
            until = lockout.locked_until(name)
            if until is not None:
                message = f"{text.label('locked', lang)} {dt.datetime.fromtimestamp(until):%H:%M}"
                return render_template("login.html", message=message), 429
            identity = db.authenticate(name, request.form.get("password", ""))
            lockout.record(name, request.remote_addr, identity is not None)
            if identity is None:
                return render_template("login.html", message=text.label("wrong_password", lang)), 401
            keep = {key: session[key] for key in ("lang", "unit") if key in session}
            session.clear()
            session.update(keep, login=identity["login"], identity=identity, seen=time.time(),
                           csrf=secrets.token_urlsafe(32))
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
        return render_template("login.html", message=message)

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"))

    @app.post("/prefs")
    def prefs():
        if request.form.get("lang") in ("zh", "en"):
            session["lang"] = request.form["lang"]
        if request.form.get("unit") in ("yuan", "wan"):
            session["unit"] = request.form["unit"]
        target = request.form.get("back", "/")
        return redirect(target if target.startswith("/") and not target.startswith("//") else "/")

    @app.get("/")
    def home():
        role = g.identity["user_role"]
        return redirect("/q/my_performance" if role == "manager" else "/q/org_performance")

    @app.get("/q/<slug>")
    def query_page(slug: str):
        page = _page(slug)
        with user_connection() as conn:
            values, context = _params(conn, page)
            rows, truncated = queries.fetch(conn, queries.page_sql(page, values), values)
            charts = [queries.chart_data(conn, chart, rows, values, g.unit, g.lang) for chart in page.charts]
        table = queries.table_html(page, rows, values, g.unit, g.lang)
        headers = [_header(column) for column in page.columns]
        qs = params.query_string(values, page.params)
        return render_template("page.html", page=page, title=page.title[1] if g.lang == "en" else page.title[0],
                               values=values, headers=headers, table=table, row_count=len(rows),
                               truncated=truncated, charts=charts,
                               export_url=f"/x/{slug}?" + urlencode(qs), **context)

    @app.get("/x/<slug>")
    def export_page(slug: str):
        page = _page(slug)
        with user_connection() as conn:
            values, _ = _params(conn, page)
            rows, _ = queries.fetch(conn, queries.page_sql(page, values), values)
        described = "; ".join(f"{text.label(name, g.lang)}: {value}"
                              for name, value in params.query_string(values, page.params).items())
        content = queries.workbook(page, rows, described, g.unit, g.lang)
        name = f"{page.slug}_{values['date']:%Y%m%d}.xlsx"
        return Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}"})

    @app.errorhandler(db.AccessRevoked)
    def revoked(_exc):
        session.clear()
        return redirect(url_for("login", reason="revoked"))

    @app.errorhandler(psycopg.errors.InsufficientPrivilege)
    def forbidden(_exc):
        return render_template("message.html", message=text.label("forbidden", g.lang)), 403


def _page(slug: str) -> pages.Page:
    page = pages.BY_SLUG.get(slug)
    if page is None:
        abort(404)
    return page


def _header(column: pages.Column) -> str:
    name = text.label(column.label or column.key, g.lang)
    if column.fmt == "money":
        name += f" ({text.label('unit_wan' if g.unit == 'wan' else 'unit_yuan', g.lang)})"
    return name


def _params(conn: psycopg.Connection, page: pages.Page) -> tuple[dict, dict]:
    dates = params.published_dates(conn)
    orgs = params.institutions(conn) if {"org"} & set(page.params) else []
    values = params.read(request.args, g.identity, dates, orgs)
    context = {"dates": dates, "orgs": orgs, "catalogue": text.catalogue(), "choices": {
        "caliber": params.CALIBERS, "acct_type": params.ACCT_TYPES, "rank_by": params.RANK_BY,
        "period": params.PERIODS, "period_type": params.PERIOD_TYPES, "subject_type": params.SUBJECT_TYPES}}
    return values, context
