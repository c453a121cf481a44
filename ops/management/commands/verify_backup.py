"""manage.py verify_backup DUMP [--media-sample N] [--keep]: the restore drill (ops/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backups import RestoreDrillError, restore_drill


class Command(BaseCommand):
    help = (
        "Restore drill: restore a `pg_dump --format=custom` backup into a new scratch database "
        "(never the shop's own), check that it holds a usable shop and that the product images "
        "it refers to are in the media storage, then drop the scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path, help="the backup file, from pg_dump --format=custom")
        parser.add_argument(
            "--media-sample",
            type=int,
            default=500,
            help="how many referenced image files to look for in the media storage (default 500)",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database to look at afterwards"
        )

    def handle(self, *args, dump, media_sample, keep, **options):
        if media_sample < 0:
            raise CommandError("--media-sample must be 0 or more.")
        try:
            report = restore_drill(dump_path=dump, media_sample=media_sample, keep=keep)
        except RestoreDrillError as error:
            raise CommandError(f"Restore drill failed: {error}") from None

        self.stdout.write(f"Restored {dump} into the scratch database {report.scratch_database}.")
        counts = ", ".join(f"{name} {count:,}" for name, count in report.row_counts.items())
        self.stdout.write(f"Rows: {counts}.")
        newest = report.newest_order_at
        self.stdout.write(
            f"Newest order: {newest:%Y-%m-%d %H:%M %Z}." if newest else "Newest order: none."
        )
        if report.migrations_missing:
            self.stdout.write(
                f"{len(report.migrations_missing)} migrations of this code are not in the "
                "backup (`migrate` applies them after a restore): "
                + ", ".join(report.migrations_missing)
            )
        if report.migrations_unknown:
            self.stdout.write(
                f"{len(report.migrations_unknown)} migrations in the backup are unknown to this "
                "code (the backup is newer than the code): " + ", ".join(report.migrations_unknown)
            )
        self.stdout.write(
            f"Media: {report.media_checked - len(report.media_missing)} of "
            f"{report.media_checked} checked files are in the media storage "
            f"({report.media_total} referenced)."
        )
        self.stdout.write(
            f"Kept the scratch database {report.scratch_database}."
            if keep
            else "Dropped the scratch database."
        )
        if not report.passed:
            raise CommandError(
                "Restore drill failed: image files missing from the media storage: "
                + ", ".join(report.media_missing[:20])
            )
        self.stdout.write(self.style.SUCCESS("Restore drill passed."))
