"""The Dagster orchestration, for real: the definitions hold every asset, check, job, schedule
and sensor; the nightly job loads the sample day and builds the dbt models in a database of
its own; the sensor reacts to READY; ``bankperf run`` fails loudly on a missing READY.

Each module run gets its own ``DAGSTER_HOME`` (a temporary folder) and the environment is
restored afterwards, since the runs export ``PG*`` for dbt.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    BackfillPolicy,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    Definitions,
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)
from psycopg import sql

from bankperf import cli
from loaders.contract import feed, feeds
from orchestration.dagster_internals import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)
from orchestration.project import manifest_path
from orchestration.resources import DatabaseResource, InboxResource, QualityResource
from tests.deliveries import write_day, write_feed

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "interface" / "samples"
SAMPLE_DATE = dt.date(2026, 1, 5)
RAW_KEYS = {AssetKey(["raw", feed.table]) for feed in feeds().values()}
BUILT = ("view", "table", "incremental")  # materializations that leave a relation behind


@pytest.fixture(scope="module")
def dbt_parse_vars(fresh_db: str) -> dict[str, str]:
    """The module parses the dbt project in its database with the sample day's window, so the sample
    day's build reuses the parse (conftest.dagster_home) instead of parsing the project again."""
    return {"min_date": SAMPLE_DATE.isoformat(), "max_date": SAMPLE_DATE.isoformat()}


@pytest.fixture(scope="module")
def manifest(dagster_home: Path) -> dict:
    return json.loads(manifest_path().read_text())


