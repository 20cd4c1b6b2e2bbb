"""Queries so hot that building them with the ORM on every call is most of their cost."""

import threading

from django.db import NotSupportedError, connections


class PrimaryKeyLookup:
    """`Model.objects.filter(pk=...).first()` whose SQL the ORM compiles once per database and process.

    What the ORM normally redoes on every call (clone the queryset, build the WHERE, compile the SQL) is
    about half the CPU of loading one row by its key. Here the ORM's own compiler writes the SQL, the
    parameter adaptation and the column converters once, so the row loads exactly as `.get()` would load
    it (custom fields' `from_db_value` included); only the building is skipped.
    """

    def __init__(self, model):
        self.model = model
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> tuple:
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        with self._lock:
            compiled = self._compiled.get(using)
            if compiled is None:
                pk_field = self.model._meta.pk
                # Any valid key: only the SQL, the column list and the converters are kept.
                sample = pk_field.to_python(pk_field.get_default()) if pk_field.has_default() else 0
                compiler = self.model._base_manager.filter(pk=sample).query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                if len(params) != 1:  # pragma: no cover - a model whose pk lookup takes other parameters
                    raise ValueError(
                        f"{self.model.__name__}: a primary-key lookup with {len(params)} parameters"
                    )
                columns = [column for column, _, _ in compiler.select]
                names = [column.target.attname for column in columns]
                # {position: ([converter, ...], expression)}, as the compiler applies them to every row.
                converters = list(compiler.get_converters(columns).items())
                compiled = self._compiled[using] = (sql, names, converters)
        return compiled

    def get(self, pk, *, using: str = "default"):
        """The instance with this primary key, or None (also for a value that is not a valid key)."""
        sql, names, converters = self._compile(using)
        pk_field = self.model._meta.pk
        connection = connections[using]
        try:
            param = pk_field.get_db_prep_value(pk_field.to_python(pk), connection)
        except Exception:  # noqa: BLE001 - whatever the field refuses cannot be a key of a row
            return None
        with connection.cursor() as cursor:
            cursor.execute(sql, (param,))
            row = cursor.fetchone()
        if row is None:
            return None
        if converters:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
        return self.model.from_db(using, names, row)


def update_returning(queryset, **changes) -> list:
    """`queryset.update(**changes)` that also returns the rows it updated, as model instances, in one
    statement (`UPDATE ... RETURNING`: PostgreSQL, and SQLite from 3.35), where `update()` and then a query
    for the same rows take two and need a way to tell which rows this update touched.

    The ORM writes the UPDATE (the same SQL `update()` runs); only `RETURNING` with the model's columns is
    added, and the rows load through `raw()`, with each field's converters. They come back in no particular
    order.
    """
    from django.db.models import sql

    model = queryset.model
    connection = connections[queryset.db]
    if not connection.features.can_return_columns_from_insert:  # the same SQLite versions have both
        raise NotSupportedError("UPDATE ... RETURNING needs PostgreSQL or SQLite 3.35+")
    query = queryset.query.chain(sql.UpdateQuery)
    query.add_update_values(changes)
    statement, params = query.get_compiler(queryset.db).as_sql()
    columns = ", ".join(connection.ops.quote_name(field.column) for field in model._meta.concrete_fields)
    return list(model._base_manager.db_manager(queryset.db).raw(f"{statement} RETURNING {columns}", params))
