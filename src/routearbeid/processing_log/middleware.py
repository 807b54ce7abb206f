from .trace import reset_trace_id, set_trace_id, trace_id_from_header


class TraceMiddleware:
    """Give every request a trace id, taken from `traceparent` when the client sends one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trace_id = trace_id_from_header(request.headers.get("traceparent"))
        request.trace_id = trace_id
        token = set_trace_id(trace_id)
        try:
            return self.get_response(request)
        finally:
            reset_trace_id(token)
