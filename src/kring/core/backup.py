"""Consistent backups and restores of the whole database.

SQLite: the online backup API copies a consistent snapshot page by page, also
while the site runs. PostgreSQL: `pg_dump` in custom format (a consistent
snapshot by design) and `pg_restore --clean`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(RuntimeError):
    pass


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = ["-h", s.get("HOST") or "localhost", "-p", str(s.get("PORT") or 5432),
            "-U", s.get("USER") or "postgres", "-d", s["NAME"]]
    return args, env


def _require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise BackupError(f"{binary} is not installed; it comes with the PostgreSQL client tools")
    return path


def backup(path: Path) -> Path:
    """Write a consistent snapshot of the database to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run([_require("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args],  # noqa: S603
                       check=True, env=env)
    else:
        raise BackupError(f"no backup method for {connection.vendor}")
    return path


def restore(path: Path) -> None:
    """Replace the database's content with the snapshot at `path`."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"no backup at {path}")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        source.close()
    elif connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_env()
        subprocess.run([_require("pg_restore"), "--clean", "--if-exists", "--no-owner",  # noqa: S603
                        "--single-transaction", *args, str(path)], check=True, env=env)
    else:
        raise BackupError(f"no restore method for {connection.vendor}")


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over every row (in primary-key order) of every table."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(str(v) for v in row)).encode())
                count += 1
            result[table] = (count, digest.hexdigest())
    return result
