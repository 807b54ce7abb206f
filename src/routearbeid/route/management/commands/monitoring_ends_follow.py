"""manage.py monitoring_ends_follow [--region ID]: the end of the RMC's monitoring of each youth
after outflow follows the age limit of their school's region and their date of birth as they
are now (R-RMC-1). The admin does this itself when a region's limit changes, as do a student
import (a corrected date of birth) and a school's move to another region; run it once for
limits changed before that, or by other means. See route.services.monitoring_ends_follow."""

from django.core.management.base import BaseCommand, CommandError

from routearbeid.organisations.models import Region
from routearbeid.route.services import monitoring_ends_follow


class Command(BaseCommand):
    help = "Move the end of the RMC's monitoring of each youth to their region's age limit."

    def add_arguments(self, parser):
        parser.add_argument("--region", type=int, help="Only this region (its id).")

    def handle(self, *args, region: int | None = None, **options):
        regions = Region.objects.order_by("pk")
        if region is not None:
            regions = regions.filter(pk=region)
            if not regions.exists():
                raise CommandError(f"--region: no region with id {region}")
        moved = sum(
            monitoring_ends_follow(region_id=pk) for pk in regions.values_list("pk", flat=True)
        )
        self.stdout.write(f"{moved} case(s) moved")
