from django.core.management.base import BaseCommand

from routearbeid.notifications import services
from routearbeid.notifications.constants import ALERT_ATTEMPTS


class Command(BaseCommand):
    help = (
        "Send the e-mail that is due in the outbox (retries with backoff; safe to run next to "
        "the task worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digests", action="store_true", help="First write today's digests (once a day)."
        )

    def handle(self, *args, **options):
        if options["digests"]:
            services.signals_catch_up()
            built = services.digests_build()
            self.stdout.write(f"{built} digests written")
        report = services.outbox_deliver()
        self.stdout.write(
            f"{report.sent} sent, {report.retrying} waiting to retry, "
            f"{report.in_trouble} failing for {ALERT_ATTEMPTS}+ attempts, "
            f"{report.refused} refused by the server"
        )
