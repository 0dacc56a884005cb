"""Rows of the synthetic province written as fast as the database takes them.

On PostgreSQL each table's rows go in through `COPY … FROM STDIN` (CSV, 50,000 rows a batch): no model
instance and no SQL placeholder per value, which is what made `bulk_create` of 600,000 households × 5 years
take most of an hour on a shared two-core machine (docs/benchmarks.md). The caller gives plain tuples in the
order of `fields`; every other concrete field gets its model default, computed once (these are fixtures:
no `save()`, no signal, no history row — see demo/synthetic.py). Other databases (SQLite, the tests) get
`bulk_create` of the same rows.
"""
import csv
import io

from django.db import connection
from django.utils import timezone

COPY_BATCH = 50_000
NULL = "\\N"  # NULL in the CSV (an unquoted empty field is an empty string then)


class Loader:
    """`Loader(Model, ["field", ...]).add(row)` … `.close()`; `written` counts the rows."""

    def __init__(self, model, fields):
        self.model, self.fields = model, list(fields)
        self.rows, self.written = [], 0
        meta = model._meta
        now = timezone.now()
        given = {name: index for index, name in enumerate(self.fields)}
        self.columns, self.template = [], []
        for field in meta.concrete_fields:
            if field.name in given or field.attname in given:
                self.columns.append(field.column)
                self.template.append(given.get(field.name, given.get(field.attname)))
            elif field.primary_key:
                continue  # the sequence's default
            else:
                self.columns.append(field.column)
                default = now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) \
                    else field.get_default()
                self.template.append(_Constant(default))

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= COPY_BATCH:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self._bulk_create()
        self.written += len(self.rows)
        self.rows = []

    def close(self):
        self.flush()
        return self.written

    def _values(self, row):
        return [part.value if isinstance(part, _Constant) else row[part] for part in self.template]

    def _copy(self):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([NULL if value is None else value for value in self._values(row)] for row in self.rows)
        buffer.seek(0)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {quote(self.model._meta.db_table)} ({', '.join(quote(c) for c in self.columns)}) "
                f"FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer)

    def _bulk_create(self):
        names = [field.attname for field in self.model._meta.concrete_fields if field.column in self.columns]
        self.model.objects.bulk_create(
            [self.model(**dict(zip(names, self._values(row), strict=True))) for row in self.rows], batch_size=2000)


class _Constant:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def next_id(model):
    """The first free id of `model` (synthetic rows take explicit ids so that children can name them)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0]


def sequence_reset(model):
    """After explicit ids: the sequence continues after them (PostgreSQL; SQLite follows MAX(id) itself)."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM "
                       f"{connection.ops.quote_name(table)}), 1))", [table])
