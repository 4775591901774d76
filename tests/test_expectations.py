"""The raw-boundary quality gates (great-expectations) against the real database and real files.

The sample day, loaded through the loaders, passes every suite; a hand-built day with five
known defects fails exactly the five expectations that describe them, with messages that name
the rows; each validation reads one business date, stores its result, builds Data Docs,
makes no network call and leaves the committed GX project untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bankperf.dbt_env import PROJECT_DIR
from bankperf.quality import FeedValidation, validate_day, validate_feed
from bankperf.quality.build import differences, project_config
from bankperf.quality.policy import rule_class, unclassified_dbt_tests
from bankperf.quality.project import (
    CONTEXT_ROOT,
    DATE_SETTING,
    PARTIAL_SAMPLES,
    day_query,
    project_files,
    suite_name,
)
from bankperf.quality.rules import CRITICAL, WARNING, rules_for
from loaders.contract import feed, feeds
from loaders.load import load_date
from orchestration.project import manifest_path, parse_manifest
from tests.deliveries import write_day

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "interface" / "samples"
SAMPLE_DAY = dt.date(2026, 1, 5)
BROKEN_DAY = dt.date(2026, 2, 1)

# (feed, rule) -> severity and the text its message must contain (the offending row's key and value)
BROKEN = {
    ("DEP", "key_unique"): (CRITICAL, ["acct_no=6200010001", "sub_acct_no=0001", "row_count=2"]),
    ("LOAN", "currency_in_fx"): (CRITICAL, ["acct_no=7100010001", "sub_acct_no=0001", "currency=XYZ"]),
    ("LOAN", "five_class_accepted"): (CRITICAL, ["acct_no=7100040001", "sub_acct_no=0001", "five_class=7"]),
    ("DEP", "cust_id_in_cust"): (WARNING, ["acct_no=3900030001", "sub_acct_no=0001", "cust_id=C999"]),
    # by the severity policy a relation for an account or employee not on the books is a warning
    ("REL", "dep_account_exists"): (WARNING, ["acct_type=DEP", "acct_no=6299990001", "emp_id=E001"]),
    ("DEP", "org_id_in_org"): (CRITICAL, ["acct_no=6200040001", "sub_acct_no=0002", "org_id=0999"]),
    ("REL", "emp_id_in_emp"): (WARNING, ["acct_type=LOAN", "acct_no=7100020001", "emp_id=E999"]),
}


def _sample_lines(code: str) -> list[str]:
    return (SAMPLES / "20260105" / f"{code}_20260105.dat").read_text(encoding="utf-8").splitlines()


def _set(line: str, code: str, column: str, value: str) -> str:
    fields = line.split("|")
    fields[feed(code).column_names.index(column)] = value
    return "|".join(fields)


def _line_of(lines: list[str], code: str, acct_no: str, sub_acct_no: str) -> int:
    names = feed(code).column_names
    for index, line in enumerate(lines):
        fields = line.split("|")
        if fields[names.index("acct_no")] == acct_no and fields[names.index("sub_acct_no")] == sub_acct_no:
            return index
    raise LookupError(f"{code} {acct_no}/{sub_acct_no} not in the sample day")


def broken_day() -> dict[str, list[str]]:
    """The sample day on BROKEN_DAY with exactly the defects listed in BROKEN, and nothing else wrong."""
    rows = {code: _sample_lines(code) for code in feeds()}
    for code in ("FEE", "INTL"):  # transactions of the new day
        rows[code] = [_set(line, code, "txn_date", f"{BROKEN_DAY:%Y%m%d}") for line in rows[code]]
    dep, loan = rows["DEP"], rows["LOAN"]
    dep.append(dep[_line_of(dep, "DEP", "6200010001", "0001")])  # duplicate key
    at = _line_of(dep, "DEP", "3900030001", "0001")
    dep[at] = _set(dep[at], "DEP", "cust_id", "C999")  # customer not in CUST
    at = _line_of(loan, "LOAN", "7100010001", "0001")
    loan[at] = _set(loan[at], "LOAN", "currency", "XYZ")  # currency not in FX
    at = _line_of(loan, "LOAN", "7100040001", "0001")
    loan[at] = _set(loan[at], "LOAN", "five_class", "7")  # no such class
    rows["REL"].append("DEP|6299990001|0001|E001|100.00|20260105|")  # an account DEP does not have
    at = _line_of(dep, "DEP", "6200040001", "0002")
    dep[at] = _set(dep[at], "DEP", "org_id", "0999")  # an institution ORG does not have
    rel = rows["REL"]
    at = next(index for index, line in enumerate(rel) if line.startswith("LOAN|7100020001|0001|E005|"))
    rel[at] = rel[at].replace("|E005|", "|E999|")  # an employee EMP does not have
    return rows


class NetworkCallError(AssertionError):
    pass


@pytest.fixture(scope="module")
def no_network() -> Iterator[None]:
    """Any Python-level socket connection fails (PostgreSQL goes through libpq, not Python sockets)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkCallError(f"network call attempted: {args[1:] or kwargs}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def output(fresh_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both days loaded through the loaders from files; the folder the validations write to."""
    inbox = tmp_path_factory.mktemp("inbox")
    shutil.copytree(SAMPLES / "20260105", inbox / "20260105")
    write_day(inbox, BROKEN_DAY, broken_day())
    for day in (SAMPLE_DAY, BROKEN_DAY):
        loaded = load_date(inbox, day, quiet=True)
        assert loaded.ok, loaded.errors()
        assert all(outcome.rows_rejected == 0 for outcome in loaded.feeds)
    return tmp_path_factory.mktemp("quality")


@pytest.fixture(scope="module")
def committed() -> dict[str, str]:
    """Digests of the committed GX project before any validation ran."""
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in project_files()}


