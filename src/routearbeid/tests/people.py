"""A test region with one organisation of each kind and named people in them.

Every permission test has a person who must pass and one who must fail: `coordinator` (school A)
and `other_coordinator` (school B), `work_service_manager`, `rmc_officer`, `leerplicht_officer`,
`swv_officer`, `route_coordinator`, `admin` (functional administrator, no case data), `privacy_officer` (school A's privacy
officer: the processing log and inzage, no case work).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from routearbeid.core.dates import add_years, today
from routearbeid.organisations.constants import OrganisationKind, Role
from routearbeid.organisations.models import Membership, Organisation, Region, User
from routearbeid.route.constants import HandoverForm, LegalBasis, Stage
from routearbeid.students.models import Student


def make_user(username: str, org: Organisation, role: str) -> User:
    user = User.objects.create_user(username=username, password="x", first_name=username.title())
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@dataclass
class Region1:
    region: Region
    school: Organisation
    other_school: Organisation
    work_service: Organisation
    rmc: Organisation
    leerplicht: Organisation
    swv: Organisation
    uwv: Organisation
    coordination: Organisation
    coordinator: User
    mentor: User
    other_coordinator: User
    work_service_manager: User
    rmc_officer: User
    leerplicht_officer: User
    swv_officer: User
    route_coordinator: User
    admin: User
    privacy_officer: User

    @classmethod
    def build(cls, name: str = "Regio Test") -> Region1:
        region = Region.objects.create(name=name)

        def org(kind, label, municipality="Alkmaar"):
            return Organisation.objects.create(
                region=region, kind=kind, name=f"{label} ({name})", municipality=municipality
            )

        school = org(OrganisationKind.SCHOOL, "ISK A")
        other_school = org(OrganisationKind.SCHOOL, "ISK B")
        work_service = org(OrganisationKind.WORK_SERVICE, "Halte Werk")
        rmc = org(OrganisationKind.RMC, "RMC")
        leerplicht = org(OrganisationKind.LEERPLICHT, "Leerplicht")
        swv = org(OrganisationKind.SWV, "SWV")
        uwv = org(OrganisationKind.UWV, "UWV")
        coordination = org(OrganisationKind.ROUTE_COORDINATION, "Route Nieuwkomers")
        p = name.replace(" ", "").lower()
        return cls(
            region=region,
            school=school,
            other_school=other_school,
            work_service=work_service,
            rmc=rmc,
            leerplicht=leerplicht,
            swv=swv,
            uwv=uwv,
            coordination=coordination,
            coordinator=make_user(f"{p}-coordinator", school, Role.SCHOOL_COORDINATOR),
            mentor=make_user(f"{p}-mentor", school, Role.MENTOR),
            other_coordinator=make_user(
                f"{p}-other-coordinator", other_school, Role.SCHOOL_COORDINATOR
            ),
            work_service_manager=make_user(
                f"{p}-klantmanager", work_service, Role.WORK_SERVICE_MANAGER
            ),
            rmc_officer=make_user(f"{p}-rmc", rmc, Role.RMC_OFFICER),
            leerplicht_officer=make_user(f"{p}-leerplicht", leerplicht, Role.LEERPLICHT_OFFICER),
            swv_officer=make_user(f"{p}-swv", swv, Role.SWV_OFFICER),
            route_coordinator=make_user(
                f"{p}-routecoordinator", coordination, Role.ROUTE_COORDINATOR
            ),
            admin=make_user(f"{p}-beheer", school, Role.FUNCTIONAL_ADMIN),
            privacy_officer=make_user(f"{p}-fg", school, Role.PRIVACY_OFFICER),
        )

    def student(
        self,
        *,
        age: int = 19,
        school: Organisation | None = None,
        on: dt.date | None = None,
        qualified: bool = False,
        municipality: str = "Alkmaar",
        **kwargs,
    ) -> Student:
        on = on or today()
        born = add_years(on, -age) - dt.timedelta(days=30)
        n = Student.objects.count() + 1
        return Student.objects.create(
            school=school or self.school,
            first_name=kwargs.pop("first_name", f"Jongere{n}"),
            last_name=kwargs.pop("last_name", f"Achternaam{n}"),
            date_of_birth=born,
            municipality=municipality,
            has_basic_qualification=qualified,
            **kwargs,
        )

    # --- walking a case through the route with the services -----------------------------------

    def open_case(self, student=None, *, on: dt.date | None = None, **student_kwargs):
        from routearbeid.route.services import case_open

        student = student or self.student(**student_kwargs)
        return case_open(actor=self.coordinator, student_id=student.pk, opened_on=on)

    def involve(self, case, *, on: dt.date | None = None, rmc=True, leerplicht=True):
        from routearbeid.route.services import involvement_record, involvement_request

        on = on or today()
        for wanted, org in ((rmc, self.rmc), (leerplicht, self.leerplicht)):
            if wanted:
                involvement_request(
                    actor=self.coordinator, case_id=case.pk, organisation_id=org.pk, on=on
                )
        if rmc:
            involvement_record(
                actor=self.rmc_officer,
                case_id=case.pk,
                organisation_id=self.rmc.pk,
                person_name="R. Monitor",
                involved_on=on,
                advice="Werk past bij deze jongere.",
            )
        if leerplicht:
            # Leerplicht sees only youth under 18; for older youth the school records its advice.
            under_18 = case.student.age_on(today()) < 18
            involvement_record(
                actor=self.leerplicht_officer if under_18 else self.coordinator,
                case_id=case.pk,
                organisation_id=self.leerplicht.pk,
                person_name="L. Plicht",
                involved_on=on,
                advice="Akkoord met werk.",
            )

    def decide_work(
        self,
        case,
        *,
        on: dt.date | None = None,
        reason: str = "Wil direct werken; mbo is nu geen haalbare optie.",
    ):
        from routearbeid.meetings import services as m

        on = on or today()
        meeting = m.meeting_plan(
            actor=self.route_coordinator, region_id=self.region.pk, scheduled_on=on
        )
        item = m.agenda_item_add(actor=self.coordinator, meeting_id=meeting.pk, case_id=case.pk)
        m.meeting_hold(actor=self.route_coordinator, meeting_id=meeting.pk, held_on=on)
        return m.decision_record(
            actor=self.route_coordinator,
            agenda_item_id=item.pk,
            outflow_profile="work",
            reason=reason,
            on=on,
        )

    def skip_aba(self, case):
        from routearbeid.route.services import aba_skip

        return aba_skip(actor=self.coordinator, case_id=case.pk, reason="Geen arbeidsbeperking.")

    def hand_over(self, case, *, on: dt.date | None = None, guardians: bool = True):
        from routearbeid.route.services import guardians_record, handover_record

        if guardians:
            guardians_record(actor=self.coordinator, case_id=case.pk, involved=True)
        return handover_record(
            actor=self.coordinator,
            case_id=case.pk,
            receiving_organisation_id=self.work_service.pk,
            receiving_person="K. Manager",
            handed_over_on=on or today(),
            form=HandoverForm.JOINT_MEETING,
            legal_basis=LegalBasis.LEGAL_TASK,
        )

    def employ(
        self,
        case,
        *,
        kind="permanent",
        starts_on: dt.date | None = None,
        ends_on=None,
        training_institution="",
        enrolment_reference="",
        hours=32,
    ):
        from routearbeid.employment.models import Employer
        from routearbeid.employment.services import employment_record

        n = Employer.objects.count() + 1
        employer = Employer.objects.create(name=f"Werkgever {n}", kvk_number=f"{10000000 + n}")
        return employment_record(
            actor=self.coordinator,
            case_id=case.pk,
            employer_id=employer.pk,
            kind=kind,
            starts_on=starts_on or today(),
            ends_on=ends_on,
            hours_per_week=hours,
            training_institution=training_institution,
            enrolment_reference=enrolment_reference,
        )

    def ready_for_outflow(self, case=None, *, on: dt.date | None = None, **kwargs):
        """A case with every rule of outflow met (profile work, handover, a permanent job)."""
        case = case or self.open_case(on=on, **kwargs)
        self.involve(case, on=on)
        self.decide_work(case, on=on)
        self.skip_aba(case)
        self.hand_over(case, on=on)
        self.employ(case, starts_on=on)
        case.refresh_from_db()
        return case

    def outflow(self, case, *, on: dt.date | None = None):
        from routearbeid.route.services import case_outflow

        return case_outflow(actor=self.coordinator, case_id=case.pk, outflow_on=on or today())

    def handover_row(self, case, organisation=None):
        """A handover row written directly (no rules checked): to this region's work service
        unless another organisation is given."""
        from routearbeid.route.models import Handover

        return Handover.objects.create(
            case=case,
            receiving_organisation=organisation or self.work_service,
            receiving_person="K. Manager",
            handed_over_on=today(),
            form=HandoverForm.JOINT_MEETING,
            legal_basis=LegalBasis.LEGAL_TASK,
        )

    def work_service_links(self):
        """Two cases the work service sees through its links: `both` asked and handed over (two
        links, one case), `asked` only asked; and a stray link of the work service to a case of
        another region, which must never count (issue #7's link counts)."""
        from routearbeid.route.models import Involvement
        from routearbeid.route.services import involvement_request

        both, asked = self.open_case(), self.open_case()
        for case in (both, asked):
            involvement_request(
                actor=self.coordinator, case_id=case.pk, organisation_id=self.work_service.pk
            )
        self.handover_row(both)
        elsewhere = Region1.build(f"Elders {self.region.pk}").open_case()
        Involvement.objects.create(
            case=elsewhere, organisation=self.work_service, requested_on=today()
        )
        return both, asked

    def after_outflow(self, student, **case_fields):
        """A case of `student` after outflow, written directly (the route itself is tested
        elsewhere): in aftercare, outflow 100 days ago, on the RMC's monitoring list until the
        region's age limit (R-RMC-1), unless `stage`, `outflow_on` or `rmc_monitoring_ends_on`
        say otherwise."""
        from routearbeid.route.models import Case

        outflow = case_fields.pop("outflow_on", today() - dt.timedelta(days=100))
        return Case.objects.create(
            student=student,
            stage=case_fields.pop("stage", Stage.AFTERCARE),
            opened_on=outflow - dt.timedelta(days=90),
            outflow_on=outflow,
            aftercare_ends_on=add_years(outflow, 2),
            rmc_monitoring_ends_on=case_fields.pop(
                "rmc_monitoring_ends_on",
                add_years(student.date_of_birth, self.region.rmc_age_limit),
            ),
            **case_fields,
        )

    def rmc_cases(self):
        """Cases the RMC sees for different reasons (issue #7's counts from its own rows):
        `both` asked to take part and, after outflow, on the monitoring list (R-RMC-1); `asked`
        only asked; `monitored` only on the list, and `earlier`, a closed case of the same youth,
        on it too (one youth, two cases). Never counted: a youth of the region whose monitoring
        has ended, and a monitored youth of another region."""
        both = self.outflow(self.ready_for_outflow(age=19))
        asked = self.open_case(age=17)
        self.involve(asked, leerplicht=False)
        youth = self.student(age=20)
        long_ago = today() - dt.timedelta(days=400)
        earlier = self.after_outflow(
            youth, stage=Stage.CLOSED, outflow_on=long_ago, ended_on=today() - dt.timedelta(300)
        )
        monitored = self.after_outflow(youth, outflow_on=long_ago)
        self.after_outflow(self.student(age=20), rmc_monitoring_ends_on=today())  # ended today
        elsewhere = Region1.build(f"Elders RMC {self.region.pk}")
        elsewhere.after_outflow(elsewhere.student(age=20))
        return both, asked, monitored, earlier
