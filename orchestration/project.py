"""The dbt project, as Dagster sees it: one cached :class:`~dagster_dbt.DbtProject`.

``dbt_project.yml`` and ``profiles.yml`` sit at the repository root. The Dagster definitions
read the project's ``target/manifest.json``; nothing runs dbt when they are imported, except
under ``dagster dev`` where ``prepare_if_dev()`` re-parses so model edits show up on reload.
Everywhere else the manifest is made by :func:`parse_manifest` first (``bankperf run`` does it
before every run, ``python -m orchestration`` by hand). The project has no dbt packages, so
nothing here needs the network, and ``dbt deps`` is never run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from bankperf.dbt_env import PROFILES_DIR, PROJECT_DIR, dbt_environment


@cache
def dbt_project() -> DbtProject:
    """The repository's dbt project (built once per process). Its target folder is ``target/``, or
    ``DBT_TARGET_PATH`` when set: the variable dbt itself reads for ``--target-path`` and under which
    dagster-dbt makes each build's folder, so the parse, the manifest the definitions read and the
    builds stay in one place (the tests give each parallel worker its own)."""
    _put_our_dbt_first_on_path()
    target = os.environ.get("DBT_TARGET_PATH") or "target"
    return DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROFILES_DIR, target_path=target)


def _put_our_dbt_first_on_path() -> None:
    """dagster-dbt's own dbt calls (``prepare_if_dev`` under ``dagster dev``) look ``dbt`` up on
    PATH; make that the dbt installed beside this Python, also when the virtualenv is not
    activated (``.venv/bin/dagster dev``, as ``make dagster`` runs it)."""
    ours = Path(sys.executable).parent / "dbt"
    found = shutil.which("dbt")
    if ours.exists() and (found is None or Path(found) != ours):
        os.environ["PATH"] = f"{ours.parent}{os.pathsep}{os.environ.get('PATH', '')}"


def dbt_executable() -> str:
    """The dbt installed beside this Python, so runs work without an activated virtualenv."""
    beside = Path(sys.executable).parent / "dbt"
    return os.fspath(beside) if beside.exists() else "dbt"


def manifest_path() -> Path:
    """Where the parsed project is: ``target/manifest.json`` under the repository (or ``DBT_TARGET_PATH``)."""
    return dbt_project().manifest_path


def parse_manifest(dbt_vars: Mapping[str, str] | None = None) -> float:
    """Run ``dbt parse`` (no database, no network) so ``target/manifest.json`` matches the models.

    ``dbt_vars``: the vars the next ``dbt build`` will get; parsing with the same ones lets that
    build reuse this parse (dbt re-parses everything when the vars differ).

    Returns the seconds it took. Raises :class:`RuntimeError` with dbt's own output when the
    project does not parse (a broken ``ref``, bad YAML), naming the project folder.
    """
    project = dbt_project()
    started = time.monotonic()
    completed = subprocess.run(
        [
            dbt_executable(), "parse", "--quiet", "--target-path", os.fspath(project.target_path),
            *(["--vars", json.dumps(dict(dbt_vars))] if dbt_vars else []),
        ],
        cwd=project.project_dir,
        env={**os.environ, **dbt_environment()},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or not project.manifest_path.exists():
        output = (completed.stdout + completed.stderr).strip()
        raise RuntimeError(f"dbt could not parse the project in {project.project_dir}:\n{output}")
    return time.monotonic() - started
