"""A backup of the database that is known to restore (docs/deployment.md#backup).

PostgreSQL: the server's own tools from the PATH, `pg_dump --format=custom` and `pg_restore` (a consistent
snapshot taken while the site runs). SQLite: the online backup API (`sqlite3.Connection.backup`), a consistent
copy page by page even while officers write. Only the database is copied: the import files waiting between
their check and their commit are kept in the upload folder or in Redis (core/jobs), never in the database, so
no backup holds them (NOT_INCLUDED says so wherever a backup is made or restored).

`table_fingerprints` reads every table of a database — its row count and a checksum of its rows that does not
depend on their order — so a restore can be compared with what was backed up.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.db import connections
from django.db.utils import load_backend

NOT_INCLUDED = ("Không gồm các tệp nhập Excel đang chờ giữa bước kiểm tra và bước ghi vào sổ (chúng nằm ở thư mục "
                "tải lên hoặc Redis, không nằm trong cơ sở dữ liệu): sau khi khôi phục, hãy tải các tệp đó lên lại.")


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why, in Vietnamese."""


def database_settings(url: str | None = None, alias: str = "default") -> dict:
    """The settings of the project's database (`alias`), or of the database at `url` (same engine options)."""
    settings = dict(connections[alias].settings_dict)
    if url:
        parsed = dj_database_url.parse(url)
        if parsed["ENGINE"] != settings["ENGINE"]:
            raise BackupError("Cơ sở dữ liệu đích phải cùng loại với cơ sở dữ liệu của trang (PostgreSQL hoặc SQLite).")
        settings.update({key: parsed.get(key, "") for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
    return settings


def is_postgresql(settings: dict) -> bool:
    return settings["ENGINE"].endswith("postgresql")


def backup(settings: dict, path: Path) -> None:
    """Write a backup of the database of `settings` to `path` (a custom-format dump, or a SQLite file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgresql(settings):
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={path}"], settings)
    else:
        _sqlite_copy(settings["NAME"], str(path))


def restore(settings: dict, path: Path) -> None:
    """Replace every table of the database of `settings` by those of the backup at `path`, in one transaction
    (PostgreSQL) or one copy (SQLite): a restore that fails leaves the database as it was."""
    if not path.is_file():
        raise BackupError(f"Không có tệp sao lưu {path}.")
    if is_postgresql(settings):
        _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                            "--exit-on-error", f"--dbname={settings['NAME']}", str(path)], settings, name=False)
    else:
        _check_sqlite_file(path)
        connections.close_all()  # the site's own connections must not hold the file while it is replaced
        _sqlite_copy(str(path), settings["NAME"])


def _sqlite_copy(source: str, target: str) -> None:
    """Copy a SQLite database with the online backup API (consistent, even while another connection writes)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _check_sqlite_file(path: Path) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        ok = False
    finally:
        db.close()
    if not ok:
        raise BackupError(f"Tệp {path} không phải bản sao lưu SQLite còn nguyên vẹn: không khôi phục.")


def _run(tool: str, arguments: list, settings: dict, name: bool = True) -> None:
    """Run a PostgreSQL client tool on the database of `settings` (password through the environment)."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"Không tìm thấy {tool}: hãy cài công cụ dòng lệnh của PostgreSQL (cùng phiên bản máy chủ).")
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[variable] = str(settings[key])
    command = [program, *arguments, *([settings["NAME"]] if name else [])]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - no shell
    if done.returncode != 0:
        raise BackupError(f"{tool} dừng với mã {done.returncode}: {done.stderr.strip()[-2000:]}")


def table_fingerprints(settings: dict) -> dict:
    """{table: (row count, checksum of its rows)} of every table of the database of `settings`. The checksum
    is the sum of each row's SHA-256, so it does not depend on the order the database returns the rows in."""
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias="__backup_check__")
    try:
        with wrapper.cursor() as cursor:
            tables = sorted(wrapper.introspection.table_names(cursor))
            return {table: _fingerprint(wrapper, cursor, table) for table in tables}
    finally:
        wrapper.close()


def _fingerprint(wrapper, cursor, table: str) -> tuple[int, str]:
    cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)}")  # noqa: S608 - names from introspection
    count, total = 0, 0
    while rows := cursor.fetchmany(2000):
        for row in rows:
            count += 1
            total += int.from_bytes(hashlib.sha256(repr(row).encode()).digest(), "big")
    return count, f"{total % 2**256:064x}"
