"""Bulk loading for `seed_scale`: COPY rows whose columns come from the model's `_meta`, and indexes and
constraints built once after the load instead of row by row.

Raw SQL on purpose: COPY and the catalog reads below (pg_indexes, pg_constraint) have no ORM form, and
they are what makes millions of rows load in minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, models


def _fill_value(model, field, now: datetime):
    """The value a column gets when the generator does not supply it: what Django would store on a save."""
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed and field.blank:
        return ""
    raise CommandError(
        f"seed_scale cannot fill {model._meta.label}.{field.name}: it has no default and is not nullable "
        "(give the seed a value for it)."
    )


class TableCopy:
    """COPY rows into `model`'s table. The generator yields tuples for `supplied` (attnames, in that order,
    values ready for the database); every other concrete column gets its default once (a unique column
    with a callable default gets a fresh one per row). Auto-increment primary keys are left to their
    sequence unless supplied. So a column another change adds with a default or NULL loads unchanged."""

    def __init__(self, model, supplied: Sequence[str], *, now: datetime):
        self.model = model
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in supplied if name not in by_attname]
        if unknown:
            raise CommandError(f"{model._meta.label} has no column {', '.join(unknown)}")
        self.supplied = list(supplied)
        self.constant: list[tuple[str, object]] = []
        self.per_row: list[tuple[str, object]] = []
        for field in model._meta.concrete_fields:
            if field.attname in supplied:
                continue
            if isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField):
                continue
            if field.unique and callable(field.default):
                self.per_row.append((field.column, field))
                continue
            value = field.get_db_prep_save(_fill_value(model, field, now), connection)
            self.constant.append((field.column, value))
        columns = [by_attname[name].column for name in self.supplied]
        columns += [column for column, _ in self.constant] + [column for column, _ in self.per_row]
        self.sql = "COPY {} ({}) FROM STDIN".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(column) for column in columns),
        )

    def write(self, rows: Iterable[tuple]) -> int:
        """Load `rows`; returns how many. Runs inside the caller's transaction."""
        tail = tuple(value for _, value in self.constant)
        fresh = [field for _, field in self.per_row]
        count = 0
        # Django's cursor wraps psycopg's; COPY is psycopg's own API.
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            write_row = copy.write_row
            if fresh:
                for row in rows:
                    extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fresh)
                    write_row(row + tail + extra)
                    count += 1
            else:
                for row in rows:
                    write_row(row + tail)
                    count += 1
        return count


def _table_indexes_and_constraints(table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(indexes, constraints) of `table` that a load can go without: secondary indexes as (name, CREATE
    INDEX statement), unique and foreign-key constraints as (name, definition). The primary key stays."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'f')
            ORDER BY c.contype DESC, c.conname
            """,
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype <> 'f')
            ORDER BY i.relname
            """,
            [table],
        )
        indexes = cursor.fetchall()
    return indexes, constraints


@contextmanager
def indexes_deferred(models_: Sequence, *, progress: Callable[[int], Any] | None = None):
    """Drop the secondary indexes and the unique/foreign-key constraints of `models_`' tables, run the
    block, then build them again from their own definitions (as the migrations left them, whatever they
    are by then). Unique and foreign-key constraints are checked in full when they come back, so a bad
    row fails the load. Must run inside a transaction: any failure leaves the schema as it was.
    `progress(total)` may return a tqdm-like bar for the rebuild."""
    if not connection.in_atomic_block:
        raise CommandError("indexes_deferred needs a transaction")
    quote = connection.ops.quote_name
    saved = []
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            indexes, constraints = _table_indexes_and_constraints(table)
            saved.append((table, indexes, constraints))
            for name, _ in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    steps = [(table, name, sql) for table, indexes, _ in saved for name, sql in indexes]
    # Unique constraints before foreign keys: a foreign key needs its target's unique index.
    steps += [
        (table, name, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        for table, _, constraints in saved
        for name, definition in sorted(constraints, key=lambda c: c[1].startswith("FOREIGN KEY"))
    ]
    bar = progress(len(steps)) if progress is not None else None
    with connection.cursor() as cursor:
        for table, name, sql in steps:
            if bar is not None:
                bar.set_postfix_str(f"{table}.{name}"[:60])
            cursor.execute(sql)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
