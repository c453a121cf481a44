"""The restore drill: prove that a database backup restores into a working shop.

A backup nobody has restored is a hope. `restore_drill()` restores a `pg_dump --format=custom`
file into a new scratch database beside the shop's own (never into it), checks what came back,
and drops the scratch database again. What it checks:

- `pg_restore --exit-on-error` finished: every table, row, index and constraint came back;
- it is this shop's database: Django's migration table is there; the migrations this code has
  and the backup lacks are listed (`migrate` applies them after a real restore), and so are
  those the backup has and this code lacks (the backup is newer than the code);
- how much is in it (rows of the main tables) and how recent it is (the newest order);
- the product images it refers to are in the media storage, since database and media backups
  must be restored together (up to `media_sample` files, picked at random).

It fails only on what would make a restore unusable: the restore itself, a database that is
not the shop's, or images missing from the media storage.
"""

import os
import secrets
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from accounts.models import User
from catalog.models import Product, ProductImage, Variant
from orders.models import Order, OrderEmail, OrderLine

COUNTED_MODELS = [User, Product, Variant, ProductImage, Order, OrderLine, OrderEmail]


class RestoreDrillError(Exception):
    """The backup could not be restored or is not a usable shop database."""


@dataclass
class DrillReport:
    scratch_database: str
    row_counts: dict[str, int] = field(default_factory=dict)
    newest_order_at: datetime | None = None
    migrations_missing: list[str] = field(default_factory=list)
    migrations_unknown: list[str] = field(default_factory=list)
    media_checked: int = 0
    media_total: int = 0
    media_missing: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.media_missing


def restore_drill(*, dump_path: Path, media_sample: int = 500, keep: bool = False) -> DrillReport:
    """Restore `dump_path` into a scratch database, check it, drop it (unless `keep`).

    Needs PostgreSQL, `pg_restore` no older than the `pg_dump` that wrote the file, and the
    right to create databases. Touches nothing of the shop's own database; safe to repeat.
    Raises RestoreDrillError when the restore fails or the result is not a shop database.
    """
    if connection.vendor != "postgresql":
        raise RestoreDrillError("The restore drill needs the shop to run on PostgreSQL.")
    if not dump_path.is_file():
        raise RestoreDrillError(f"No backup file at {dump_path}.")
    scratch_database = f"{connection.settings_dict['NAME']}_drill_{secrets.token_hex(4)}"
    report = DrillReport(scratch_database=scratch_database)
    _create_database(report.scratch_database)
    try:
        _pg_restore(dump_path, report.scratch_database)
        with psycopg.connect(**_connection_params(report.scratch_database)) as restored:
            _check_migrations(restored, report)
            _count_rows(restored, report)
            _check_media(restored, report, media_sample)
    finally:
        if not keep:
            _drop_database(report.scratch_database)
    return report


def _connection_params(database):
    settings = connection.settings_dict
    params = {
        "dbname": database,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    return {key: value for key, value in params.items() if value is not None}


def _create_database(name):
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)).as_string())


def _drop_database(name):
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            .format(sql.Identifier(name))
            .as_string()
        )


def _pg_restore(dump_path, database):
    params = _connection_params(database)
    environment = {
        f"PG{key.upper()}": str(params[key])
        for key in ("user", "password", "host", "port")
        if key in params
    }
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            database,
            str(dump_path),
        ],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RestoreDrillError(f"pg_restore failed: {result.stderr.strip()}")


def _check_migrations(restored, report):
    (has_table,) = restored.execute(
        "SELECT to_regclass('django_migrations') IS NOT NULL"
    ).fetchone()
    if not has_table:
        raise RestoreDrillError(
            "The backup has no django_migrations table: it is not the shop's database."
        )
    recorded = {
        f"{app}.{name}" for app, name in restored.execute("SELECT app, name FROM django_migrations")
    }
    known = {
        f"{app}.{name}"
        for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    report.migrations_missing = sorted(known - recorded)
    report.migrations_unknown = sorted(recorded - known)


def _count_rows(restored, report):
    for model in COUNTED_MODELS:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(model._meta.db_table))
        report.row_counts[model._meta.verbose_name_plural] = restored.execute(query).fetchone()[0]
    report.newest_order_at = restored.execute(
        sql.SQL("SELECT max(created_at) FROM {}").format(sql.Identifier(Order._meta.db_table))
    ).fetchone()[0]


def _check_media(restored, report, sample):
    table = sql.Identifier(ProductImage._meta.db_table)
    names = sql.SQL(
        "SELECT image FROM {table} UNION SELECT thumbnail FROM {table}"
        " UNION SELECT display FROM {table}"
    ).format(table=table)
    report.media_total = restored.execute(
        sql.SQL("SELECT count(*) FROM ({names}) AS files WHERE image <> ''").format(names=names)
    ).fetchone()[0]
    picked = restored.execute(
        sql.SQL(
            "SELECT image FROM ({names}) AS files WHERE image <> '' ORDER BY random() LIMIT %s"
        ).format(names=names),
        [sample],
    )
    for (name,) in picked:
        report.media_checked += 1
        if not default_storage.exists(name):
            report.media_missing.append(name)
