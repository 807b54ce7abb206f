"""The handover document (R-HO-1): one PDF with what the receiving organisation needs to know.

WeasyPrint renders `route/handover_document.html` to A4, in Dutch (the region's language,
whatever the language of the screen). It loads nothing from outside: every resource fetch is
refused, the style sheet is below. Only someone who may see the case (`case_get`) and is its
school or the receiving organisation of its handover gets it; the PGN only for roles that may
see it. Generating it is logged (`route.handover`, read) and becomes an event on the case's
timeline (R-END-2).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from routearbeid.core.dates import today
from routearbeid.core.errors import NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.models import Organisation
from routearbeid.processing_log.services import case_processing_log

from . import permissions
from .models import Case, handover_of
from .selectors import case_get, visible_cases
from .timeline import timeline_append

DOCUMENT_LANGUAGE = settings.LANGUAGE_CODE  # the receiving organisations read Dutch


def _css_string(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _css_content(text: str, **counters: str) -> str:
    """A translated sentence with %(name)s placeholders as a CSS `content` value with counters:
    "Page %(page)s of %(pages)s" -> "Page " counter(page) " of " counter(pages)."""
    parts = (text % {name: f"\x00{name}\x00" for name in counters}).split("\x00")
    values = [
        counters[part] if index % 2 else _css_string(part) for index, part in enumerate(parts)
    ]
    return " ".join(v for v in values if v != '""')


def stylesheet() -> str:
    """A4, plain and readable; the running header and the page numbers in the document's language."""
    page_of = _css_content(
        _("Page %(page)s of %(pages)s"), page="counter(page)", pages="counter(pages)"
    )
    confidential = _css_string(_("Confidential: contains personal data"))
    return f"""
@page {{
  size: A4;
  margin: 22mm 18mm 20mm 18mm;
  @top-left {{ content: string(doc-title); font-size: 8pt; color: #444; }}
  @top-right {{ content: {confidential}; font-size: 8pt; color: #444; }}
  @bottom-right {{ content: {page_of}; font-size: 8pt; color: #444; }}
  @bottom-left {{ content: string(doc-generated); font-size: 8pt; color: #444; }}
}}
html {{ font-family: "DejaVu Sans", "Noto Sans", "Liberation Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #111; }}
body {{ margin: 0; }}
.doc-title-string {{ string-set: doc-title content(); }}
.doc-generated-string {{ string-set: doc-generated content(); }}
.doc-kicker {{ margin: 0; font-size: 9pt; font-weight: 700; color: #0b4f8a; text-transform: uppercase; letter-spacing: .04em; }}
h1 {{ font-size: 17pt; margin: 2pt 0 4pt; color: #0b4f8a; }}
h2 {{ font-size: 12pt; margin: 14pt 0 4pt; padding-bottom: 2pt; border-bottom: 1.5pt solid #0b4f8a; color: #0b4f8a; break-after: avoid; }}
h3 {{ font-size: 10pt; margin: 8pt 0 3pt; break-after: avoid; }}
p {{ margin: 0 0 5pt; }}
.doc-intro {{ border: 1pt solid #0b4f8a; background: #eef3f9; padding: 6pt 8pt; margin: 6pt 0 4pt; }}
.doc-intro p:last-child {{ margin-bottom: 0; }}
table {{ width: 100%; border-collapse: collapse; margin: 0 0 6pt; }}
th, td {{ text-align: left; vertical-align: top; padding: 3pt 5pt; border: .5pt solid #999; }}
thead th {{ background: #e6e6e6; font-weight: 700; }}
tr {{ break-inside: avoid; }}
table.kv th {{ width: 32%; background: #f3f3f3; font-weight: 700; }}
.muted {{ color: #444; }}
.none {{ color: #444; font-style: italic; }}
.rule {{ color: #444; font-size: 8pt; }}
.text {{ white-space: pre-line; }}
section {{ break-inside: auto; }}
.portal-doc {{ display: flex; gap: 8pt; align-items: flex-start; break-inside: avoid; }}
.portal-qr {{ width: 32mm; height: 32mm; flex: none; }}
.portal-doc-url {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }}
"""


