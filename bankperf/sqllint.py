"""``sqlfluff`` with the sqlparse limits dbt's own command line sets (``python -m bankperf.sqllint lint ...``).

dbt compiles a model that reads ephemeral models by splicing their CTEs in with sqlparse. Its command line
lifts sqlparse's grouping limits first (``--sqlparse``, default: no limit), but sqlfluff's dbt templater
calls dbt as a library, so sqlparse keeps its own limit (10,000 tokens) and a large model such as
``fct_account_ftp_daily`` failed to compile there: sqlfluff skipped it with a warning, unlinted. This lifts
the limits as dbt does, then runs sqlfluff's command line with the same arguments.
"""

from __future__ import annotations

import sqlparse.engine.grouping
from sqlfluff.cli.commands import cli


def main() -> None:
    sqlparse.engine.grouping.MAX_GROUPING_TOKENS = None
    sqlparse.engine.grouping.MAX_GROUPING_DEPTH = None
    cli()


if __name__ == "__main__":
    main()
