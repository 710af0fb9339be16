"""The interviews demo on "Front desk 2026": default rounds, passed rounds for agents past interviewing, one
candidate with round 1 passed and round 2 scheduled with a practice interviewer, one who failed round 1."""

import pytest

from engagements.choices import AgentStatus, Role
from onboarding import demo_interviews, gates
from onboarding.choices import InterviewStatus
from onboarding.models import Interview, InterviewRound, Onboarding
from tests import factories
from tests.onboarding.factories import make_onboarding

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_engagement(world):
    engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
    engagement.name = demo_interviews.ENGAGEMENT
    engagement.save()
    for ref, name in (("CV-1004", "Kim Candidate"), ("CV-1005", "Lee Candidate")):
        agent = factories.make_agent(world.provider, full_name=name, employee_ref=ref)
        make_onboarding(engagement, agent=agent, stage=AgentStatus.INTERVIEWING)  # as the pipeline's demo leaves them
    return engagement


def test_it_seeds_rounds_results_and_a_scheduled_round_two_for_the_pipelines_candidates(world, demo_engagement):
    demo_interviews.seed({})
    assert InterviewRound.objects.filter(hiring_profile__engagement=demo_engagement).count() == 2
    kim = Onboarding.objects.get(agent__full_name="Kim Candidate")
    lee = Onboarding.objects.get(agent__full_name="Lee Candidate")
    assert kim.stage == lee.stage == AgentStatus.INTERVIEWING
    assert dict(kim.interviews.values_list("round__number", "status")) == {
        1: InterviewStatus.PASSED,
        2: InterviewStatus.SCHEDULED,
    }
    round2 = kim.interviews.get(round__number=2)
    assert round2.interviewers.filter(membership__practice=world.practice, membership__role=Role.MANAGER).exists()
    failed = lee.interviews.get()
    assert failed.status == InterviewStatus.FAILED and failed.feedback.filter(cleared=False).exists()

    count = Interview.objects.count()
    demo_interviews.seed({})  # twice changes nothing
    assert Interview.objects.count() == count


def test_agents_already_in_training_get_their_rounds_passed(world, demo_engagement):
    trained = make_onboarding(demo_engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    demo_interviews.seed({"onboardings": [trained]})
    assert set(trained.interviews.values_list("status", flat=True)) == {InterviewStatus.PASSED}
    assert trained.interviews.count() == 2 and gates.missing_for(trained, "training") == []
