"""The API's daily job (aftercare.tasks.DAILY_JOBS)."""

from __future__ import annotations

from . import kept


def kept_counts_expire() -> dict[str, int]:
    """The case lists' sizes kept on earlier days are deleted."""
    return {"deleted": kept.counts_expire()}
