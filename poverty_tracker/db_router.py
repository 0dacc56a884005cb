"""Reads of reports and dashboards from a read replica; everything else from the primary.

With DATABASE_REPLICA_URL set, settings add the "replica" database and READ_REPLICA = "replica". A read goes
to the replica only inside `reading_from_replica()`, which the report pages, the dashboard and the report API
enter (the context lives in reports/cache.py, the layer that uses it), and only while no write transaction is open on the primary: a
read inside `transaction.atomic()` (a service checking what it is about to write, the import planning its
rows) must see the primary's rows, its own uncommitted writes included. Every write goes to the primary.
Everything outside the context — logins, sessions, lists, the worksheet, the admin — reads the primary too:
an officer who has just saved sees the save at once, whatever the replica's lag. Reports accept the lag
(seconds, on streaming replication): their cache is keyed by the data version read on the same replica, so
a result is never older than the data the replica had when it was computed.
"""
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from reports.cache import reading_from_replica, replica_alias, replica_reads_wanted

__all__ = ["ReplicaRouter", "reading_from_replica"]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias is None or not replica_reads_wanted():
            return DEFAULT_DB_ALIAS
        if transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
            return DEFAULT_DB_ALIAS  # inside a write's transaction: read what it is writing
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: objects from either relate freely

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Migrations run on the primary and reach the replica by replication. A test "replica" is a separate
        # empty database, so the suite migrates it as well (settings: READ_REPLICA stays None then).
        return db == DEFAULT_DB_ALIAS or getattr(settings, "TESTING", False)
