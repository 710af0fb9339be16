"""Thin Celery tasks for quality audits; each calls a service and is safe to run twice."""

from celery import shared_task


@shared_task
def schedule_weekly_audits():
    """This week's audit assignments on every live engagement (the database constraint keeps reruns silent)."""
    from audits.services import sampling

    return sampling.schedule_all()


@shared_task
def close_due_calibrations():
    """Close calibration sessions whose deadline has passed."""
    from audits.services import calibration

    return calibration.close_due_sessions()
