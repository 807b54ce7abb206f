"""The worklist (/werkvoorraad/): the home page after login."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from routearbeid.core.dates import today
from routearbeid.organisations.actors import actor_for
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.constants import LegalBasis, Situation

from . import selectors

LIMIT = 100


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    signals = list(selectors.my_signals(actor)[:LIMIT])
    checkins = list(selectors.my_checkins(actor)[:LIMIT])
    involvements = list(selectors.my_involvement_requests(actor)[:LIMIT])
    actions = list(selectors.my_actions(actor)[:LIMIT])
    meetings = list(selectors.my_meetings(actor))
    student_ids = (
        [s.case.student_id for s in signals]
        + [c.case.student_id for c in checkins]
        + [i.case.student_id for i in involvements]
        + [a.agenda_item.case.student_id for a in actions]
    )
    if student_ids:
        processing_log_record(
            actor=actor, operation="read", activity="aftercare.signal", student_ids=student_ids
        )
    context = {
        "signals": signals,
        "checkins": checkins,
        "involvements": involvements,
        "actions": actions,
        "meetings": meetings,
        "today": today(),
        "situations": Situation.choices,
        "legal_task": LegalBasis.LEGAL_TASK,
        "nothing": not (signals or checkins or involvements or actions or meetings),
    }
    return render(request, "aftercare/worklist.html", context)
