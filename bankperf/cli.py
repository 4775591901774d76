"""The ``bankperf`` command: one entry point for the database, the generator, the loaders and the nightly run."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from pathlib import Path


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYYMMDD or YYYY-MM-DD)") from None


def _dates(text: str) -> list[dt.date]:
    return [_date(part) for part in text.split(",") if part.strip()]


def cmd_db(args: argparse.Namespace) -> int:
    from bankperf import database, settings

    if args.action == "start":
        print(database.start())
    elif args.action == "stop":
        print(database.stop())
    elif args.action == "status":
        up, message = database.status()
        print(message)
        return 0 if up else 1
    elif args.action == "url":
        print(settings.db_settings().url)
    elif args.action == "grant":
        statements = database.grant(dry_run=args.dry_run)
        if args.dry_run:
            print(";\n".join(statements) + ";")
            print(f"-- {len(statements)} statements (dry run: nothing changed)")
        else:
            where = settings.db_settings().redacted_url
            print(f"{len(statements)} statements applied: roles, grants and scope of {where}")
    elif args.action == "env":
        from bankperf.dbt_env import dbt_environment

        for name, value in {**settings.db_settings().env(), **dbt_environment()}.items():
            print(f"export {name}={shlex.quote(value)}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from bankperf.generator import generate

    summary = generate(
        Path(args.out), args.start, args.days, accounts=args.accounts, seed=args.seed,
        encoding=args.encoding.upper(), gl_breaks=args.gl_break or (),
    )
    print(summary)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from loaders.load import load_range

    first = args.date or args.date_from
    last = args.date or args.date_to or first
    if first is None:
        print("bankperf load: give --date D, or --from D1 [--to D2]", file=sys.stderr)
        return 2
    results = load_range(Path(args.inbox), first, last)
    errors = [error for result in results for error in result.errors()]
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    loaded = sum(1 for result in results if result.ok)
    print(f"{loaded} of {len(results)} dates fully loaded" + (f", {len(errors)} errors" if errors else ""))
    return 1 if errors else 0


def cmd_raw(args: argparse.Namespace) -> int:
    from loaders.delivery import DeliveryError
    from loaders.retention import archive_day, drop_old_partitions, retention_days

    if args.action == "archive":
        last = args.date_to or args.date_from
        day = args.date_from
        failed = 0
        while day <= last:
            try:
                print(f"{day:%Y-%m-%d} archived in {archive_day(Path(args.inbox), day)}")
            except DeliveryError as exc:
                print(f"bankperf raw archive: {exc}", file=sys.stderr)
                failed += 1
            day += dt.timedelta(days=1)
        return 1 if failed else 0
    keep = args.keep_days if args.keep_days is not None else retention_days()
    if keep is None:
        print("bankperf raw prune: give --keep-days N or set BANKPERF_RAW_RETENTION_DAYS", file=sys.stderr)
        return 2
    dropped = drop_old_partitions(keep)
    print(f"dropped the raw partitions of {len(dropped)} dates"
          + (f" ({dropped[0]:%Y-%m-%d} .. {dropped[-1]:%Y-%m-%d})" if dropped else ""))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from bankperf.summary import summary

    print(summary())
    return 0


def cmd_recon(args: argparse.Namespace) -> int:
    from bankperf.reconciliation.report import fetch, write_report

    xlsx, page = write_report(args.date, Path(args.out) if args.out else None)
    print(fetch(args.date).headline)
    print(f"workbook: {xlsx}\nhtml:     {page}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.headless import run

    return run(Path(args.inbox), args.date_from, args.date_to or args.date_from)


def cmd_manage(args: argparse.Namespace) -> int:
    from bankperf.manage import commands
    from bankperf.manage.files import FileFormatError
    from bankperf.manage.validate import ValidationError

    try:
        if args.action == "import":
            print(commands.import_file(args.kind, Path(args.file), args.by, args.reason))
        elif args.action == "export":
            print(commands.export_file(args.kind, Path(args.file or f"{args.kind}.csv")))
        else:
            print(commands.write_template(args.kind, Path(args.file or f"{args.kind}.xlsx")))
    except (FileFormatError, ValidationError, KeyError, ValueError) as exc:
        print(f"bankperf manage {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_plans(args: argparse.Namespace) -> int:
    """Plans are the management-input kind `plan` (history, validation and export as for every kind)."""
    import getpass

    args.kind = "plan"
    if args.action == "import":
        args.by = args.by or getpass.getuser()
        args.reason = args.reason or f"plans from {Path(args.file).name}"
    return cmd_manage(args)


def _read_password(args: argparse.Namespace) -> str | None:
    """The new password from stdin (--password-stdin) or a prompt that does not echo; never an argument."""
    import getpass

    if getattr(args, "no_password", False):
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise ValueError("no terminal to prompt for the password: pipe it with --password-stdin")
    first = getpass.getpass(f"password for {args.login}: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    import psycopg

    from bankperf import settings
    from bankperf.access import users
    from bankperf.manage.files import FileFormatError
    from bankperf.manage.validate import ValidationError

    by = getpass.getuser()
    try:
        with psycopg.connect(settings.db_settings().url, autocommit=True) as conn:
            if args.action == "add":
                user = users.User(args.login, args.role, args.emp, args.org, args.name)
                print(users.add(conn, user, _read_password(args), by))
            elif args.action == "import":
                out = Path(args.passwords_out) if args.passwords_out else None
                print(users.import_file(conn, Path(args.file), by, out))
            elif args.action == "list":
                print("login\trole\temp_id\torg_id\tname\tactive\tcreated_at\tcreated_by\tupdated_at")
                for row in users.list_users(conn):
                    print("\t".join("" if value is None else str(value) for value in row))
            elif args.action == "demo":
                from bankperf.access import demo

                out = Path(args.out) if args.out else settings.home() / "demo_users.txt"
                print(demo.login_help(demo.create_demo_users(conn, out), out))
            elif args.action == "disable":
                print(users.disable(conn, args.login))
            else:
                password = _read_password(args)
                if not password:
                    raise ValueError("an empty password is not a password")
                print(users.set_user_password(conn, args.login, password))
    except (users.UserError, FileFormatError, ValidationError, ValueError) as exc:
        print(f"bankperf users {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_period(args: argparse.Namespace) -> int:
    """The appraisal cycle: close, reopen, list, differences since the close, pay export."""
    import psycopg

    from bankperf import settings
    from bankperf.appraisal import cycle

    try:
        with psycopg.connect(settings.db_settings().url, autocommit=True) as conn:
            if args.action == "close":
                done = cycle.close(conn, args.period, args.note)
                print(f"closed {done.period} as close {done.close_id}, version {done.version}, by {done.closed_by}: "
                      f"{done.results} results, {done.lines} scorecard lines, {done.indicator_values} indicator "
                      f"values of {done.biz_date:%Y-%m-%d}")
            elif args.action == "reopen":
                print(cycle.reopen(conn, args.period, args.reason))
            elif args.action == "list":
                rows, header = cycle.list_closes(conn, args.period), cycle.LIST_COLUMNS
            elif args.action == "diff":
                rows, header = cycle.differences(conn, args.period), cycle.DIFF_COLUMNS
            else:
                out = Path(args.out or f"pay_{args.period}.xlsx")
                rows = cycle.pay_rows(conn, args.period, args.version)
                written = cycle.write_pay_export(rows, out)
                print(f"wrote {len(rows)} employees' closed results of {args.period} to {written}")
            if args.action in ("list", "diff"):
                print("\t".join(header))
                for row in rows:
                    print("\t".join("" if value is None else str(value) for value in row))
                if args.action == "diff":
                    print(f"{len(rows)} line(s) differ from the close in force", file=sys.stderr)
    except (cycle.CycleError, ValueError) as exc:
        print(f"bankperf period {args.action}: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:  # e.g. nothing built and published yet, or no right to the store
        print(f"bankperf period {args.action}: {exc.diag.message_primary or exc}", file=sys.stderr)
        return 1
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from portal.server import serve

    serve(args.host, args.port, args.threads)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bankperf", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="the project's own PostgreSQL (or the configured one)")
    db.add_argument("action", choices=["start", "stop", "status", "url", "env", "grant"])
    db.add_argument("--dry-run", action="store_true", help="grant: print the statements, change nothing")
    db.set_defaults(handler=cmd_db)

    users = commands.add_parser("users", help="user logins: roles, employees, institutions, passwords")
    user_actions = users.add_subparsers(dest="action", required=True)
    users_add = user_actions.add_parser("add", help="a new login in one user role (password prompted)")
    users_add.add_argument("login")
    users_add.add_argument("--role", required=True, choices=["office", "head_office", "branch_head", "manager",
                                                               "analyst", "auditor"])
    users_add.add_argument("--emp", help="the employee a manager is")
    users_add.add_argument("--org", help="the institution whose subtree a branch head sees")
    users_add.add_argument("--name", help="display name")
    users_add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    users_add.add_argument("--no-password", action="store_true", help="create it without a password (no login yet)")
    users_import = user_actions.add_parser("import", help="CSV or .xlsx: login,user_role,emp_id,org_id,display_name")
    users_import.add_argument("file")
    users_import.add_argument("--passwords-out", help="generate passwords for new logins into this file (mode 600)")
    user_actions.add_parser("list", help="every login, its role and scope")
    users_disable = user_actions.add_parser("disable", help="no login, portal access revoked, sessions ended")
    users_disable.add_argument("login")
    users_password = user_actions.add_parser("password", help="set or reset a password (prompted, never echoed)")
    users_password.add_argument("login")
    users_password.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    users_demo = user_actions.add_parser("demo", help="one demo login of every role on the built bank (make demo)")
    users_demo.add_argument("--out", default=None, help="passwords file (default var/demo_users.txt, mode 600)")
    for sub in (users_add, users_import, users_disable, users_password, users_demo):
        sub.set_defaults(handler=cmd_users)
    user_actions.choices["list"].set_defaults(handler=cmd_users)

    gen = commands.add_parser("generate", help="write a synthetic core bank's interface files")
    gen.add_argument("--out", required=True, help="inbox folder to write <D>/ folders into")
    gen.add_argument("--start", required=True, type=_date, help="first business date, YYYYMMDD")
    gen.add_argument("--days", required=True, type=int, help="number of consecutive days")
    gen.add_argument("--accounts", type=int, default=20000, help="deposit accounts at the start (default 20000)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--encoding", default="UTF-8", choices=["UTF-8", "GBK", "utf-8", "gbk"])
    gen.add_argument("--gl-break", type=_dates, help="YYYYMMDD[,YYYYMMDD...]: days whose GL disagrees with the detail")
    gen.set_defaults(handler=cmd_generate)

    load = commands.add_parser("load", help="load business dates from an inbox into raw")
    load.add_argument("--inbox", required=True)
    load.add_argument("--date", type=_date)
    load.add_argument("--from", dest="date_from", type=_date)
    load.add_argument("--to", dest="date_to", type=_date)
    load.set_defaults(handler=cmd_load)

    raw = commands.add_parser("raw", help="raw retention: archive delivered days, drop old raw partitions")
    raw_actions = raw.add_subparsers(dest="action", required=True)
    raw_archive = raw_actions.add_parser("archive", help="archive delivered days (tar.gz with their control files)")
    raw_archive.add_argument("--inbox", required=True)
    raw_archive.add_argument("--from", dest="date_from", required=True, type=_date)
    raw_archive.add_argument("--to", dest="date_to", type=_date)
    raw_prune = raw_actions.add_parser("prune", help="drop raw partitions of published, archived dates older than N "
                                                     "days before the last published date")
    raw_prune.add_argument("--keep-days", type=int, help="default: BANKPERF_RAW_RETENTION_DAYS")
    for sub in (raw_archive, raw_prune):
        sub.set_defaults(handler=cmd_raw)

    nightly = commands.add_parser("run", help="the nightly Dagster job, headless: load D1..D2 and dbt build, one run")
    nightly.add_argument("--inbox", required=True, help="folder holding the YYYYMMDD/ deliveries")
    nightly.add_argument("--from", dest="date_from", required=True, type=_date, help="first business date, YYYYMMDD")
    nightly.add_argument("--to", dest="date_to", type=_date, help="last business date (default: --from)")
    nightly.set_defaults(handler=cmd_run)

    recon = commands.add_parser("recon", help="general-ledger reconciliation")
    recon_actions = recon.add_subparsers(dest="action", required=True)
    recon_report = recon_actions.add_parser("report", help="write the finance report (.xlsx and .html) of a date")
    recon_report.add_argument("--date", required=True, type=_date)
    recon_report.add_argument("--out", help="folder (default var/recon/<YYYYMMDD>/, as the nightly run writes it)")
    recon_report.set_defaults(handler=cmd_recon)

    manage = commands.add_parser("manage", help="management inputs (control schema): import, export, templates")
    manage_actions = manage.add_subparsers(dest="action", required=True)
    manage_import = manage_actions.add_parser("import", help="validate and import a CSV or .xlsx file")
    manage_import.add_argument("kind")
    manage_import.add_argument("file")
    manage_import.add_argument("--by", required=True, help="who makes the change")
    manage_import.add_argument("--reason", required=True, help="why")
    manage_export = manage_actions.add_parser("export", help="write the current state (CSV, or .xlsx by name)")
    manage_export.add_argument("kind")
    manage_export.add_argument("file", nargs="?", help="output file (default <kind>.csv)")
    manage_template = manage_actions.add_parser("template", help="write an empty .xlsx template")
    manage_template.add_argument("kind")
    manage_template.add_argument("file", nargs="?", help="output file (default <kind>.xlsx)")
    for sub in (manage_import, manage_export, manage_template):
        sub.set_defaults(handler=cmd_manage)

    plans = commands.add_parser("plans", help="indicator plans (CSV indicator_code,subject_type,subject_id,period,"
                                              "plan_value, or the .xlsx template): completion updates at once")
    plan_actions = plans.add_subparsers(dest="action", required=True)
    plans_import = plan_actions.add_parser("import", help="validate and import plans; nothing imported on any error")
    plans_import.add_argument("file")
    plans_import.add_argument("--by", help="who sets the plans (default: the OS user)")
    plans_import.add_argument("--reason", help="why (default: 'plans from <file name>')")
    plans_export = plan_actions.add_parser("export", help="the plans in force (CSV, or .xlsx by name)")
    plans_export.add_argument("file", nargs="?", default="plan.csv")
    plans_template = plan_actions.add_parser("template", help="an empty .xlsx template")
    plans_template.add_argument("file", nargs="?", default="plan.xlsx")
    for sub in (plans_import, plans_export, plans_template):
        sub.set_defaults(handler=cmd_plans)

    period = commands.add_parser("period", help="the appraisal cycle: close a month, quarter or year, reopen, "
                                                "differences since the close, pay export")
    period_actions = period.add_subparsers(dest="action", required=True)
    period_close = period_actions.add_parser("close", help="freeze the period's results (2026, 2026Q1, 2026-03)")
    period_close.add_argument("period")
    period_close.add_argument("--note", help="a note kept with the close")
    period_reopen = period_actions.add_parser("reopen", help="reopen the period's close (the history stays)")
    period_reopen.add_argument("period")
    period_reopen.add_argument("--reason", required=True, help="why (kept)")
    period_list = period_actions.add_parser("list", help="every close with its versions used and reopenings")
    period_list.add_argument("period", nargs="?")
    period_diff = period_actions.add_parser("diff", help="lines whose current value differs from the close")
    period_diff.add_argument("period")
    period_export = period_actions.add_parser("export", help="the closed results per employee as .xlsx for payroll")
    period_export.add_argument("period")
    period_export.add_argument("--version", type=int, help="a closed version (default: the close in force)")
    period_export.add_argument("--out", help="output file (default pay_<period>.xlsx)")
    for sub in (period_close, period_reopen, period_list, period_diff, period_export):
        sub.set_defaults(handler=cmd_period)

    web = commands.add_parser("web", help="serve the portal (managers, branch heads, the performance office)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    web.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    web.set_defaults(handler=cmd_web)

    summary = commands.add_parser("summary", help="what is loaded and built, and where to look")
    summary.set_defaults(handler=cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user sees one clear line, not a traceback
        from bankperf.database import DatabaseError

        if isinstance(exc, DatabaseError):
            print(f"bankperf: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
