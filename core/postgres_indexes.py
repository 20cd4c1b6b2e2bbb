"""Migration operations for indexes on big live tables.

On PostgreSQL they build and drop indexes CONCURRENTLY, so orders keep being placed while an index over a
million rows builds (the migration must say `atomic = False`). Other databases (SQLite for quick local runs
and tests) get a plain CREATE/DROP INDEX, or nothing for an index only PostgreSQL has (GIN trigram indexes
behind `icontains` searches): the migration state records it everywhere, so the models' Meta stays the one
place where indexes are declared. Likewise the extensions those indexes need (`TrigramExtension`) are
created and dropped on PostgreSQL only, in both directions.
"""

from django.contrib.postgres import operations as postgres
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models import Index


def _on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    def __init__(self, model_name, index, *, postgresql_only: bool = False):
        super().__init__(model_name, index)
        self.postgresql_only = postgresql_only

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        if self.postgresql_only:
            kwargs["postgresql_only"] = True
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        elif not self.postgresql_only:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        elif not self.postgresql_only:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(postgres.RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class CreateExtension(postgres.CreateExtension):
    """A PostgreSQL extension, and nothing on other databases in either direction: Django's own operation
    skips other vendors going forwards only, and reversed asks `pg_extension`, a table SQLite does not have.
    No migration state either way, so it may replace Django's in an existing migration."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtension(CreateExtension):
    """pg_trgm, for `TrigramIndex`; a trusted extension, so the database owner may create it."""

    def __init__(self):
        super().__init__("pg_trgm")


class TrigramIndex(GinIndex):
    """A GIN trigram index (`OpClass(..., name="gin_trgm_ops")`) on PostgreSQL; elsewhere a plain index on the
    same expressions. SQLite rebuilds a whole table to add a column and re-creates every index of the model's
    state as it does: a GIN operator class there would stop every later migration of that table."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if _on_postgresql(schema_editor):
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            expression.get_source_expressions()[0] if isinstance(expression, OpClass) else expression
            for expression in self.expressions
        ]
        return Index(*plain, name=self.name).create_sql(model, schema_editor, using=using, **kwargs)
