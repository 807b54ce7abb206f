"""The report page's daily job (aftercare.tasks.DAILY_JOBS)."""

from __future__ import annotations

from . import ratelimit


def rate_counts_expire() -> dict[str, int]:
    """The rate limits' counts of windows that have passed are deleted."""
    return {"deleted": ratelimit.counts_expire()}
