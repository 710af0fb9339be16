"""Rows the pipeline's tests share: a hiring profile, passing results, an onboarding moved to a stage."""

from datetime import date
from decimal import Decimal

from onboarding.choices import AssessmentKind, CEFRLevel
from onboarding.services import pipeline, vetting

TODAY = date(2026, 11, 20)


def english_profile(world):
    """A profile that requires English B2 and typing 35 net WPM at 95 % accuracy."""
    vetting.set_requirement(world.engagement, AssessmentKind.ENGLISH, by=world.practice_manager, min_cefr=CEFRLevel.B2)
    vetting.set_requirement(
        world.engagement,
        AssessmentKind.TYPING,
        by=world.practice_manager,
        min_score=Decimal("35"),
        min_accuracy=Decimal("95"),
    )


def pass_vetting(world, onboarding):
    vetting.record_result(
        onboarding, AssessmentKind.ENGLISH, by=world.provider_manager, test_name="EF SET", taken_on=TODAY, raw_score=66
    )
    vetting.record_result(
        onboarding,
        AssessmentKind.TYPING,
        by=world.provider_manager,
        test_name="Typing.com",
        taken_on=TODAY,
        net_wpm=Decimal("42"),
        accuracy=Decimal("97"),
    )


def started(world, agent=None, engagement=None):
    return pipeline.start_onboarding(
        agent or world.agent, engagement or world.engagement, by=world.provider_manager, sourcing_channel="referral"
    )


def moved_to(world, onboarding, stage):
    """Move forward stage by stage up to `stage` (the gates registered by other areas must hold)."""
    while onboarding.stage != stage:
        onboarding = pipeline.move(onboarding, pipeline.next_stage(onboarding.stage), by=world.provider_manager)
    return onboarding
