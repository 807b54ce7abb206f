"""Middleware of the product's own."""

from routearbeid.core.context_processors import forget_badge


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
