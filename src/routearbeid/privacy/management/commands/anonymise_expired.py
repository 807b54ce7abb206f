"""manage.py anonymise_expired [--dry-run] [--on YYYY-MM-DD]: the retention task by hand."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from routearbeid.privacy.retention import anonymise_expired, describe_result


class Command(BaseCommand):
    help = "Anonymise the youth whose retention period ended (counts and case ids, no names)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only show what would be anonymised."
        )
        parser.add_argument("--on", help="The day to count from (YYYY-MM-DD); default today.")

    def handle(self, *args, dry_run: bool = False, on: str | None = None, **options):
        day = None
        if on:
            try:
                day = dt.date.fromisoformat(on)
            except ValueError:
                raise CommandError(f"--on: not a date (YYYY-MM-DD): {on!r}") from None
        result = anonymise_expired(on=day, dry_run=dry_run)
        self.stdout.write(describe_result(result))
