"""The GX project: where it lives, the names in it, and great-expectations imported with its network features off.

Every module of this package reaches GX through :func:`gx` so that ``GX_ANALYTICS_ENABLED``
is set before the first import (the project config also says ``analytics_enabled: false``),
and so that importing :mod:`bankperf.quality` stays cheap: GX loads on first use only.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from types import ModuleType

from bankperf.settings import REPO_ROOT

# Before anything imports great_expectations (GX reads it then); great_expectations.yml also says so.
os.environ["GX_ANALYTICS_ENABLED"] = "false"

PROJECT_ROOT = REPO_ROOT / "expectations"  # the GX project root (as gx.get_context(project_root_dir=...) takes it)
CONTEXT_ROOT = PROJECT_ROOT / "gx"  # where GX 1.x keeps great_expectations.yml and the stores

DATASOURCE = "bankperf_raw"
BATCH_DEFINITION = "day"
DOCS_SITE = "auditors"
# The session setting each validation connection carries: the business date its batch reads.
DATE_SETTING = "bankperf.biz_date"
# Variables great_expectations.yml refers to, given per validation run (runtime_environment).
URL_VARIABLE = "bankperf_raw_day_url"
OUTPUT_VARIABLE = "bankperf_quality_day_dir"
PARTIAL_SAMPLES = 5  # unexpected values (with their rows' keys) kept per expectation in results and messages


def gx() -> ModuleType:
    """The ``great_expectations`` module, imported with usage statistics disabled."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations

    return great_expectations


def suite_name(code: str) -> str:
    """``raw_dep`` for DEP: the suite, validation definition and checkpoint of a feed share it."""
    from loaders.contract import feed

    return f"raw_{feed(code).table}"


def asset_name(code: str) -> str:
    from loaders.contract import feed

    return feed(code).table


def day_query(code: str, biz_date: dt.date | None = None) -> str:
    """The feed's GX asset query: the rows of ``raw.<feed>`` on one business date.

    Without ``biz_date``, the query committed in great_expectations.yml: the date is the session
    setting :data:`DATE_SETTING`, so the project also runs by hand on a connection opened with
    ``-c bankperf.biz_date=<YYYY-MM-DD>``. With it, the date is a literal, which is what
    :mod:`bankperf.quality.validate` runs: PostgreSQL prunes a literal's partitions when it
    plans, and the cross-feed joins on ``biz_date`` inherit it. A setting is read by a stable
    function, whose partitions are pruned only when execution starts: every statement would
    still be planned (opened, locked, estimated) over every date's partition of each table it
    reads, and a night's validation would grow with the history kept.
    """
    from loaders.contract import feed

    table = feed(code).qualified_table
    if biz_date is None:
        return f"select * from {table} where biz_date = current_setting('{DATE_SETTING}')::date"
    return f"select * from {table} where biz_date = date '{biz_date.isoformat()}'"


def project_files() -> list[Path]:
    """The version-controlled files under expectations/ (everything but uncommitted/)."""
    return sorted(path for path in PROJECT_ROOT.rglob("*") if path.is_file() and "uncommitted" not in path.parts)
