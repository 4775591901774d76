"""The raw feeds' quality gates as Dagster asset checks, for real.

The definitions give every raw feed asset a blocking ``expectations`` and ``rows_balance``
check (the sample day passing every one of them is tested on the suite's one run of the sample
day, ``tests/test_orchestration.py::test_nightly_materializes_the_sample_day``); a day whose
DEP delivers an account twice fails the run at ``raw/dep`` ``expectations``, with a message
naming the key, and dbt builds nothing for that date.

The module has its own ``DAGSTER_HOME`` and database; GX results go to a temporary folder.
"""

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, Definitions
from psycopg import sql

from bankperf.quality.project import CONTEXT_ROOT, suite_name
from loaders.contract import feed, feeds
from orchestration.project import manifest_path
from orchestration.resources import InboxResource
from tests.deliveries import write_day

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "interface" / "samples"
SAMPLE_DATE = dt.date(2026, 1, 5)
DUPLICATE_DATE = dt.date(2026, 1, 6)
RAW_KEYS = {AssetKey(["raw", source.table]) for source in feeds().values()}
CHECK_NAMES = ("expectations", "rows_balance")
CURRENCY_FEEDS = ("DEP", "LOAN", "GL", "FEE", "INTL")  # every feed with a currency column


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quality")


def _run(defs: Definitions, inbox: Path, quality_dir: Path, biz_date: dt.date):
    from orchestration.resources import QualityResource

    resources = {"inbox": InboxResource(path=str(inbox)), "quality": QualityResource(output_dir=str(quality_dir))}
    with DagsterInstance.get() as instance:
        return defs.resolve_job_def("nightly").execute_in_process(
            instance=instance,
            partition_key=biz_date.isoformat(),
            resources=resources,
            raise_on_error=False,
        )


