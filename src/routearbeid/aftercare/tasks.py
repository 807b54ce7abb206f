"""Background tasks of aftercare (Django's tasks API; the database is the queue)."""

from django.tasks import task

from . import services


@task
def raise_signals() -> dict[str, int]:
    """Raise what has come due, then close cases whose aftercare ended (in that order, so the
    school still gets the "aftercare ends" signal of the last day)."""
    raised = services.signals_raise_due()
    closed = services.cases_close_due()
    return {"raised": raised, "closed": closed}
