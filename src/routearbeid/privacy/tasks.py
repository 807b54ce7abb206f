"""Background task of privacy (Django's tasks API; the lead schedules it daily)."""

import logging

from django.tasks import task

from .retention import anonymise_expired, describe_result

logger = logging.getLogger(__name__)


def retention_due() -> dict[str, object]:
    """The daily job (aftercare.tasks.DAILY_JOBS): anonymise whose retention period ended."""
    return anonymise_expired_cases.call()


@task
def anonymise_expired_cases() -> dict[str, object]:
    """Anonymise the youth whose retention period ended (privacy/retention.py)."""
    result = anonymise_expired()
    logger.info(describe_result(result))
    return {"students": result.students, "cases": result.cases, "case_ids": result.case_ids}