def _dbt_assets(manifest: dict) -> dict[str, dict]:
    """The dbt nodes that are assets (seeds, snapshots, non-ephemeral models), by unique id."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot") and node["config"]["materialized"] != "ephemeral"
    }


def _asset_key(node: dict) -> AssetKey:
    """The asset key the code location gives a dbt node."""
    from orchestration.assets.dbt import translator

    return translator.get_asset_key(node)


def _failures(result) -> list[str]:
    return [
        f"{event.step_key}: {event.step_failure_data.error.message if event.step_failure_data.error else ''}"
        for event in result.all_events
        if event.is_step_failure
    ]


def test_definitions_hold_every_asset_check_job_schedule_and_sensor(defs: Definitions, manifest: dict) -> None:
    from orchestration.partitions import daily_partitions

    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())

    assert RAW_KEYS <= keys and len(RAW_KEYS) == 12
    for key in RAW_KEYS:
        assert graph.get(key).group_name == "raw"

    dbt_nodes = _dbt_assets(manifest)
    dbt_keys = {_asset_key(node) for node in dbt_nodes.values()}
    assert dbt_keys <= keys, f"dbt nodes without an asset: {dbt_keys - keys}"
    staging = [node for node in dbt_nodes.values() if node["resource_type"] == "model" and node["fqn"][1] == "staging"]
    assert staging, "no staging model in the dbt project"
    for node in staging:  # each staging model reads a source: lineage must reach the loader's asset
        parents = graph.get(_asset_key(node)).parent_keys
        if node["fqn"][2] in ("control", "appraisal"):  # management inputs, closed results: external assets
            assert parents and all(key.path[0] == node["fqn"][2] for key in parents), (node["name"], parents)
        else:
            assert parents & RAW_KEYS, f"{node['name']} does not depend on a raw feed asset: {parents}"
        assert graph.get(_asset_key(node)).group_name == "staging"

    # the dbt assets in two: partitioned (the daily models that keep rows, and all built on them), the rest not
    from orchestration.assets.dbt import dbt_models_partitioned, dbt_models_unpartitioned

    partitioned, unpartitioned = set(dbt_models_partitioned.keys), set(dbt_models_unpartitioned.keys)
    assert partitioned | unpartitioned == dbt_keys and not partitioned & unpartitioned
    for node in dbt_nodes.values():
        key, materialized = _asset_key(node), node["config"]["materialized"]
        if "daily" in node["tags"] and materialized in ("incremental", "table"):
            assert key in partitioned, node["name"]
        if node["resource_type"] == "seed" or node["fqn"][1] == "staging":
            assert key in unpartitioned, node["name"]
    calendar = next(_asset_key(node) for node in dbt_nodes.values() if node["name"] == "dim_date")
    assert calendar in unpartitioned  # the calendar: not a date's content
    for key in unpartitioned:  # nothing unpartitioned is built on a partitioned model (no view dropped for good)
        assert not graph.get(key).parent_keys & partitioned, key
        assert graph.get(key).partitions_def is None, key
    for key in RAW_KEYS | partitioned:  # one partitioning, ranges as one run
        node = graph.get(key)
        assert node.partitions_def == daily_partitions, key
        assert node.backfill_policy is not None and node.backfill_policy == BackfillPolicy.single_run()

    tests = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") in dbt_nodes
    ]
    check_names = {check.name for check in graph.asset_check_keys}
    assert {test["name"] for test in tests} <= check_names
    assert not tests or check_names, "dbt tests did not become asset checks"

    job = defs.resolve_job_def("nightly")
    assert job.partitions_def == daily_partitions
    assert RAW_KEYS | dbt_keys <= set(job.asset_layer.selected_asset_keys)
    # raw retention is the job's last step, after publication
    retention = AssetKey(["raw_retention"])
    assert retention in set(job.asset_layer.selected_asset_keys)
    assert graph.get(retention).parent_keys == {AssetKey(["publication"])}
    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (
        "nightly", "0 6 * * *", "Asia/Shanghai"
    )
    assert defs.resolve_sensor_def("inbox_ready_sensor").job_name == "nightly"

    # source freshness: a non-blocking check per raw feed with a dbt freshness, on its own hourly job
    freshness = {key for key in graph.asset_check_keys if key.name == "freshness"}
    assert {key.asset_key for key in freshness} == RAW_KEYS - {AssetKey(["raw", "intl"])}  # INTL: none in dbt
    assert not freshness & set(job.asset_layer.asset_graph.asset_check_keys)  # the clock, not the run's dates
    assert defs.resolve_schedule_def("raw_freshness_schedule").job_name == "raw_freshness_job"
    assert set(defs.resources) == {"inbox", "database", "quality", "publication", "dbt"}

    assert daily_partitions.timezone == "Asia/Shanghai"
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert daily_partitions.has_partition_key(today.isoformat())  # a READY before midnight can run at once
    assert daily_partitions.has_partition_key("2025-12-31")  # history, e.g. the previous year


def test_nightly_materializes_the_sample_day(defs: Definitions, manifest: dict, fresh_db: str, tmp_path: Path) -> None:
    """The sample day through the nightly job: every raw quality gate and dbt test passes, every feed
    loads its control file's rows, every dbt asset is built by the service logins. (The one real run of
    the sample day in the suite: tests/test_quality_checks.py tests the gates' failures.)"""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / f"{SAMPLE_DATE:%Y%m%d}", inbox / f"{SAMPLE_DATE:%Y%m%d}")
    quality_dir = tmp_path / "quality"

    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("nightly").execute_in_process(
            instance=instance,
            partition_key=SAMPLE_DATE.isoformat(),
            resources={
                "inbox": InboxResource(path=str(inbox)),
                "quality": QualityResource(output_dir=str(quality_dir)),
            },
            raise_on_error=False,
        )
    assert result.success, _failures(result)

    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert RAW_KEYS <= materialized
    build_folders = manifest_path().parent.glob(f"dbt_models_*-{result.run_id[:7]}-*")
    assert not list(build_folders), "a successful dbt build leaves its target folder behind"
    checks = [event for event in result.all_events if event.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = [event.event_specific_data.asset_check_key.to_user_string() for event in checks
              if not event.event_specific_data.passed]
    assert checks and not failed, failed

    # every raw feed's blocking gates ran on the day and passed: the GX suite (with its Data Docs in the
    # run's quality folder) and the row balance against the control file
    evaluations = {event.event_specific_data.asset_check_key: event.event_specific_data for event in checks}
    for key in RAW_KEYS:
        expectations = evaluations[AssetCheckKey(key, "expectations")].metadata
        assert expectations["dates"].value == SAMPLE_DATE.isoformat()
        assert expectations["failed_blocking"].value == 0 and expectations["expectations"].value > 0
        assert Path(expectations["data_docs"].value).is_file()
        assert str(quality_dir) in expectations["data_docs"].value
        balance = evaluations[AssetCheckKey(key, "rows_balance")].metadata
        code = feed(key.path[1]).code
        control = (inbox / f"{SAMPLE_DATE:%Y%m%d}" / f"{code}_{SAMPLE_DATE:%Y%m%d}.ctl").read_text()
        assert balance["ctl_row_count"].value == int(control.split("|")[2])
        assert balance["rows_loaded"].value + balance["rows_rejected"].value == balance["ctl_row_count"].value

    with psycopg.connect(fresh_db) as conn:
        for source in feeds().values():
            control = (inbox / f"{SAMPLE_DATE:%Y%m%d}" / f"{source.code}_{SAMPLE_DATE:%Y%m%d}.ctl").read_text()
            expected = int(control.split("|")[2])
            loaded = conn.execute(
                sql.SQL("select count(*) from raw.{} where biz_date = %s").format(sql.Identifier(source.table)),
                (SAMPLE_DATE,),
            ).fetchone()[0]
            assert loaded == expected, f"raw.{source.table}: {loaded} rows, control file says {expected}"
        # each part ran as its own service login (issue 13): the loads, dbt's relations, the published views
        assert conn.execute("select distinct loaded_by from audit.load_log").fetchall() == [("bankperf_loader",)]
        owners = conn.execute(
            "select distinct relnamespace::regnamespace::text, pg_get_userbyid(relowner) from pg_class "
            "where relnamespace::regnamespace::text in ('raw', 'staging', 'intermediate', 'marts', 'published') "
            "and relkind in ('r', 'p', 'v') and relname not in ('my_identity', 'publication_status', 'access_log', "
            "'load_log', 'rejected_rows', 'import_batches', 'management_input_history', 'restatement_log') order by 1"
        ).fetchall()
        assert owners == [("intermediate", "bankperf_transform"), ("marts", "bankperf_transform"),
                          ("published", "bankperf_transform"), ("raw", "bankperf_loader"),
                          ("staging", "bankperf_transform")]
        for node in _dbt_assets(manifest).values():
            if node["config"]["materialized"] not in BUILT and node["resource_type"] != "seed":
                continue
            relation = f"{node['schema']}.{node['alias']}"
            exists = conn.execute("select to_regclass(%s)", (relation,)).fetchone()[0]
            assert exists is not None, f"{relation} was not built"
            assert _asset_key(node) in materialized
        # the day-keyed facts (monthly ones built from management inputs may be empty without them)
        facts = [node for node in _dbt_assets(manifest).values()
                 if node["name"].startswith("fct_") and "biz_date" in node.get("columns", {})]
        for node in facts:
            table = sql.Identifier(node["schema"], node["alias"])
            rows = conn.execute(sql.SQL("select count(*) from {}").format(table)).fetchone()[0]
            assert rows > 0, f"{node['schema']}.{node['alias']} is empty after the sample day"

    # freshness, on its own job: the sample day is long past, so every checked feed is stale (error),
    # and the run still succeeds (the checks never block)
    with DagsterInstance.get() as instance:
        fresh = defs.resolve_job_def("raw_freshness_job").execute_in_process(instance=instance, raise_on_error=False)
    assert fresh.success, _failures(fresh)
    evaluations = [event.event_specific_data for event in fresh.all_events
                   if event.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(evaluations) == 11
    for evaluation in evaluations:
        assert not evaluation.passed and evaluation.severity.value == "ERROR"
        assert "latest business date 2026-01-05" in evaluation.description


def test_freshness_uses_dbt_thresholds_from_the_business_date_midnight(defs: Definitions) -> None:
    from orchestration.assets.freshness import Thresholds, source_thresholds, verdict

    assert source_thresholds()["dep"] == Thresholds(48, 96)  # _core__sources.yml
    assert "intl" not in source_thresholds()
    bank_time = ZoneInfo("Asia/Shanghai")
    day = dt.date(2026, 1, 5)
    rules = Thresholds(48, 96)
    assert verdict(day, dt.datetime(2026, 1, 6, 12, tzinfo=bank_time), rules)[0]  # 36 h
    passed, severity, said = verdict(day, dt.datetime(2026, 1, 7, 12, tzinfo=bank_time), rules)  # 60 h
    assert (passed, severity.value) == (False, "WARN")
    assert said == "latest business date 2026-01-05, 60 h old (warn after 48 h)"
    passed, severity, _ = verdict(day, dt.datetime(2026, 1, 9, 1, tzinfo=bank_time), rules)  # 97 h
    assert (passed, severity.value) == (False, "ERROR")
    passed, severity, said = verdict(None, dt.datetime(2026, 1, 9, tzinfo=bank_time), rules)
    assert (passed, severity.value, said) == (False, "ERROR", "nothing loaded yet")


def test_a_failing_dbt_test_fails_the_run(defs: Definitions, manifest: dict, own_db: str, tmp_path: Path) -> None:
    """A GL line that disagrees with the account detail passes every raw gate (the suites check each
    feed, not the ledger against the detail) but breaks the blocking dbt test of the reconciliation:
    its asset check fails and the run fails, with the broken line kept in the report."""
    inbox = tmp_path / "inbox"
    day = inbox / f"{SAMPLE_DATE:%Y%m%d}"
    shutil.copytree(SAMPLES / day.name, day)
    lines = (day / f"GL_{day.name}.dat").read_text(encoding="utf-8").splitlines()
    broken = [line.replace("0110|2001|CNY|C|1250000.00", "0110|2001|CNY|C|1250100.00") for line in lines]
    assert broken != lines
    write_feed(inbox, "GL", SAMPLE_DATE, broken)
    report = next(
        _asset_key(node) for node in _dbt_assets(manifest).values() if node["name"] == "rpt_gl_reconciliation"
    )

    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("nightly").execute_in_process(
            instance=instance,
            partition_key=SAMPLE_DATE.isoformat(),
            resources={"inbox": InboxResource(path=str(inbox))},
            raise_on_error=False,
        )

    assert not result.success
    failed = [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed
    ]
    assert [check.check_name for check in failed if check.asset_key == report] == ["assert_detail_equals_gl"]
    assert all(check.asset_key == report for check in failed), failed
    assert any("dbt_models" in failure for failure in _failures(result))
    with psycopg.connect(own_db) as conn:
        lines = conn.execute(
            "select org_id, subject_code, currency, difference::text, status from marts.rpt_gl_reconciliation "
            "where status <> 'OK'").fetchall()
    assert lines == [("0110", "2001", "CNY", "-100.00", "BREAK")]


def _dates(result) -> list[str | tuple[str, str]]:
    """What each run request of a sensor tick covers: a partition, or a (first, last) range."""
    return [
        request.partition_key
        or (request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG])
        for request in result.run_requests
    ]


def _redeliver(ready: Path, seconds_later: int = 60) -> None:
    later = ready.stat().st_mtime_ns + seconds_later * 10**9
    os.utime(ready, ns=(later, later))


def test_sensor_requests_a_run_per_delivery(defs: Definitions, own_db: str, tmp_path: Path) -> None:
    from orchestration.sensors import inbox_ready_sensor

    inbox = tmp_path / "inbox"
    write_day(inbox, dt.date(2026, 1, 5), {})
    write_day(inbox, dt.date(2026, 1, 6), {}, ready=False)
    resources = {"inbox": InboxResource(path=str(inbox)), "database": DatabaseResource()}

    with instance_for_test() as instance:

        def tick(cursor: str | None):
            return inbox_ready_sensor(build_sensor_context(instance=instance, cursor=cursor, resources=resources))

        relations = ("select string_agg(n.nspname || '.' || c.relname, ',' order by 1) from pg_class as c "
                     "inner join pg_namespace as n on n.oid = c.relnamespace where n.nspname not like 'pg_%' "
                     "and n.nspname <> 'information_schema'")
        with psycopg.connect(own_db) as conn:  # as on a database no run has published to yet
            conn.execute("drop table audit.publication_log cascade")
            before = conn.execute(relations).fetchone()[0]
        first = tick(None)
        assert _dates(first) == ["2026-01-05"]  # READY present; 2026-01-06 without READY is not run
        with psycopg.connect(own_db) as conn:  # a tick only reads: it creates no table or view
            assert conn.execute(relations).fetchone()[0] == before
            assert conn.execute("select to_regclass('audit.publication_log')").fetchone()[0] is None
        assert _dates(tick(first.cursor)) == []  # nothing new: no second run

        _redeliver(inbox / "20260105" / "READY")
        again = tick(first.cursor)
        assert _dates(again) == ["2026-01-05"]
        assert again.run_requests[0].run_key != first.run_requests[0].run_key

        (inbox / "20260106" / "READY").write_text("ORG\n")  # the late day completes
        late = tick(again.cursor)
        assert _dates(late) == ["2026-01-06"]

        _redeliver(inbox / "20260105" / "READY", 120)  # a correction of an older day rebuilds the days after it
        corrected = tick(late.cursor)
        assert _dates(corrected) == [("2026-01-05", "2026-01-06")]

        # a delivery already built by a run created after its READY (e.g. `bankperf run`) is not run again
        write_day(inbox, dt.date(2026, 1, 8), {})
        instance.add_run(
            DagsterRun(job_name="nightly", status=DagsterRunStatus.SUCCESS, tags={PARTITION_NAME_TAG: "2026-01-08"})
        )
        assert _dates(tick(corrected.cursor)) == []


def test_schedule_targets_the_previous_business_date(defs: Definitions, tmp_path: Path) -> None:
    from orchestration.schedules import nightly_schedule

    inbox = tmp_path / "inbox"
    six_am = dt.datetime(2026, 1, 6, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    def tick(instance: DagsterInstance):
        return nightly_schedule(
            build_schedule_context(
                instance=instance, scheduled_execution_time=six_am, resources={"inbox": InboxResource(path=str(inbox))}
            )
        )

    with instance_for_test() as instance:
        request = tick(instance)
        assert isinstance(request, RunRequest) and request.partition_key == "2026-01-05"  # READY late: run, fail loudly

        write_day(inbox, dt.date(2026, 1, 5), {})
        instance.add_run(
            DagsterRun(job_name="nightly", status=DagsterRunStatus.SUCCESS, tags={PARTITION_NAME_TAG: "2026-01-05"})
        )
        assert isinstance(tick(instance), SkipReason)  # the sensor already built it


def test_bankperf_run_without_ready_fails_naming_the_file(
    defs: Definitions, fresh_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    write_day(inbox, dt.date(2026, 1, 7), {}, ready=False)

    code = cli.main(["run", "--inbox", str(inbox), "--from", "20260107", "--to", "20260107"])

    err = capsys.readouterr().err
    assert code != 0
    assert str(inbox / "20260107" / "READY") in err
    assert "no READY file" in err


def test_bankperf_run_builds_a_range_across_the_year_end_as_one_run(
    defs: Definitions, manifest: dict, own_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("bankperf.generator")
    inbox = tmp_path / "inbox"
    assert cli.main(["generate", "--out", str(inbox), "--start", "20251231", "--days", "2", "--accounts", "200"]) == 0
    with DagsterInstance.get() as instance:
        before = {record.dagster_run.run_id for record in instance.get_run_records()}

    code = cli.main(["run", "--inbox", str(inbox), "--from", "20251231", "--to", "20260101"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "DEP 2025-12-31: loaded" in out and out.index("DEP 2025-12-31") < out.index("DEP 2026-01-01")
    with DagsterInstance.get() as instance:
        runs = [record.dagster_run for record in instance.get_run_records() if record.dagster_run.run_id not in before]
    assert len(runs) == 1  # the whole range in one run
    assert (runs[0].tags[ASSET_PARTITION_RANGE_START_TAG], runs[0].tags[ASSET_PARTITION_RANGE_END_TAG]) == (
        "2025-12-31", "2026-01-01"
    )
    with psycopg.connect(own_db) as conn:
        days = conn.execute("select distinct biz_date from raw.dep order by 1").fetchall()
        assert [day for (day,) in days] == [dt.date(2025, 12, 31), dt.date(2026, 1, 1)]
        for node in _dbt_assets(manifest).values():
            # the daily facts (events such as international settlements may not occur in a small bank)
            if node["name"].startswith("fct_") and node["name"].endswith("_daily"):
                table = sql.Identifier(node["schema"], node["alias"])
                built = conn.execute(sql.SQL("select count(distinct biz_date) from {}").format(table)).fetchone()[0]
                assert built == 2, f"{node['name']}: {built} business dates, expected both"


def test_bankperf_run_refuses_dates_outside_the_partitions(
    dagster_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--inbox", str(tmp_path), "--from", "20191231"]) == 2
    assert "BANKPERF_PARTITIONS_START" in capsys.readouterr().err
    assert cli.main(["run", "--inbox", str(tmp_path), "--from", "20260105", "--to", "20260104"]) == 2
    assert cli.main(["run", "--inbox", str(tmp_path / "absent"), "--from", "20260105"]) == 2
    assert "inbox folder does not exist" in capsys.readouterr().err
