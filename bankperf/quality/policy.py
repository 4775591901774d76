"""The severity policy: which check blocks publication, and why, as data applied to every check.

A check blocks publication only where publishing would put wrong or incomplete money in front of
users: a file incomplete or not the one described, detail different from the general ledger, a
currency without an FX rate, duplicate keys, shares of an account-day not summing to 100 %, a
broken period sum. Reference and relation problems in the descriptive feeds (REL, FTP, FEE, INTL,
CARD, EMP, CUST: accounts closed or not yet on the ledger, leavers, unknown employees or customers,
prices for accounts not on the books) are warnings: the row is applied where it can be and ignored
where it cannot, and ``rpt_data_exceptions`` lists it with what the warehouse did.

Every check belongs to one class below: each great-expectations rule (:func:`rule_class`, by the
rule's name and feed) and each error-severity dbt test (:data:`DBT_SINGULAR_TESTS` by name,
:data:`DBT_GENERIC_TESTS` by kind). ``python -m bankperf.quality.build`` refuses a rule whose
severity differs from its class's and writes the policy table into ``expectations/RULES.md``;
``tests/test_expectations.py`` fails when a dbt test of the manifest has no class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CRITICAL = "critical"
WARNING = "warning"


@dataclass(frozen=True)
class CheckClass:
    """One row of the policy table: a kind of check, its severity, why, and what happens to the rows."""

    name: str
    severity: str
    why: str
    rows: str


_HELD = "the date is not published (the previous good state stays visible) until a corrected file is delivered"
_HELD_BUILD = "the build's dates are not published; the failing rows are in the run's message and the test's output"

CLASSES = {
    check.name: check
    for check in (
        CheckClass(
            "file as described",
            CRITICAL,
            "the columns, types, required values, codes and ranges of the contract: a file that breaks them is not"
            " the one described, and every figure built from it could be wrong",
            _HELD,
        ),
        CheckClass(
            "complete delivery",
            CRITICAL,
            "a snapshot holds the whole state of the day and every day of the window is loaded: an empty or"
            " missing snapshot would show every balance as 0",
            _HELD,
        ),
        CheckClass(
            "duplicate keys",
            CRITICAL,
            "a key twice in a snapshot (or a model) counts its money twice",
            _HELD,
        ),
        CheckClass(
            "currency without FX rate",
            CRITICAL,
            "an amount in a currency without that day's rate cannot be converted to CNY: it would be missing",
            _HELD,
        ),
        CheckClass(
            "attribution tree",
            CRITICAL,
            "every amount counts to an institution of the ORG tree (accounting caliber) and every employee belongs"
            " to one (assessment caliber): an institution outside the tree would leave its money out of every"
            " total above it, and the two calibers of the head office would disagree",
            _HELD,
        ),
        CheckClass(
            "detail equals GL",
            CRITICAL,
            "account detail must equal the general ledger per institution, subject and currency",
            _HELD_BUILD + "; the finance reconciliation report lists the GL lines that break",
        ),
        CheckClass(
            "shares sum to 100 %",
            CRITICAL,
            "every yuan of every account (card, fee) is owned exactly once every day: shares summing to other than"
            " 100 % create or lose money",
            _HELD_BUILD,
        ),
        CheckClass(
            "exact sums",
            CRITICAL,
            "period sums equal the sum of their days, averages their cumulative over the days, parts their whole,"
            " the head office the same in both calibers: a broken sum shows wrong money",
            _HELD_BUILD,
        ),
        CheckClass(
            "model vocabulary",
            CRITICAL,
            "a derived code or reference outside the model's own list means a figure was built by no rule",
            _HELD_BUILD,
        ),
        CheckClass(
            "reference data",
            CRITICAL,
            "the warehouse's own reference data (indicator catalogue, scorecard weights) must be valid: every"
            " indicator and score is computed from it",
            _HELD_BUILD + " (the seed or management input is corrected, not the delivery)",
        ),
        CheckClass(
            "descriptive reference",
            WARNING,
            "a descriptive feed (REL, FTP, FEE, INTL, CARD, EMP, CUST, or a ledger's marketer or customer) names an"
            " account, card, employee, customer or institution that is not on that day's books: the contract says"
            " such rows are legal (closed accounts, relations entered early, leavers)",
            "applied where it can be, ignored where it cannot (a relation or price with no account that day, an"
            " owner not on the books replaced by the virtual manager, a fee routed by the next rule); each row is"
            " listed in published.rpt_data_exceptions with the action taken",
        ),
        CheckClass(
            "tolerated oddity",
            WARNING,
            "something the contract tolerates (a refund, a dated-back transaction, a future price, a closed account"
            " with a balance, a status the contract does not list): the figures stay right",
            "loaded and used as delivered; reported in the Data Docs",
        ),
    )
}

# Great-expectations rules whose class is not given by their name's pattern (see rule_class).
_RULE_CLASSES = {
    "columns": "file as described",
    "types": "file as described",
    "not_empty": "complete delivery",
    "key_unique": "duplicate keys",
    "currency_in_fx": "currency without FX rate",
    "cny_at_par": "currency without FX rate",
    "org_id_in_org": "attribution tree",
    "parent_org_id_in_org": "attribution tree",
    "one_head_office": "attribution tree",
    "root_is_head_office": "attribution tree",
    "open_org_id_in_org": "descriptive reference",
    "emp_id_active": "descriptive reference",
}


def rule_class(rule_name: str, severity: str) -> CheckClass:
    """The class of a great-expectations rule, from its name; the rule's severity must be the class's.

    Named classes first; then by pattern: references (``*_in_*``, ``*_exists``) are descriptive;
    required values, codes, ranges and formats are the file as described when blocking and a
    tolerated oddity when the contract tolerates them (warning).
    """
    if rule_name in _RULE_CLASSES:
        found = CLASSES[_RULE_CLASSES[rule_name]]
    elif "_in_" in rule_name or rule_name.endswith("_exists"):
        found = CLASSES["descriptive reference"]
    elif severity == WARNING:
        found = CLASSES["tolerated oddity"]
    else:
        found = CLASSES["file as described"]
    if found.severity != severity:
        raise ValueError(
            f"rule {rule_name}: severity {severity}, but the policy says {found.severity} ({found.name}: {found.why})"
        )
    return found


# Every error-severity singular dbt test (dbt_project/tests), by name.
DBT_SINGULAR_TESTS = {
    "assert_detail_equals_gl": "detail equals GL",
    "assert_fct_account_daily_window_days_loaded": "complete delivery",
    "assert_fct_account_daily_avg_is_cum_over_days": "exact sums",
    "assert_fct_account_daily_carried_rows_are_empty": "exact sums",
    "assert_fct_account_daily_cum_adds_each_day": "exact sums",
    "assert_owner_period_sums_equal_account": "exact sums",
    "assert_account_profit_parts_add_up": "exact sums",
    "assert_head_office_equal_in_both_calibers": "exact sums",
    "assert_head_office_profit_equal_in_both_calibers": "exact sums",
    "assert_every_account_day_fully_owned": "shares sum to 100 %",
    "assert_card_shares_sum_to_one": "shares sum to 100 %",
    "assert_fee_allocations_sum_to_fee": "shares sum to 100 %",
    "assert_owner_profit_sums_equal_account": "shares sum to 100 %",
    "assert_every_subject_has_every_indicator": "complete delivery",
    "assert_indicator_catalogue_is_valid": "reference data",
    "assert_role_weights_sum_to_100": "reference data",
}

# Every generic dbt test kind used with error severity (the YAML of the models), and its class. A
# relationships test at error severity is on an institution the attribution needs (currency and owner
# ones: see dbt_test_class); the descriptive ones (customer, marketer) are declared `severity: warn`.
DBT_GENERIC_TESTS = {
    "unique": "duplicate keys",
    "unique_combination": "duplicate keys",
    "not_null": "complete delivery",
    "contiguous_versions": "duplicate keys",
    "accepted_values": "model vocabulary",
    "relationships": "attribution tree",
}


def dbt_test_class(node: Mapping[str, Any]) -> CheckClass | None:
    """The class of a dbt test node of the manifest (None when the policy does not list it).

    Singular tests by name; generic ones by kind, except that a test on a seed checks the
    warehouse's reference data, and a ``relationships`` test on a currency is the FX rule and on
    an owner (``emp_id``) the model's own routing.
    """
    metadata = node.get("test_metadata")
    if not metadata:
        name = DBT_SINGULAR_TESTS.get(node["name"])
    elif str(node.get("attached_node") or "").startswith("seed."):
        name = "reference data"
    elif metadata["name"] == "relationships" and node.get("column_name") == "currency":
        name = "currency without FX rate"
    elif metadata["name"] == "relationships" and node.get("column_name") == "emp_id":
        name = "model vocabulary"
    else:
        name = DBT_GENERIC_TESTS.get(metadata["name"])
    return CLASSES[name] if name else None


def unclassified_dbt_tests(manifest: Mapping[str, Any]) -> list[str]:
    """The error-severity dbt tests of a manifest that the policy does not classify (should be none)."""
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and str(node["config"].get("severity", "error")).lower() == "error"
        and dbt_test_class(node) is None
    )


def policy_table() -> list[str]:
    """The policy as markdown: class, severity, why, what happens to the rows."""
    lines = ["| class | severity | why | what happens to the rows |", "|---|---|---|---|"]
    for check in CLASSES.values():
        label = "**blocking**" if check.severity == CRITICAL else "warning"
        lines.append(f"| {check.name} | {label} | {check.why} | {check.rows} |")
    return lines


def dbt_table() -> list[str]:
    """Every error-severity dbt test (singular by name, generic by kind) with its class."""
    lines = ["| dbt test | class | severity |", "|---|---|---|"]
    for name, class_name in sorted(DBT_SINGULAR_TESTS.items()):
        lines.append(f"| `{name}` | {class_name} | **blocking** |")
    for kind, class_name in sorted(DBT_GENERIC_TESTS.items()):
        lines.append(f"| every `{kind}` test (error severity) | {class_name} | **blocking** |")
    lines += [
        "| every `relationships` test on a `currency` | currency without FX rate | **blocking** |",
        "| every `relationships` test on an owner (`emp_id`) | model vocabulary | **blocking** |",
        "| every test on a seed (reference data) | reference data | **blocking** |",
        "| dbt unit tests (`unit_tests:`, formulas on hand-made inputs) | exact sums | **blocking** (at build) |",
    ]
    return lines
