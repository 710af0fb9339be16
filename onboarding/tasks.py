"""Onboarding's Celery tasks (found by autodiscovery through this module): each area's task, and the nightly run
that calls them in the order their effects build on each other."""

from celery import shared_task

from onboarding.tasks_ramp import evaluate_ramps
from onboarding.tasks_responsibilities import recheck_responsibilities
from onboarding.tasks_training import announce_training_expiries

__all__ = ["announce_training_expiries", "evaluate_ramps", "nightly_onboarding", "recheck_responsibilities"]


@shared_task
def nightly_onboarding():
    """Expired training first (it suspends what requires it), then ramp results (a finished ramp makes an agent
    eligible), then every held responsibility against its prerequisites. Each step is idempotent, so a rerun or a
    retried night changes nothing twice."""
    announce_training_expiries()
    evaluate_ramps()
    recheck_responsibilities()
