"""Background task of students: writing a confirmed import (Django's tasks API)."""

from __future__ import annotations

from django.tasks import task

from . import services


def imports_expire() -> dict[str, int]:
    """The daily job (aftercare.tasks.DAILY_JOBS): abandoned uploads and old imports go."""
    return services.student_imports_expire()


@task
def student_import_run(import_id: int) -> dict[str, object]:
    """Write the confirmed import `import_id` in batches (students.services.student_import_write)."""
    batch = services.student_import_write(import_id=import_id)
    return {
        "status": batch.status,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "skipped": batch.skipped_count,
    }
