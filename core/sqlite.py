"""SQLite connections take as many variables in one statement as the library allows.

Django 5.2 assumes SQLite's old compile-time default of 999 variables per statement, so a bulk write of a
hundred rows of twenty-odd columns went in as three statements, and its number of queries grew with the rows.
SQLite since 3.32 allows 32,766 (Debian's build more); each connection reads the limit of the library it runs
on, as Django 6.0 does. PostgreSQL is unaffected.
"""
import sqlite3

from django.db.backends.signals import connection_created


def _variable_limit(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def register():
    connection_created.connect(_variable_limit, dispatch_uid="core.sqlite.variable_limit")
