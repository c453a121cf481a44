"""`manage.py migrate`, safe to start from several processes at once.

Every web process runs `migrate` before it serves (deploy/entrypoint.sh), so two containers or
machines starting together must not both apply the same migration. On PostgreSQL this wraps
Django's own command in a session-level advisory lock: the first process migrates, the others
wait for it and then find nothing left to do. Any other database is migrated as Django does it.
"""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

# An arbitrary constant that names this lock among the database's advisory locks.
MIGRATION_LOCK_ID = 0x5309_0001


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " Holds a PostgreSQL advisory lock while it runs."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
