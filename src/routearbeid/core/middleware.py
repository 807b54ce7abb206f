"""Middleware of the product's own."""

import time

from django.conf import settings

from routearbeid.core.context_processors import forget_badge

TOUCHED = "routearbeid:touched"


class WorklistBadgeMiddleware:
    """A write by the user (any request but GET, HEAD and OPTIONS) drops the worklist's count kept
    in the session, so the next page counts again: recording a check-in or answering a request
    shows in the navigation at once (core/context_processors.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            forget_badge(request)
        return self.get_response(request)


class SessionTouchMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) moves with the user's requests, but the session is
    saved for it at most once per ROUTEARBEID_SESSION_TOUCH_SECONDS, not on every request (issue
    #7: an UPDATE and a commit per page). So an idle session ends between SESSION_COOKIE_AGE minus
    that many seconds and SESSION_COOKIE_AGE after the last request, never later. A session that
    changes for another reason is saved as before. Listed after SessionMiddleware, which saves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            touched = session.get(TOUCHED)
            if not (
                isinstance(touched, int)
                and 0 <= now - touched < settings.ROUTEARBEID_SESSION_TOUCH_SECONDS
            ):
                session[TOUCHED] = now
        return response
