"""What a close records as "the versions used": the management-input batches in force and the scheme.

One function each, so the record keeps its meaning when the scheme (indicator weights, grade
thresholds, roles, FTP curve, profit parameters; issue 16) moves from seeds into effective-dated
management inputs: every kind of ``kinds.yaml`` is read, whatever it is called.
"""

from __future__ import annotations

import hashlib
import json

import psycopg
from psycopg import sql

from bankperf.manage.catalog import kinds
from bankperf.settings import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"
# The period's own data (results, not rules): everything else a close finds in force is the scheme.
PERIOD_DATA_KINDS = frozenset({"plan", "appraisal_score", "rating", "rating_assignment", "grade_decision",
                               "manual_indicator"})


def inputs_in_force(conn: psycopg.Connection) -> dict[str, list[int]]:
    """kind -> the import batches whose rows are in force now (``control.<table>_current``), ascending."""
    found = {}
    for kind in kinds().values():
        query = sql.SQL("select coalesce(array_agg(distinct batch_id order by batch_id), '{{}}') from control.{}")
        (batches,) = conn.execute(query.format(sql.Identifier(f"{kind.table}_current"))).fetchone()
        found[kind.name] = [int(batch) for batch in batches]
    return found


def seed_hashes() -> dict[str, str]:
    """seeds/*.csv -> SHA-256 of the file as it is now (the scheme tables dbt loads)."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(SEEDS.glob("*.csv"))}


def scheme_version(in_force: dict[str, list[int]]) -> tuple[str, dict[str, object]]:
    """(hash, parts): the scheme a result was computed with — the seed files' hashes and the batches
    of every management input in force that is not the period's own data. Equal hashes: same scheme."""
    parts = {
        "seeds": seed_hashes(),
        "inputs": {name: batches for name, batches in sorted(in_force.items()) if name not in PERIOD_DATA_KINDS},
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return digest, parts
