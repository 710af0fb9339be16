"""Thin Celery tasks of the responsibilities area; each calls a service and is safe to run twice.

Schedule `onboarding.tasks_responsibilities.recheck_responsibilities` nightly (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task
def recheck_responsibilities():
    """Suspend every held grant whose prerequisites lapsed by date (an expired module, a new document version in
    force) and lift the prerequisite suspensions that hold again. A second run changes nothing."""
    from onboarding.services import responsibilities

    return responsibilities.recheck_all()