def _case_for_student(actor: Actor, student_id: int) -> Case:
    """The student's open case the actor may see, else the latest one; NotFound without one."""
    rows = list(
        visible_cases(actor)
        .filter(student_id=student_id)
        .order_by("-opened_on", "-id")
        .values_list("pk", "stage")
    )
    if not rows:
        raise NotFound("not found")
    from .constants import ENDED_STAGES

    case_id = next((pk for pk, stage in rows if stage not in ENDED_STAGES), rows[0][0])
    case = case_get(actor=actor, case_id=case_id, log=False)
    if not may_get_document(actor, case):
        raise NotFound("not found")
    return case


def may_get_document(actor: Actor, case: Case) -> bool:
    """The document goes from the school to the receiving organisation (R-HO-1): only they get it.
    Other partners who see the case (RMC, Leerplicht, SWV, route coordinator) read it on screen."""
    if permissions.is_case_school(actor, case):
        return True
    handover = handover_of(case)
    return handover is not None and permissions.may_accept_handover(
        actor, handover.receiving_organisation_id
    )


def document_context(actor: Actor, case: Case, *, now: dt.datetime | None = None) -> dict:
    """Everything the document shows, read in a fixed number of queries."""
    case = Case.objects.select_related(
        "student__school__region",
        "student__mentor",
        "handover__receiving_organisation",
        "handover__accepted_by",
        "deregistration",
    ).get(pk=case.pk)
    student = case.student
    handover = getattr(case, "handover", None) if hasattr(case, "handover") else None
    deregistration = (
        getattr(case, "deregistration", None) if hasattr(case, "deregistration") else None
    )
    organisation_id = actor.primary_organisation_id()
    generated_by_organisation = (
        Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    )
    on = today()
    return {
        "case": case,
        "student": student,
        "age": student.age_on(on),
        "may_see_pgn": actor.may_see_pgn,
        "school": student.school,
        "region": student.school.region,
        "mentor": student.mentor,
        "guardians": list(student.guardians.order_by("name", "id")),
        "involvements": list(
            case.involvements.select_related("organisation").order_by("organisation__kind", "id")
        ),
        "agenda_items": list(
            case.agenda_items.select_related("meeting", "decision")
            .prefetch_related("advice__organisation")
            .order_by("meeting__scheduled_on", "id")
        ),
        "aba_applications": list(case.aba_applications.order_by("submitted_on", "id")),
        "provisions": list(
            case.provisions.select_related("employment__employer").order_by(
                "kind", "status_on", "id"
            )
        ),
        "employments": list(
            case.employments.select_related("employer").order_by("starts_on", "id")
        ),
        "exemptions": list(case.exemptions.order_by("decided_on", "id")),
        "handover": handover,
        "deregistration": deregistration,
        "generated_at": now or timezone.now(),
        "generated_by": actor.user,
        "generated_by_organisation": generated_by_organisation,
    }


def document_html(context: dict) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string("route/handover_document.html", context)


def document_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # Nothing is fetched: no files, no network (allowed_protocols=[] refuses every URL).
    fetcher = URLFetcher(allowed_protocols=[])
    with translation.override(DOCUMENT_LANGUAGE):
        css = CSS(string=stylesheet(), url_fetcher=fetcher)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    # PDF/UA-1: tagged, with language and title, so screen readers can read it (EN 301 549)
    return document.write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1")


def handover_document_generate(*, actor, student_id: int, base_url: str = "") -> tuple[Case, bytes]:
    """The PDF of the student's case, if the actor may see it (else NotFound); logs the read and
    records the event on the timeline (R-END-2)."""
    actor = as_actor(actor)
    case = _case_for_student(actor, student_id)
    context = document_context(actor, case)
    from routearbeid.portal.documents import handover_document_portal

    # the youth's report page link and QR code (made here when the school has not made one yet)
    context["portal"] = handover_document_portal(actor=actor, case=case, base_url=base_url)
    pdf = document_pdf(document_html(context))
    with transaction.atomic():
        case_processing_log(actor, case, "route.handover", "read")
        timeline_append(case=case, actor=actor, kind="handover_document")
    return case, pdf


@never_cache
@login_required
@require_GET
def handover_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    try:
        case, pdf = handover_document_generate(
            actor=request.user, student_id=student_id, base_url=request.build_absolute_uri("/")
        )
    except NotFound:
        raise Http404 from None
    student = case.student
    name = slugify(f"{student.first_name} {student.last_name}") or str(student.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="overdrachtsdocument-{name}.pdf"'
    return response
