"""manage.py keep_link_regions [--school ID]: a school's cases and the links to them take the
school's region again, after a school was moved to another region other than through the admin (which
does this itself). See route.services.keep_link_regions."""

from django.core.management.base import BaseCommand, CommandError

from routearbeid.organisations.constants import OrganisationKind
from routearbeid.organisations.models import Organisation
from routearbeid.route.services import keep_link_regions


class Command(BaseCommand):
    help = "Give each school's cases, and their involvements and handovers, the school's region."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help="Only this school (its id).")

    def handle(self, *args, school: int | None = None, **options):
        schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL).order_by("pk")
        if school is not None:
            schools = schools.filter(pk=school)
            if not schools.exists():
                raise CommandError(f"--school: no school with id {school}")
        changed = sum(
            keep_link_regions(school_id=pk) for pk in schools.values_list("pk", flat=True)
        )
        self.stdout.write(f"{changed} case(s) and link(s) changed")
