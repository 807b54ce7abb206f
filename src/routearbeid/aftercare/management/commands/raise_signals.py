from django.core.management.base import BaseCommand

from routearbeid.aftercare import services


class Command(BaseCommand):
    help = "Raise every signal that has come due and close cases whose aftercare has ended (idempotent)."

    def handle(self, *args, **options):
        raised = services.signals_raise_due()
        closed = services.cases_close_due()
        self.stdout.write(f"{raised} new signals, {closed} cases closed")
