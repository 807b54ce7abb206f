import time
from dataclasses import astuple, fields

from django.conf import settings

from routearbeid.core.dates import today
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import Role

BADGE = "worklist_badge"  # the session key of the kept count


def worklist(request):
    """The count beside "Worklist" in the navigation, only when logged in.

    Counting costs up to five COUNT queries (aftercare.selectors.worklist_counts), 6-15 ms of SQL
    at 1,000,000 cases, so no page waits for it. The numbers are kept in the user's session
    (whose expiry is moved on at most once a minute anyway; core.middleware) for
    settings.ROUTEARBEID_BADGE_SECONDS (60) and shown from there. When none are kept (the first
    page, a minute later, a new day, after the user's own write: WorklistBadgeMiddleware drops
    them on any POST) the page is sent without them and the navigation loads the badge from
    aftercare.views.worklist_badge as soon as the page is there (core/_worklist_badge.html), which
    counts and keeps them. The worklist page counts its sections anyway and leaves the numbers on
    the request; those are shown and kept (the session written only when they changed or the
    kept ones are old). A section longer than its first page takes its size from the kept
    numbers while they are fresh (aftercare.views._section); those keep the time they were
    counted at, so that no number is older than the minute. The session is per user and shared
    by every server process, so no process shows another's or an older count. Without JavaScript the badge shows only while
    kept (after a visit to the worklist, which lists the same numbers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/beheer/"):
        return {}
    actor = actor_for(user)
    return {
        "worklist_counts": _badge(request),
        # a page swapped in by htmx (a form posted in place) brings its badge along out of band
        "worklist_badge_oob": bool(request.headers.get("HX-Request")),
        "may_see_employers": actor.works_on_cases,
        "may_see_youth": actor.works_on_meetings,
        # R-RMC-1: the monitoring list of the RMC's own region
        "may_see_monitoring": actor.has_role(Role.RMC_OFFICER),
        "may_see_privacy": actor.has_role(Role.PRIVACY_OFFICER),
    }


def kept_badge(request):
    """The numbers kept in the session and the time they were counted at, while fresh (counted
    today, less than ROUTEARBEID_BADGE_SECONDS ago); None otherwise."""
    from routearbeid.aftercare.selectors import WorklistCounts

    session = getattr(request, "session", None)
    kept = session.get(BADGE) if session is not None else None
    if not isinstance(kept, dict) or kept.get("on") != today().isoformat():
        return None
    try:
        at = float(kept.get("at", 0))
        if not 0 <= time.time() - at < settings.ROUTEARBEID_BADGE_SECONDS:
            return None
        numbers = kept["counts"]
        if len(numbers) != len(fields(WorklistCounts)):
            return None  # kept by a version with other sections: counted again
        return WorklistCounts(*numbers), at
    except (KeyError, TypeError, ValueError):
        return None


def _badge(request):
    """The badge's numbers when they are at hand without counting: counted by this request (the
    worklist, the badge itself: request.worklist_counts) or kept and fresh. None otherwise."""
    counts = getattr(request, "worklist_counts", None)
    kept = kept_badge(request)
    if counts is None:
        return kept[0] if kept else None
    numbers = list(astuple(counts))
    # The worklist counts anyway: the session is written only when its numbers differ from the
    # kept ones or those are old, not on every view of the worklist (a session UPDATE each).
    # Numbers the worklist took from the kept ones keep the time those were counted at
    # (request.worklist_counted_at), so that they are counted again after the minute.
    session = getattr(request, "session", None)
    if session is not None and (kept is None or list(astuple(kept[0])) != numbers):
        at = getattr(request, "worklist_counted_at", None) or time.time()
        session[BADGE] = {"on": today().isoformat(), "at": at, "counts": numbers}
    return counts


def forget_badge(request) -> None:
    session = getattr(request, "session", None)
    if session is not None and BADGE in session:
        del session[BADGE]
