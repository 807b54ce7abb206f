"""`manage.py demo_region`: the demo region has every stage of the route, built by the services."""

from io import StringIO

from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client, TestCase

from routearbeid.aftercare.constants import ReportChannel, SelfReportKind, SignalKind, SignalStatus
from routearbeid.aftercare.models import AftercareCheck, SelfReport, Signal
from routearbeid.core.dates import add_months, add_years, age_on, today
from routearbeid.core.demo import DEMO_PASSWORD, REGION_NAME, USERS
from routearbeid.employment.constants import EmploymentKind
from routearbeid.employment.models import AbaApplication, Employer, Employment, Provision
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import AgendaItem, Decision, OutflowMeeting
from routearbeid.organisations.models import Membership, Organisation, Region, User
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import OutflowProfile, Stage
from routearbeid.route.models import Case, Handover, Involvement, TimelineEvent
from routearbeid.students.models import Guardian, Student

COUNTED = [
    Region,
    Organisation,
    User,
    Membership,
    Student,
    Guardian,
    Case,
    Involvement,
    Handover,
    OutflowMeeting,
    AgendaItem,
    Decision,
    AbaApplication,
    Employer,
    Employment,
    Provision,
    AftercareCheck,
    SelfReport,
    Signal,
    TimelineEvent,
    ProcessingLogRecord,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo_region", *args, stdout=out)
    return out.getvalue()


class DemoRegionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = run()
        cls.region = Region.objects.get(name=REGION_NAME)
        cls.today = today()

    def test_command_reports_stages_and_logins(self):
        assert "loaded" in self.output
        for stage in Stage:
            assert stage.value in self.output
        for username, *_rest in USERS:
            assert username in self.output

    def test_about_sixty_students_over_both_schools(self):
        students = Student.objects.filter(school__region=self.region)
        assert 55 <= students.count() <= 65
        assert students.values("school").distinct().count() == 2
        assert {"Alkmaar", "Heiloo", "Bergen"} <= set(
            students.values_list("municipality", flat=True)
        )
        pgns = [p for p in students.values_list("pgn", flat=True) if p]
        assert (
            pgns and len(pgns) == len(set(pgns)) and all(len(p) == 9 and p.isdigit() for p in pgns)
        )

    def test_every_stage_has_a_case(self):
        for stage in Stage:
            assert Case.objects.filter(stage=stage).exists(), stage

    def test_every_case_was_walked_through_the_services(self):
        """R-END-2: the services append the timeline; a case written directly would have none."""
        for case in Case.objects.all():
            assert case.events.filter(kind="case_opened").exists(), case
        assert ProcessingLogRecord.objects.exists()

    def test_youth_under_and_over_18(self):
        ages = [
            age_on(born, self.today)
            for born in Student.objects.values_list("date_of_birth", flat=True)
        ]
        assert min(ages) < 18 <= max(ages)
        assert min(ages) >= 16

    def test_consultation_with_involvements_only_requested(self):
        """R-OVL-2: some organisations are asked to take part and have not recorded anything yet."""
        assert Involvement.objects.filter(
            case__stage=Stage.CONSULTATION, involved_on__isnull=True
        ).exists()

    def test_aba_without_decision_after_eight_weeks_signals_the_school(self):
        """R-ABA-3"""
        assert Signal.objects.filter(
            kind=SignalKind.ABA_NO_DECISION, status=SignalStatus.OPEN, case__stage=Stage.ABA
        ).exists()

    def test_overdue_checkin_signal_is_open(self):
        """R-NZ-3"""
        signal = Signal.objects.filter(
            kind=SignalKind.CHECKIN_OVERDUE, status=SignalStatus.OPEN
        ).first()
        assert signal is not None
        assert signal.case.checks.filter(recorded_on__isnull=True, due_on__lt=self.today).exists()

    def test_recorded_checkins(self):
        """R-NZ-2"""
        assert AftercareCheck.objects.filter(recorded_on__isnull=False, contact_made=True).exists()
        assert AftercareCheck.objects.filter(recorded_on__isnull=False, contact_made=False).exists()

    def test_fixed_term_contract_ending_within_three_months_is_signalled(self):
        """R-NZ-5"""
        ending = Employment.objects.filter(
            kind=EmploymentKind.FIXED_TERM,
            ended_on__isnull=True,
            ends_on__gte=self.today,
            ends_on__lte=add_months(self.today, 3),
            case__stage=Stage.AFTERCARE,
        ).first()
        assert ending is not None
        assert (
            Signal.objects.filter(
                case=ending.case, kind=SignalKind.CONTRACT_END, status=SignalStatus.OPEN
            ).count()
            == 2
        )

    def test_dual_track_with_enrolment_and_permanent_jobs_in_aftercare(self):
        in_aftercare = Employment.objects.filter(case__stage=Stage.AFTERCARE)
        assert (
            in_aftercare.filter(kind=EmploymentKind.DUAL_TRACK)
            .exclude(enrolment_reference="")
            .exists()
        )
        assert in_aftercare.filter(kind=EmploymentKind.PERMANENT).exists()

    def test_self_report_of_job_loss_on_the_portal(self):
        """R-NZ-4: the school and the work service are both signalled."""
        report = SelfReport.objects.get(kind=SelfReportKind.LOST_JOB, channel=ReportChannel.PORTAL)
        organisations = set(
            Signal.objects.filter(
                case=report.case, kind=SignalKind.SELF_REPORT, status=SignalStatus.OPEN
            ).values_list("organisation__kind", flat=True)
        )
        assert organisations == {"school", "work_service"}

    def test_job_loss_threat(self):
        """R-NZ-6"""
        assert Signal.objects.filter(
            kind=SignalKind.JOB_LOSS_THREAT, status=SignalStatus.OPEN
        ).exists()

    def test_aftercare_cases_left_school_2_to_22_months_ago(self):
        for case in Case.objects.filter(stage=Stage.AFTERCARE):
            assert add_months(self.today, -23) <= case.outflow_on <= add_months(self.today, -2), (
                case
            )

    def test_closed_cases_were_closed_after_two_years_of_aftercare(self):
        """R-NZ-7"""
        closed = Case.objects.filter(stage=Stage.CLOSED)
        assert closed.exists()
        for case in closed:
            assert case.outflow_on < add_years(self.today, -2)
            assert case.ended_on == case.aftercare_ends_on

    def test_17_year_old_left_with_a_leerplicht_exemption(self):
        """R-UIT-2"""
        case = Case.objects.filter(stage=Stage.AFTERCARE, exemptions__isnull=False).first()
        assert case is not None
        assert case.student.age_on(case.outflow_on) == 17
        assert not case.student.has_basic_qualification

    def test_under_18_without_startkwalificatie_left_only_for_dual_track_or_exemption(self):
        """R-UIT-2"""
        for case in Case.objects.filter(stage__in=[Stage.AFTERCARE, Stage.CLOSED]):
            if (
                case.student.age_on(case.outflow_on) < 18
                and not case.student.has_basic_qualification
            ):
                assert (
                    case.exemptions.exists()
                    or case.employments.filter(kind=EmploymentKind.DUAL_TRACK)
                    .exclude(enrolment_reference="")
                    .exists()
                )

    def test_with_and_without_startkwalificatie(self):
        assert Student.objects.filter(has_basic_qualification=True).exists()
        assert Student.objects.filter(has_basic_qualification=False).exists()

    def test_withdrawn_by_meeting_decision_and_plainly(self):
        """R-OVL-4 and R-END-1"""
        withdrawn = Case.objects.filter(stage=Stage.WITHDRAWN)
        assert withdrawn.filter(outflow_profile=OutflowProfile.EDUCATION).exists()
        assert withdrawn.filter(agenda_items__isnull=True).exists()
        assert not withdrawn.filter(end_reason="").exists()

    def test_held_and_planned_meetings(self):
        assert OutflowMeeting.objects.filter(
            status=MeetingStatus.HELD, held_on__lt=self.today
        ).exists()
        planned = OutflowMeeting.objects.filter(
            status=MeetingStatus.PLANNED, scheduled_on__gt=self.today
        )
        assert planned.count() == 2
        assert AgendaItem.objects.filter(meeting__in=planned).exists()

    def test_running_twice_creates_nothing(self):
        before = counts()
        output = run()
        assert "nothing created" in output
        assert counts() == before

    def test_if_empty_does_nothing_on_a_database_with_a_region(self):
        before = counts()
        output = run("--if-empty")
        assert "already has a region" in output
        assert counts() == before

    def test_each_demo_user_logs_in_with_the_demo_password(self):
        for username, *_rest in USERS:
            # django-axes counts login attempts per request, so authenticate() needs one
            assert Client().login(
                request=HttpRequest(), username=username, password=DEMO_PASSWORD
            ), username
            assert Membership.objects.filter(user__username=username).exists()

    def test_functional_administrator_reaches_the_admin(self):
        client = Client()
        client.login(request=HttpRequest(), username="beheerder", password=DEMO_PASSWORD)
        assert client.get("/beheer/").status_code == 200
        assert client.get("/beheer/organisations/organisation/").status_code == 200
