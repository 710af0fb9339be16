"""Training's nightly job: tell the rules that rely on training about completions that expired today."""

from celery import shared_task


@shared_task
def announce_training_expiries():
    """Sends onboarding.signals.prerequisites_changed for each agent whose module expired today (safe to rerun)."""
    from onboarding.services import training

    return training.announce_expiries()
