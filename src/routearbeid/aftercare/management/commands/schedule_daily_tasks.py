from django.core.management.base import BaseCommand

from routearbeid.aftercare.tasks import daily_schedule


class Command(BaseCommand):
    help = (
        "Enqueue the daily run (signals, closing cases, other daily jobs) to run now; it then "
        "enqueues itself every morning. Does nothing when one is already waiting or running."
    )

    def handle(self, *args, **options):
        from routearbeid.notifications.tasks import schedule as schedule_mail

        if daily_schedule(run_after=None, include_running=True):
            self.stdout.write("The daily run has been enqueued.")
        else:
            self.stdout.write("The daily run is already scheduled.")
        # The e-mail sender (every minute) and the daily digest keep themselves going the same way.
        started = schedule_mail()
        self.stdout.write(f"E-mail tasks started: {', '.join(started) or 'already running'}.")