@pytest.fixture(scope="module")
def sample(output: Path, committed: dict[str, str], no_network: None) -> dict[str, FeedValidation]:
    return validate_day(SAMPLE_DAY, output_dir=output)


@pytest.fixture(scope="module")
def broken(output: Path, committed: dict[str, str], no_network: None) -> dict[str, FeedValidation]:
    return validate_day(BROKEN_DAY, output_dir=output)


def test_committed_suites_are_built_from_the_rules() -> None:
    found = differences()
    assert not found, "expectations/gx is out of date; run `python -m bankperf.quality.build`:\n" + "".join(found)


def test_every_check_has_its_policy_class_and_severity() -> None:
    """Every GE rule and every error-severity dbt test belongs to a class of the written policy."""
    for code in feeds():
        for rule in rules_for(code):
            assert rule_class(rule.name, rule.severity).severity == rule.severity
    # the descriptive feeds' references never block (the contract says such rows are legal)
    for code, name in [("REL", "dep_account_exists"), ("REL", "loan_account_exists"), ("REL", "card_exists"),
                       ("REL", "emp_id_in_emp"), ("REL", "emp_id_active"), ("FTP", "dep_account_exists"),
                       ("FEE", "acct_no_in_dep_or_loan"), ("FEE", "emp_id_in_emp"), ("CARD", "acct_no_in_dep")]:
        assert {rule.name: rule.severity for rule in rules_for(code)}[name] == WARNING, (code, name)
    # the money's own gates still block
    for code, name in [("DEP", "key_unique"), ("LOAN", "currency_in_fx"), ("FEE", "currency_in_fx"),
                       ("DEP", "org_id_in_org")]:
        assert {rule.name: rule.severity for rule in rules_for(code)}[name] == CRITICAL, (code, name)
    with pytest.raises(ValueError, match="the policy says warning"):
        rule_class("dep_account_exists", CRITICAL)
    parse_manifest()  # the dbt project as it is now (dbt parse: no database, no network)
    assert unclassified_dbt_tests(json.loads(manifest_path().read_text())) == []
    assert "## The policy: every check belongs to one class" in (PROJECT_DIR / "expectations" / "RULES.md").read_text()


def test_every_feed_has_a_suite_with_keys_types_and_severities() -> None:
    config = project_config()
    assert config["analytics_enabled"] is False
    for code in feeds():
        name = suite_name(code)
        suite = json.loads((CONTEXT_ROOT / "expectations" / f"{name}.json").read_text())
        checkpoint = json.loads((CONTEXT_ROOT / "checkpoints" / f"{name}.json").read_text())
        rules = {expectation["meta"]["rule"]: expectation for expectation in suite["expectations"]}
        assert {"columns", "types", "key_unique"} <= set(rules), code
        assert {expectation["severity"] for expectation in suite["expectations"]} <= {CRITICAL, WARNING}
        assert rules["key_unique"]["severity"] == CRITICAL
        assert [rule.name for rule in rules_for(code)] == [e["meta"]["rule"] for e in suite["expectations"]]
        assert checkpoint["validation_definitions"][0]["name"] == name
        assert checkpoint["result_format"]["unexpected_index_column_names"] == list(feed(code).key)


def test_sample_day_passes_every_suite(sample: dict[str, FeedValidation], fresh_db: str) -> None:
    assert list(sample) == list(feeds())
    with psycopg.connect(fresh_db) as conn:
        for code, validation in sample.items():
            assert validation.success, [failure.message for failure in validation.failures]
            assert validation.failures == [], [failure.message for failure in validation.failures]
            assert validation.evaluated == len(rules_for(code)) == validation.passed
            table = feed(code).qualified_table
            rows = conn.execute(f"select count(*) from {table} where biz_date = %s", (SAMPLE_DAY,)).fetchone()[0]
            assert validation.rows == rows > 0


