"""dbt for the tests' own builds, run in the test process on a project parsed once per test database.

A ``dbt`` subprocess first spends seconds importing dbt, then — because every test night has its own
window and a change of ``--vars`` makes dbt throw its partial parse away — parses the whole project
again (about 20 s of CPU on this machine) before it builds anything; a module building six nights did
that six times. :func:`run_dbt` runs the same dbt command with the same arguments through dbt's
programmatic entry point (``dbtRunner``) in this process, on a copy of one parse of the project per test
database (a parse names its database in every relation), made by the module's first command: the same
selection, the same SQL, the same data tests, the same exit status; only the parse is shared.

One parse serves every window because the window is compile-time only: the models and the tests' ``where``
read ``min_date``/``max_date`` when a node is compiled (``window_bound``), and no model's config, test
definition or dependency depends on them. Each command gets a fresh copy of the parse (compiling writes
into the nodes it compiles, so a parse is never run twice). The process environment holds the dbt login
(``bankperf.dbt_env.dbt_environment``) only while a command runs, as it did for the subprocess.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bankperf.dbt_env import dbt_environment

# A module's build of its hand-built bank: ``dbt build`` without dbt's unit tests. Those (the formulas of
# ``unit_tests:`` beside the models) run on the fixed rows written in their YAML, so they give the same
# verdict whatever the bank: the nightly job's builds run them (the session's warehouse, test_orchestration,
# test_publication ...), and every scenario build repeating them would check nothing more.
BUILD = ["build", "--exclude-resource-type", "unit_test"]


@contextmanager
def _dbt_environment() -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(dbt_environment())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


_parses: dict[str, object] = {}  # the parse of the database the last command ran in (one module's)


def _parsed_project():
    """The project parsed for the configured database (no connection needed); commands run on copies of it.

    A parse names its database in every relation, so each test database (a module's) gets its own parse,
    made by its first command and kept while the module's commands run; a new database replaces it."""
    from dbt.cli.main import dbtRunner

    database = dbt_environment()["BANKPERF_DBT_DATABASE"]
    if database not in _parses:
        folder = tempfile.mkdtemp(prefix="bankperf_dbt_parse_")
        with _dbt_environment():
            result = dbtRunner().invoke(["parse", "--quiet", "--no-partial-parse", "--target-path", folder,
                                         "--log-path", folder])
        if not result.success:
            raise RuntimeError(f"dbt could not parse the project: {result.exception}")
        _parses.clear()
        _parses[database] = result.result
    return _parses[database]


def run_dbt(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """``dbt <args>`` against the configured database (BANKPERF_DB_URL), as ``subprocess.run`` of the dbt
    executable would return it: ``returncode`` 0 on success, 1 when a node failed, 2 when dbt could not run;
    ``stdout`` holds dbt's messages (info, warnings, errors) one per line, as its console shows them."""
    from dbt.cli.main import dbtRunner

    messages: list[str] = []

    def keep(event) -> None:
        if event.info.level in ("info", "warn", "error") and event.info.msg:
            messages.append(event.info.msg)

    manifest = _parsed_project().deepcopy()  # dbt's own copy of a parse (a pickled one loses its lookups)
    with _dbt_environment():
        result = dbtRunner(manifest=manifest, callbacks=[keep]).invoke(list(args))
    if result.exception is not None:
        messages.append(f"{type(result.exception).__name__}: {result.exception}")
    returncode = 0 if result.success else (2 if result.exception is not None else 1)
    return subprocess.CompletedProcess(["dbt", *args], returncode, "\n".join(messages), "")
