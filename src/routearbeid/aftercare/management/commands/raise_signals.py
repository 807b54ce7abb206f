from django.core.management.base import BaseCommand

from routearbeid.aftercare.tasks import aftercare_due


class Command(BaseCommand):
    help = "Raise every signal that has come due and close cases whose aftercare has ended (idempotent)."

    def handle(self, *args, **options):
        result = aftercare_due()
        self.stdout.write(f"{result['raised']} new signals, {result['closed']} cases closed")
