"""Ramp's nightly job: re-evaluate every agent in ramp (new coaching flags, ramps that ended). Safe to run twice:
a flag is one row per onboarding and week, and a ramp's finish is recorded once."""

from celery import shared_task


@shared_task
def evaluate_ramps():
    from onboarding.services import ramp

    return ramp.evaluate_all()
