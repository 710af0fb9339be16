"""Rows the interviews tests share: a hiring profile with the default rounds and a candidate at interviewing."""

from datetime import timedelta

from django.utils import timezone

from engagements.choices import AgentStatus
from onboarding.models import HiringProfile
from onboarding.services import interviews as svc
from tests.onboarding.factories import make_onboarding


def rounds_for(engagement):
    profile = HiringProfile.objects.filter(engagement=engagement).first() or HiringProfile.objects.create(
        engagement=engagement
    )
    return svc.ensure_default_rounds(profile)


def candidate(world, stage=AgentStatus.INTERVIEWING, agent=None):
    return make_onboarding(world.engagement, agent=agent or world.agent, stage=stage)


def schedule(world, onboarding, round_, interviewers=None):
    return svc.schedule_interview(
        onboarding=onboarding,
        round=round_,
        scheduled_at=timezone.now() + timedelta(days=1),
        interviewers=interviewers or [world.provider_manager, world.practice_manager],
        by=world.provider_manager,
    )


def all_ratings(round_, value):
    return dict.fromkeys(round_.expected_skills, value)


def give(interview, user, value=4, cleared=True, **ratings):
    given = all_ratings(interview.round, value) | ratings
    return svc.submit_feedback(interview=interview, by=user, ratings=given, notes="Fine.", cleared=cleared)


def pass_round(world, onboarding, round_):
    interview = schedule(world, onboarding, round_)
    give(interview, world.provider_manager, 5)
    give(interview, world.practice_manager, 5)
    interview.refresh_from_db()
    return interview
