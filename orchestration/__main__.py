"""``python -m orchestration``: prepare to load the definitions by hand.

Writes ``$DAGSTER_HOME/dagster.yaml`` (default ``var/dagster``) and parses the dbt project into
``target/manifest.json``, then prints the ``DAGSTER_HOME`` to export, e.g. before
``dagster dev -w workspace.yaml`` or ``dagster definitions validate -w workspace.yaml``.
"""

from __future__ import annotations

import shlex

from orchestration.instance import prepare_instance
from orchestration.project import manifest_path, parse_manifest


def main() -> int:
    home = prepare_instance()
    seconds = parse_manifest()
    print(f"# dbt project parsed into {manifest_path()} in {seconds:.1f}s")
    print(f"export DAGSTER_HOME={shlex.quote(str(home))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