def _evaluations(result) -> dict[AssetCheckKey, object]:
    return {
        event.event_specific_data.asset_check_key: event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def _fact_tables() -> list[sql.Composed]:
    """The dbt project's fact tables that have a business date."""
    manifest = json.loads(manifest_path().read_text())
    return [
        sql.Identifier(node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"].startswith("fct_") and "biz_date" in node["columns"]
    ]


def _sample_lines(code: str) -> list[str]:
    return (SAMPLES / f"{SAMPLE_DATE:%Y%m%d}" / f"{code}_{SAMPLE_DATE:%Y%m%d}.dat").read_text("utf-8").splitlines()


def _with_txn_date(line: str, code: str, biz_date: dt.date) -> str:
    fields = line.split("|")
    fields[feed(code).column_names.index("txn_date")] = f"{biz_date:%Y%m%d}"
    return "|".join(fields)


def test_every_raw_feed_has_blocking_quality_checks_gating_dbt(defs: Definitions) -> None:
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    assert len(RAW_KEYS) == 12
    expected = {AssetCheckKey(key, name) for key in RAW_KEYS for name in CHECK_NAMES}
    assert expected <= set(graph.asset_check_keys)
    for key in expected:
        assert graph.get(key).blocking, f"{key.to_user_string()} is not blocking"

    job = defs.resolve_job_def("nightly")
    assert expected <= set(job.asset_layer.asset_graph.asset_check_keys)
    def waits_for(step: str) -> set[str]:
        return {output.node_name for output in job.graph.dependency_structure.all_upstream_outputs_from_node(step)}

    # the first dbt build (staging reads raw) waits for the checks; the partitioned build comes after it
    assert "dbt_models_unpartitioned" in waits_for("dbt_models_partitioned")
    waits_for = waits_for("dbt_models_unpartitioned")
    assert "raw_expectations" in waits_for
    assert {f"raw__{key.path[1]}_rows_balance" for key in RAW_KEYS} <= waits_for

    # "every currency used that day is in FX": a critical (blocking) expectation of each feed with a currency
    for code in CURRENCY_FEEDS:
        suite = json.loads((CONTEXT_ROOT / "expectations" / f"{suite_name(code)}.json").read_text())
        rules = {expectation["meta"]["rule"]: expectation for expectation in suite["expectations"]}
        assert rules["currency_in_fx"]["severity"] == "critical", code
        assert "raw.fx" in rules["currency_in_fx"]["kwargs"]["unexpected_rows_query"]


def test_a_duplicate_dep_key_fails_the_run_at_the_check_and_dbt_does_not_run(
    defs: Definitions, fresh_db: str, quality_dir: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    rows = {code: _sample_lines(code) for code in feeds()}
    for code in ("FEE", "INTL"):  # transactions of the new day
        rows[code] = [_with_txn_date(line, code, DUPLICATE_DATE) for line in rows[code]]
    rows["DEP"].append(rows["DEP"][0])  # the same account twice
    names = feed("DEP").column_names
    first = rows["DEP"][0].split("|")
    acct_no, sub_acct_no = first[names.index("acct_no")], first[names.index("sub_acct_no")]
    write_day(inbox, DUPLICATE_DATE, rows)

    result = _run(defs, inbox, quality_dir, DUPLICATE_DATE)

    assert not result.success
    evaluations = _evaluations(result)
    dep = evaluations[AssetCheckKey(AssetKey(["raw", "dep"]), "expectations")]
    assert not dep.passed and dep.blocking and dep.severity.value == "ERROR"
    for text in ("DEP", DUPLICATE_DATE.isoformat(), "key_unique", f"acct_no={acct_no}", f"sub_acct_no={sub_acct_no}"):
        assert text in dep.description, dep.description
    assert f"acct_no={acct_no}" in dep.metadata["failures"].value
    assert Path(dep.metadata["data_docs"].value).is_file()
    failed = {key.to_user_string() for key, data in evaluations.items() if not data.passed}
    assert failed == {"raw/dep:expectations"}  # the loads balance; no other feed is wrong

    failed_steps = [event.step_key for event in result.all_events if event.is_step_failure]
    assert failed_steps == ["raw_expectations"]
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == RAW_KEYS, f"built despite the failed check: {materialized - RAW_KEYS}"
    started = {event.step_key for event in result.all_events if event.event_type_value == "STEP_START"}
    assert not any(step.startswith("dbt_models") for step in started)
    with psycopg.connect(fresh_db) as conn:
        assert conn.execute("select count(*) from raw.dep where biz_date = %s", (DUPLICATE_DATE,)).fetchone()[0] == len(
            rows["DEP"]
        )
        for relation in _fact_tables():  # built by the sample day's run, if it ran first
            if conn.execute("select to_regclass(%s)", (relation.as_string(conn),)).fetchone()[0] is None:
                continue
            built = conn.execute(
                sql.SQL("select count(*) from {} where biz_date = %s").format(relation), (DUPLICATE_DATE,)
            ).fetchone()[0]
            assert built == 0, f"{relation.as_string(conn)} holds {DUPLICATE_DATE}"


@pytest.mark.parametrize(
    ("row", "raw_rows", "stale_rows", "expected"),
    [
        ({"status": "LOADED", "load_id": 7, "rows_loaded": 9, "rows_rejected": 1, "ctl_row_count": 10}, 9, 0, []),
        (None, None, None, ["no finished load"]),
        ({"status": "FAILED", "load_id": 7, "error": "MD5 mismatch"}, None, None, ["status FAILED", "MD5 mismatch"]),
        (
            {"status": "LOADED", "load_id": 7, "rows_loaded": 9, "rows_rejected": 0, "ctl_row_count": 10},
            9,
            0,
            ["rows_loaded 9 + rows_rejected 0 != ctl_row_count 10"],
        ),
        (
            {"status": "LOADED", "load_id": 7, "rows_loaded": 9, "rows_rejected": 1, "ctl_row_count": 10},
            8,
            2,
            ["raw holds 8 rows", "2 raw rows are not from the current load_id 7"],
        ),
    ],
)
def test_rows_balance_names_what_does_not_add_up(row, raw_rows, stale_rows, expected: list[str]) -> None:
    from orchestration.assets.checks import _balance_problems

    problems = " | ".join(_balance_problems(row, raw_rows, stale_rows))
    for text in expected:
        assert text in problems
    assert bool(problems) == bool(expected)