def test_results_and_data_docs_are_kept_per_date(sample: dict[str, FeedValidation], output: Path) -> None:
    folder = output / "20260105"
    index = folder / "data_docs" / "index.html"
    assert index.is_file()
    listing = index.read_text(encoding="utf-8")
    for code, validation in sample.items():
        assert validation.docs_index == index
        assert validation.docs_path is not None and validation.docs_path.is_file()
        assert validation.docs_path.suffix == ".html" and folder in validation.docs_path.parents
        assert validation.result_path is not None and validation.result_path.is_file()
        stored = json.loads(validation.result_path.read_text(encoding="utf-8"))
        assert stored["success"] is True and stored["suite_name"] == suite_name(code)
        assert suite_name(code) in listing


def test_broken_day_fails_exactly_the_broken_expectations(broken: dict[str, FeedValidation]) -> None:
    failed = {(failure.feed, failure.rule): failure for v in broken.values() for failure in v.failures}
    assert set(failed) == set(BROKEN), [failure.message for failure in failed.values()]
    for (code, rule), (severity, named) in BROKEN.items():
        failure = failed[(code, rule)]
        assert failure.severity == severity and failure.blocking == (severity == CRITICAL)
        assert failure.unexpected_count == 1
        assert failure.message.startswith(f"{code} 2026-02-01 {rule} failed.")
        for text in named:
            assert text in failure.message, failure.message
    assert {code for code, v in broken.items() if not v.success} == {"DEP", "LOAN"}
    assert broken["REL"].success and len(broken["REL"].warnings) == 2
    assert [len(broken["DEP"].errors), len(broken["DEP"].warnings)] == [2, 1]


def test_one_feed_can_be_validated_alone(broken: dict[str, FeedValidation], output: Path) -> None:
    validation = validate_feed("loan", BROKEN_DAY, output_dir=output)
    assert validation.feed == "LOAN" and not validation.success
    assert {failure.rule for failure in validation.errors} == {"currency_in_fx", "five_class_accepted"}
    assert validation.docs_path is not None and validation.docs_path.is_file()
    assert validation.docs_path != broken["LOAN"].docs_path  # a new run, a new page; the old one stays
    assert broken["LOAN"].docs_path is not None and broken["LOAN"].docs_path.is_file()


def test_a_batch_reads_only_its_business_date(sample: dict[str, FeedValidation], fresh_db: str) -> None:
    """Both days are loaded; the sample day still passes, and PostgreSQL reads one partition per table.

    The committed asset query (the date a session setting) is pruned when execution starts; as a
    validation binds it (the date a literal), the other dates' partitions are not even planned,
    so a statement's cost does not grow with the dates the tables keep.
    """
    committed = project_config()["fluent_datasources"]["bankperf_raw"]["assets"]["dep"]["query"]
    assert committed == day_query("DEP")
    currency = next(rule for rule in rules_for("DEP") if rule.name == "currency_in_fx")
    plans = {}
    with psycopg.connect(fresh_db, options=f"-c {DATE_SETTING}={SAMPLE_DAY.isoformat()}") as conn:
        for name, asset in (("committed", committed), ("bound", day_query("DEP", SAMPLE_DAY))):
            query = currency.kwargs["unexpected_rows_query"].format(batch=f"({asset})")
            plans[name] = "\n".join(row[0] for row in conn.execute(f"explain {query}"))
    for plan in plans.values():
        assert "dep_p20260105" in plan and "fx_p20260105" in plan
        assert "_p20260201" not in plan, plan
    assert "Subplans Removed" in plans["committed"], plans["committed"]
    assert "Subplans Removed" not in plans["bound"], plans["bound"]


def test_every_statement_is_planned_for_its_date(sample: dict[str, FeedValidation], output: Path) -> None:
    """The statements a validation runs carry the date as a literal, never the session setting."""
    statements: list[str] = []

    def record(conn: object, cursor: Any, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        validate_feed("FTP", SAMPLE_DAY, output_dir=output)  # its rules join DEP and LOAN of the day
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    batches = [statement for statement in statements if "raw.ftp" in statement]
    assert batches and all(f"date '{SAMPLE_DAY.isoformat()}'" in statement for statement in batches)
    assert not [statement for statement in statements if "current_setting" in statement]


def test_no_day_is_pulled_into_python(sample: dict[str, FeedValidation], output: Path) -> None:
    """Every statement returns aggregates or a few samples, never the day's rows (DEP has 8 of them)."""
    returned: list[tuple[int, str]] = []

    def record(conn: object, cursor: Any, statement: str, *args: object) -> None:
        returned.append((cursor.rowcount, statement))

    event.listen(Engine, "after_cursor_execute", record)
    try:
        validate_feed("DEP", SAMPLE_DAY, output_dir=output)
    finally:
        event.remove(Engine, "after_cursor_execute", record)
    assert returned
    assert max(count for count, _ in returned) <= PARTIAL_SAMPLES < sample["DEP"].rows, max(returned)


def test_validation_leaves_the_committed_project_untouched(
    sample: dict[str, FeedValidation], broken: dict[str, FeedValidation], committed: dict[str, str]
) -> None:
    after = {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in project_files()}
    assert after == committed
    assert not (CONTEXT_ROOT / "uncommitted").exists()
