"""Background task of the route (Django's tasks API; the database is the queue)."""

from __future__ import annotations

from django.tasks import task

from . import services


@task
def monitoring_ends_follow_region(region_id: int) -> dict[str, int]:
    """R-RMC-1: the region's age limit changed; its youth's monitoring ends follow it
    (services.monitoring_ends_follow). Enqueued by the region's admin page."""
    return {"moved": services.monitoring_ends_follow(region_id=region_id)}
