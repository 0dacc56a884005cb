"""Backup and restore (core.backup, `manage.py backup` / `restore`, `make backup` / `make restore`): a backup of
the demo restored into a fresh database holds every table with the same row count and the same rows (a
checksum of each table's rows), on the database the suite runs on — SQLite file to file, or a PostgreSQL dump
restored into a database created for the test and dropped after. The whole demo is seeded (600 households and
all that hangs off them: a few seconds), so the comparison covers every table the site fills."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.backup import NOT_INCLUDED, database_settings, is_postgresql, table_fingerprints
from households.models import Household
from tests.concurrency import committing

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the suite's engine, removed after the test."""
    settings = database_settings()
    if not is_postgresql(settings):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"{settings['NAME']}_restore"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"] or "postgres"
    auth = f"{user}:{settings['PASSWORD']}@" if settings["PASSWORD"] else f"{user}@"
    yield f"postgres://{auth}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@committing  # the dump tools and the SQLite copy read what is committed
def test_a_backup_of_the_demo_restores_every_table_and_row(tmp_path, fresh_database):
    call_command("seed_demo", stdout=io.StringIO())
    assert Household.objects.count() == 600
    path = tmp_path / ("demo.dump" if is_postgresql(database_settings()) else "demo.sqlite3")
    said = io.StringIO()
    call_command("backup", str(path), stdout=said)
    assert path.is_file() and NOT_INCLUDED in said.getvalue()  # the waiting uploads are said to be left out

    compared = io.StringIO()
    call_command("restore", str(path), "--database-url", fresh_database, "--noinput", "--compare", stdout=compared)
    assert "Khớp:" in compared.getvalue() and NOT_INCLUDED in compared.getvalue()
    restored, source = table_fingerprints(database_settings(fresh_database)), table_fingerprints(database_settings())
    assert restored == source  # every table: the same row count and the same rows
    assert source["households_household"][0] == 600 and len(source) > 40


@committing
def test_a_restore_compared_with_a_changed_database_names_the_table_and_a_bad_file_is_refused(areas, tmp_path,
                                                                                               fresh_database):
    from tests.factories import HouseholdFactory

    path = tmp_path / "before"
    call_command("backup", str(path), stdout=io.StringIO())
    HouseholdFactory(code="AFTER-BACKUP")  # written after the backup: the comparison must see it
    out = io.StringIO()
    with pytest.raises(CommandError, match="bảng khác"):
        call_command("restore", str(path), "--database-url", fresh_database, "--noinput", "--compare", stdout=out)
    assert "khác: households_household" in out.getvalue()
    garbage = tmp_path / "not-a-backup"
    garbage.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError):
        call_command("restore", str(garbage), "--database-url", fresh_database, "--noinput", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Đã huỷ"):  # asked, not confirmed: nothing restored
        from unittest import mock

        with mock.patch("builtins.input", return_value="không"):
            call_command("restore", str(path), "--database-url", fresh_database, stdout=io.StringIO())
