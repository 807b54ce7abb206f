"""`manage.py demo_region`: load the fictional Alkmaar demo region (demo only, password "demo")."""

import time

from django.core.management.base import BaseCommand

from routearbeid.core.demo import DEMO_PASSWORD, DEMO_SEED, demo_region_build
from routearbeid.organisations.models import Region


class Command(BaseCommand):
    help = "Load the demo region (Regio Alkmaar) with fictional youth in every stage of the route."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has a region.",
        )
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="Seed of the fictional data."
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Region.objects.exists():
            self.stdout.write("The database already has a region: demo data not loaded.")
            return
        started = time.monotonic()
        summary = demo_region_build(seed=options["seed"])
        elapsed = time.monotonic() - started
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(f"Demo region {summary.region} loaded in {elapsed:.1f} s.")
            )
        else:
            self.stdout.write(f"Demo region {summary.region} is already present: nothing created.")
        self.stdout.write("\nCases per stage:")
        for stage, count in summary.stage_counts.items():
            self.stdout.write(f"  {stage:<14}{count:>4}")
        self.stdout.write(f"  {'total':<14}{sum(summary.stage_counts.values()):>4}")
        meetings = ", ".join(
            f"{count} {status}" for status, count in summary.meetings.items() if count
        )
        self.stdout.write(f"\nOutflow meetings: {meetings}")
        self.stdout.write(
            "Open signals: " + ", ".join(f"{k} {v}" for k, v in summary.open_signals.items())
        )
        self.stdout.write(f'\nLogins (password "{DEMO_PASSWORD}", demo only):')
        for username, role, organisation in summary.logins:
            self.stdout.write(f"  {username:<18}{role:<34}{organisation}")
