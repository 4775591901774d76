"""Raw tables, generated from the contract.

``raw.<feed>`` is partitioned by ``biz_date`` (one list partition per business date,
``raw.<feed>_p<D>``). A load builds the day's data in a fresh table and swaps it in as
the partition inside one transaction, so a reload replaces a feed-date atomically, a crash
leaves the previous state, and a date's rows can never be duplicated. Old days are
untouched by a new one, and queries by date read one partition.
"""

from __future__ import annotations

import datetime as dt

from psycopg import sql

from loaders.contract import Feed


def _column_defs(feed: Feed, enforce_required: bool = False) -> sql.Composed:
    return sql.SQL(",\n    ").join(
        sql.SQL("{} {}{}").format(
            sql.Identifier(column.name),
            sql.SQL(column.pg_type),
            sql.SQL(" not null" if enforce_required and column.required else ""),
        )
        for column in feed.columns
    )


def create_parent(feed: Feed) -> sql.Composed:
    return sql.SQL(
        "create table if not exists raw.{table} (\n    {columns},\n"
        "    biz_date date not null,\n    load_id bigint not null\n) partition by list (biz_date)"
    ).format(table=sql.Identifier(feed.table), columns=_column_defs(feed))


def comment_parent(feed: Feed) -> sql.Composed:
    return sql.SQL("comment on table raw.{} is {}").format(
        sql.Identifier(feed.table),
        sql.Literal(f"{feed.code} feed ({feed.kind}): {feed.description} One partition per business date."),
    )


def partition_name(feed: Feed, biz_date: dt.date) -> str:
    return f"{feed.table}_p{biz_date:%Y%m%d}"


def staging_name(feed: Feed, load_id: int) -> str:
    return f"{feed.table}__load{load_id}"


def create_load_table(feed: Feed, biz_date: dt.date, load_id: int) -> sql.Composed:
    """The table one load copies into: the feed's columns with the contract's checks (required
    values present, no more decimals than allowed), and this load's date and id as defaults."""
    checks = [column.check() for column in feed.columns if column.check()]
    return sql.SQL(
        "create table raw.{name} (\n    {columns},\n"
        "    biz_date date not null default {day} check (biz_date = {day}),\n"
        "    load_id bigint not null default {load_id},\n"
        "    constraint {constraint} check ({checks})\n)"
    ).format(
        name=sql.Identifier(staging_name(feed, load_id)),
        columns=_column_defs(feed, enforce_required=True),
        day=sql.Literal(biz_date),
        load_id=sql.Literal(load_id),
        constraint=sql.Identifier(f"{feed.table}_contract"),
        checks=sql.SQL(" and ".join(checks) if checks else "true"),
    )


def copy_statement(feed: Feed, load_id: int) -> sql.Composed:
    """COPY in CSV mode with an unused quote character: no backslash or quote is interpreted."""
    statement = "copy raw.{name} ({columns}) from stdin (format csv, delimiter '|', null '', quote e'\\x01')"
    return sql.SQL(statement).format(
        name=sql.Identifier(staging_name(feed, load_id)),
        columns=sql.SQL(", ").join(sql.Identifier(name) for name in feed.column_names),
    )


def swap_in(feed: Feed, biz_date: dt.date, load_id: int, partition_exists: bool) -> list[sql.Composed]:
    """Statements that replace the feed-date's partition with the freshly loaded table."""
    partition = sql.Identifier(partition_name(feed, biz_date))
    statements: list[sql.Composed] = []
    if partition_exists:
        statements.append(
            sql.SQL("alter table raw.{parent} detach partition raw.{partition}").format(
                parent=sql.Identifier(feed.table), partition=partition
            )
        )
        statements.append(sql.SQL("drop table raw.{}").format(partition))
    statements.append(
        sql.SQL("alter table raw.{} rename to {}").format(sql.Identifier(staging_name(feed, load_id)), partition)
    )
    statements.append(
        sql.SQL("alter table raw.{parent} attach partition raw.{partition} for values in ({day})").format(
            parent=sql.Identifier(feed.table), partition=partition, day=sql.Literal(biz_date)
        )
    )
    return statements
