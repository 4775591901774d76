"""Every relation analysts and auditors can read is documented: each dbt model and seed that the
built warehouse holds (staging, marts, published) has a description in YAML, and so has every one
of its columns as the database holds them (not only the columns the YAML happens to list).

Read from the YAML files themselves and the session's built warehouse, so a column added to a model's
SQL without its line in YAML fails here."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED_SCHEMAS = ("staging", "marts", "published")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's where PyYAML has it: 3x faster


def _yaml_entries() -> dict[str, dict]:
    """name -> {"description": str, "columns": {column: description}} for every model and seed."""
    entries: dict[str, dict] = {}
    for folder in (ROOT / "dbt_project" / "models", ROOT / "seeds"):
        for path in sorted(folder.rglob("*.yml")):
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
            for node in [*document.get("models", []), *document.get("seeds", [])]:
                entries[node["name"]] = {
                    "description": (node.get("description") or "").strip(),
                    "columns": {
                        column["name"]: (column.get("description") or "").strip()
                        for column in node.get("columns", [])
                    },
                    "file": path.relative_to(ROOT),
                }
    return entries


def _database_relations(url: str) -> dict[tuple[str, str], list[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns as c "
            "where c.table_schema = any(%s) "
            # a month's partition of a partitioned fact is that fact's storage, documented as the fact
            "and not exists (select 1 from pg_class as p join pg_namespace as n on n.oid = p.relnamespace "
            "where n.nspname = c.table_schema and p.relname = c.table_name and p.relispartition) "
            "order by c.table_schema, c.table_name, c.ordinal_position",
            (list(DOCUMENTED_SCHEMAS),),
        ).fetchall()
    relations: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        relations.setdefault((schema, table), []).append(column)
    return relations


@pytest.fixture(scope="module")
def relations(warehouse_db: dict) -> dict[tuple[str, str], list[str]]:
    return _database_relations(warehouse_db["url"])


def test_every_model_and_seed_has_a_description() -> None:
    undocumented = sorted(name for name, entry in _yaml_entries().items() if not entry["description"])
    assert undocumented == []
    sql_models = {path.stem for path in (ROOT / "dbt_project" / "models").rglob("*.sql")}
    seeds = {path.stem for path in (ROOT / "seeds").glob("*.csv")}
    assert sorted((sql_models | seeds) - set(_yaml_entries())) == []


def test_every_column_the_warehouse_holds_is_documented(relations: dict[tuple[str, str], list[str]]) -> None:
    entries = _yaml_entries()
    missing: list[str] = []
    for (schema, table), columns in relations.items():
        entry = entries.get(table)
        if entry is None:
            # dbt's own (and a publication's temporary) relations carry no model name
            assert schema == "published" or table.startswith(("dbt_", "__")), f"{schema}.{table} is no model or seed"
            continue
        missing += [f"{schema}.{table}.{column}" for column in columns if not entry["columns"].get(column)]
    assert missing == [], "undocumented columns:\n" + "\n".join(missing)
    # the check reads the built warehouse's relations, not an empty catalogue
    assert len(relations) > 100
