"""Bulk inserts of new rows and updates of stored ones with their audit rows, at the speed of the database.

On PostgreSQL the ids are drawn from the table's sequence, each batch goes in as one
`INSERT … SELECT FROM unnest(one array per column)` (a handful of parameters instead of one per value),
and the history rows ("+", the acting user, the reason) are copied from the stored rows by one
`INSERT … SELECT` on the server, so they are exactly what was stored. Importing 50,000 households with
200,000 members and 50,000 review results this way is several times faster than
`bulk_create_with_history`, which builds a placeholder per value in Python (docs/benchmarks.md).
Other databases (SQLite for development) use `bulk_create_with_history`: same rows, same history.
"""
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

BATCH = 5000
# Field types whose Python values psycopg2 adapts as they are: no per-value get_db_prep_save needed.
PLAIN_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField", "CharField",
    "TextField", "SlugField", "EmailField", "DateField", "DateTimeField", "ForeignKey",
}


def insert_with_history(model, objects, *, user, reason, progress=None):
    """Insert the unsaved `objects` of `model`, set their primary keys, and record a "+" history row each.
    `progress(done, total)` is called after each batch."""
    objects = list(objects)
    postgresql = connection.vendor == "postgresql"
    now = timezone.now()
    for start in range(0, len(objects), BATCH):
        batch = objects[start:start + BATCH]
        if postgresql:
            _insert(model, batch, now)
            _copy_history(model, [obj.pk for obj in batch], now, user, reason)
        else:
            bulk_create_with_history(batch, model, batch_size=2000, default_user=user, default_change_reason=reason)
        if progress:
            progress(start + len(batch), len(objects))
    return objects


def update_with_history(model, objects, fields, *, user, reason):
    """Write `fields` of the stored `objects` of `model` (locked by the caller, their versions set), and record a
    "~" history row each. On PostgreSQL one `UPDATE … FROM unnest(one array per column)` per batch and the history
    rows copied from the stored rows, as inserts are; Django's bulk_update builds one CASE WHEN per field and row
    in Python (about a millisecond a row for an assessment). Other databases use `bulk_update_with_history`."""
    objects = list(objects)
    if connection.vendor != "postgresql":
        bulk_update_with_history(objects, model, fields, batch_size=2000, default_user=user,
                                 default_change_reason=reason, manager=model._base_manager)
        return objects
    now = timezone.now()
    for start in range(0, len(objects), BATCH):
        batch = objects[start:start + BATCH]
        _update(model, batch, [model._meta.get_field(name) for name in fields], now)
        _copy_history(model, [obj.pk for obj in batch], now, user, reason, history_type="~")
    return objects


def _update(model, batch, fields, now):
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.pk, *fields]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(meta.db_table)} AS t SET {assignments} FROM unnest({arrays}) AS v({names}) "
                       f"WHERE t.{quote(meta.pk.column)} = v.{quote(meta.pk.column)}",
                       [_column_values(field, batch, now, adding=False) for field in columns])


def _insert(model, batch, now):
    meta = model._meta
    fields = meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(batch)])
        for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = [_column_values(field, batch, now) for field in fields]
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) "
                       f"SELECT * FROM unnest({arrays})", columns)
    for obj in batch:
        obj._state.adding = False
        obj._state.db = connection.alias


def _column_values(field, batch, now, adding=True):
    if getattr(field, "auto_now", False) or (adding and getattr(field, "auto_now_add", False)):
        for obj in batch:
            setattr(obj, field.attname, now)
    if field.get_internal_type() in PLAIN_TYPES and not (
            field.is_relation and field.target_field.get_internal_type() not in PLAIN_TYPES):
        return [getattr(obj, field.attname) for obj in batch]
    return [field.get_db_prep_save(field.pre_save(obj, adding), connection) for obj in batch]


def _copy_history(model, ids, now, user, reason, history_type="+"):
    history = model.history.model
    stored = {field.column for field in model._meta.concrete_fields}
    copied = [field.column for field in history._meta.concrete_fields if field.column in stored]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in copied)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({names}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {names}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} = ANY(%s)",
            [now, reason, history_type, user.pk if user else None, ids])
