"""Source freshness of the raw feeds, as Dagster asset checks (``freshness`` on ``raw/<table>``).

The thresholds are dbt's: each raw source's ``freshness`` (``warn_after``/``error_after``) in
``dbt_project/models/staging/core/_core__sources.yml``, read from the parsed manifest, so they are
written in one place. dbt's ``loaded_at_field`` for the feeds is the business date; the check takes
each feed's latest business date from the loaders' audit trail (``audit.current_loads``, status
LOADED) rather than scanning the raw tables, and measures its age from that date's midnight in the
bank's time zone. A feed without a ``freshness`` in dbt (INTL: a day may have no settlements) has
no check.

Not part of ``nightly``: freshness is about the clock, not about a run's dates (a backfill of last
year is not stale data), so the checks run on their own schedule, ``raw_freshness_schedule``, every
hour. They never block anything: a feed older than ``warn_after`` fails with severity WARN, one
older than ``error_after`` with severity ERROR, each naming the feed, its latest date and its age.
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    multi_asset_check,
)

from loaders.contract import Feed, feeds
from orchestration.assets.raw import raw_asset_key
from orchestration.partitions import TIMEZONE
from orchestration.project import manifest_path
from orchestration.resources import DatabaseResource

FRESHNESS = "freshness"
HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


@dataclass(frozen=True)
class Thresholds:
    """A source's dbt freshness, in hours (None: not set)."""

    warn_hours: float | None
    error_hours: float | None


def _hours(rule: dict | None) -> float | None:
    if not rule or rule.get("count") is None or rule.get("period") is None:
        return None
    return rule["count"] * HOURS[rule["period"]]


def source_thresholds() -> dict[str, Thresholds]:
    """Each raw table's dbt source freshness (only the sources that set one)."""
    manifest = json.loads(manifest_path().read_text())
    found = {}
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        thresholds = Thresholds(_hours(freshness.get("warn_after")), _hours(freshness.get("error_after")))
        if source["schema"] == "raw" and (thresholds.warn_hours or thresholds.error_hours):
            found[source["identifier"]] = thresholds
    return found


def verdict(latest: dt.date | None, now: dt.datetime, thresholds: Thresholds) -> tuple[bool, AssetCheckSeverity, str]:
    """(passed, severity, what to say) for a feed whose latest loaded business date is ``latest``."""
    if latest is None:
        return False, AssetCheckSeverity.ERROR, "nothing loaded yet"
    age = now - dt.datetime.combine(latest, dt.time(), tzinfo=now.tzinfo)
    hours = age.total_seconds() / 3600
    said = f"latest business date {latest:%Y-%m-%d}, {hours:.0f} h old"
    if thresholds.error_hours is not None and hours > thresholds.error_hours:
        return False, AssetCheckSeverity.ERROR, f"{said} (error after {thresholds.error_hours:.0f} h)"
    if thresholds.warn_hours is not None and hours > thresholds.warn_hours:
        return False, AssetCheckSeverity.WARN, f"{said} (warn after {thresholds.warn_hours:.0f} h)"
    return True, AssetCheckSeverity.WARN, said


def _latest_loaded(database: DatabaseResource) -> dict[str, dt.date]:
    with database.connect() as conn:
        if conn.execute("select to_regclass('audit.current_loads')").fetchone()[0] is None:
            return {}
        rows = conn.execute(
            "select feed, max(biz_date) from audit.current_loads where status = 'LOADED' group by feed"
        ).fetchall()
    return dict(rows)


def build_freshness_checks(sources: list[Feed]) -> AssetChecksDefinition:
    """``freshness`` of every raw feed whose dbt source has a freshness, as one step."""
    thresholds = source_thresholds()
    checked = [source for source in sources if source.table in thresholds]

    @multi_asset_check(
        name="raw_freshness_checks",
        specs=[
            AssetCheckSpec(
                name=FRESHNESS,
                asset=raw_asset_key(source),
                blocking=False,
                description=(
                    f"{source.code}: the latest loaded business date is at most "
                    f"{thresholds[source.table].warn_hours:.0f} h old (warn) / "
                    f"{thresholds[source.table].error_hours:.0f} h old (error), as dbt's source freshness says."
                ),
            )
            for source in checked
        ],
        can_subset=True,
        description="Source freshness of the raw feeds (dbt's thresholds, the loaders' audit trail).",
    )
    def _checks(context: AssetCheckExecutionContext, database: DatabaseResource) -> Iterator[AssetCheckResult]:
        selected = {key.asset_key for key in context.selected_asset_check_keys}
        latest = _latest_loaded(database)
        now = dt.datetime.now(ZoneInfo(TIMEZONE))
        for source in checked:
            if raw_asset_key(source) not in selected:
                continue
            passed, severity, said = verdict(latest.get(source.code), now, thresholds[source.table])
            if not passed:
                context.log.warning(f"{source.code}: {said}")
            yield AssetCheckResult(
                asset_key=raw_asset_key(source),
                check_name=FRESHNESS,
                passed=passed,
                severity=severity,
                description=f"{source.code}: {said}",
                metadata={
                    "feed": MetadataValue.text(source.code),
                    "latest_biz_date": MetadataValue.text(str(latest.get(source.code) or "")),
                },
            )

    return _checks


raw_freshness_checks = build_freshness_checks(list(feeds().values()))
