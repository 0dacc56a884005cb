"""A database built by the release before the split into domain apps migrates forward with every row.

The previous release's code (from git) migrates a scratch database and loads the demo, plus an API token;
this release's `migrate` then runs on it. Every table keeps its row count, sampled records are unchanged,
the moved models keep their content types (so group permissions and admin log entries still point at
them), and the schema equals that of a database built by this release's migrations alone.
Runs on the database the suite runs on: a scratch SQLite file, or a scratch PostgreSQL database.
"""
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # builds the previous release's database from git and migrates it

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS_RELEASE = "41745acbc00fc6694816db269374cd7815046fb8"  # the last commit with everything in `households`
# Tables the forward migration adds rows to: its own migration records, and the content types, permissions
# and role groups of models and roles added since (their old rows are checked to be all there, below).
GROWING_TABLES = {"django_migrations", "django_content_type", "auth_permission", "auth_group",
                  "auth_group_permissions"}
# Reference data that later migrations extend (the 1719 programme's catalogue rows): every old row stays.
EXTENDED_TABLES = {"programs_program": "code", "programs_historicalprogram": "history_id"}
SAMPLES = {
    "households_assessment": "SELECT id, household_id, year, income_per_capita, classification, movement, "
                             "review_round_id, deprivations FROM households_assessment ORDER BY id LIMIT 50",
    "households_officerscope": "SELECT user_id, area_id FROM households_officerscope ORDER BY user_id, area_id",
    "households_historicalassessment": "SELECT history_id, id, history_type, history_user_id, classification "
                                       "FROM households_historicalassessment ORDER BY history_id LIMIT 50",
    "authtoken_token": "SELECT key, user_id FROM authtoken_token ORDER BY key",
    "households_administrativeunitversion": "SELECT unit_id, valid_from, parent_id, name "
                                            "FROM households_administrativeunitversion ORDER BY unit_id, valid_from",
}


class Scratch:
    """A database of the suite's vendor that is not the test database, reachable by a DATABASE_URL."""

    def __init__(self, tmp_path):
        self.vendor = "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
        if self.vendor == "sqlite":
            self.path = tmp_path / "previous.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            db = settings.DATABASES["default"]
            self.server = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                               password=db["PASSWORD"] or None)
            self.name = f"pt_migration_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
            self.url = f"postgres://{db['USER']}{password}@{self.server['host']}:{self.server['port']}/{self.name}"

    def _admin(self, sql):
        connection = psycopg2.connect(dbname="postgres", **self.server)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()

    def query(self, sql):
        if self.vendor == "sqlite":
            connection = sqlite3.connect(self.path)
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()
        connection = psycopg2.connect(dbname=self.name, **self.server)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            connection.close()

    def tables(self):
        if self.vendor == "sqlite":
            rows = self.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        else:
            rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        return sorted(name for (name,) in rows)

    def counts(self):
        return {table: self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in self.tables()}

    def schema(self):
        """Columns (name, type, nullability) of every table: what the models read and write."""
        if self.vendor == "sqlite":
            return {table: sorted((row[1], row[2], row[3]) for row in self.query(f'PRAGMA table_info("{table}")'))
                    for table in self.tables()}
        rows = self.query("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                          "WHERE table_schema='public'")
        schema = {}
        for table, *column in rows:
            schema.setdefault(table, []).append(tuple(column))
        return {table: sorted(columns) for table, columns in schema.items()}

    def drop(self):
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def manage(cwd, url, *args):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "poverty_tracker.settings"}
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"manage.py {' '.join(args)} in {cwd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def previous_release(tmp_path):
    """The previous release's source tree, taken from git (CI's clone carries the history)."""
    tree = tmp_path / "previous"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", PREVIOUS_RELEASE], cwd=ROOT, capture_output=True, timeout=120)
    assert archive.returncode == 0, f"git cannot give the previous release: {archive.stderr.decode()}"
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


@pytest.fixture
def scratch(tmp_path):
    database = Scratch(tmp_path)
    yield database
    database.drop()


def test_previous_release_database_migrates_forward_with_every_row(previous_release, scratch, tmp_path):
    manage(previous_release, scratch.url, "migrate", "--noinput")
    manage(previous_release, scratch.url, "seed_demo")
    manage(previous_release, scratch.url, "drf_create_token", "commune")
    before = scratch.counts()
    samples_before = {table: scratch.query(sql) for table, sql in SAMPLES.items()}
    moved_types = scratch.query("SELECT id, model FROM django_content_type WHERE app_label='households' "
                                "AND model IN ('assessment', 'reviewround', 'administrativeunit', 'officer')")
    group_perms_before = sorted(scratch.query(
        "SELECT g.name, p.codename FROM auth_group_permissions gp JOIN auth_group g ON g.id = gp.group_id "
        "JOIN auth_permission p ON p.id = gp.permission_id"))
    assert before["households_assessment"] > 1000 and before["authtoken_token"] == 1

    def keys_of(table):
        return {row[0] for row in scratch.query(f'SELECT "{EXTENDED_TABLES[table]}" FROM "{table}"')}
    old_keys = {table: keys_of(table) for table in EXTENDED_TABLES if table in before}

    manage(ROOT, scratch.url, "migrate", "--noinput")

    after = scratch.counts()
    assert set(before) <= set(after), "the forward migration dropped tables"
    for table in GROWING_TABLES & set(before):
        assert after[table] >= before[table], f"rows of {table} were lost"
    changed = {table: (before[table], after[table]) for table in before
               if table not in GROWING_TABLES | set(EXTENDED_TABLES) and before[table] != after[table]}
    assert changed == {}
    for table, keys in old_keys.items():
        assert keys <= keys_of(table), f"rows of {table} were lost"
    for table, sql in SAMPLES.items():
        assert scratch.query(sql) == samples_before[table], f"records of {table} changed"
    # Same content type rows, now under their new apps: permissions and log entries still point at them.
    moved_after = dict(scratch.query("SELECT id, app_label FROM django_content_type WHERE id IN (%s)"
                                     % ",".join(str(pk) for pk, _ in moved_types)))
    assert {model: moved_after[pk] for pk, model in moved_types} == {
        "assessment": "review", "reviewround": "review", "administrativeunit": "areas", "officer": "accounts"}
    assert set(scratch.query(
        "SELECT g.name, p.codename FROM auth_group_permissions gp JOIN auth_group g ON g.id = gp.group_id "
        "JOIN auth_permission p ON p.id = gp.permission_id")) >= set(group_perms_before)  # old ⊆ new
    # Nothing left for makemigrations to do, and the schema is what this release's migrations build.
    manage(ROOT, scratch.url, "makemigrations", "--check", "--dry-run")
    (tmp_path / "fresh").mkdir()
    fresh = Scratch(tmp_path / "fresh")
    try:
        manage(ROOT, fresh.url, "migrate", "--noinput")
        assert scratch.schema() == fresh.schema()
    finally:
        fresh.drop()
