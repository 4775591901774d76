"""The GX project: where it lives, the names in it, and great-expectations imported with its network features off.

Every module of this package reaches GX through :func:`gx` so that ``GX_ANALYTICS_ENABLED``
is set before the first import (the project config also says ``analytics_enabled: false``),
and so that importing :mod:`bankperf.quality` stays cheap: GX loads on first use only.
"""

from __future__ import annotations

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


def project_files() -> list[Path]:
    """The version-controlled files under expectations/ (everything but uncommitted/)."""
    return sorted(path for path in PROJECT_ROOT.rglob("*") if path.is_file() and "uncommitted" not in path.parts)
