"""The interview rules: the pass rule with averages, the not-cleared veto, overrides, the order of rounds, who gives
feedback and when, and the gate to training."""

from decimal import Decimal

import pytest
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import AgentStatus
from onboarding import gates
from onboarding.choices import InterviewStatus
from onboarding.models import HiringProfile, Interview, InterviewFeedback, InterviewRound
from onboarding.services import interviews as svc
from tests import factories
from tests.onboarding.interviews.helpers import candidate, give, pass_round, rounds_for, schedule

pytestmark = pytest.mark.django_db


def test_a_profile_without_rounds_gets_the_two_default_rounds_once(world):
    profile = HiringProfile.objects.create(engagement=world.engagement)
    first = svc.ensure_default_rounds(profile)
    again = svc.ensure_default_rounds(profile)
    assert [r.pk for r in first] == [r.pk for r in again]
    assert [(r.number, r.name) for r in first] == [
        (1, "Communication and fit"),
        (2, "In depth: behavioural questions and the practice's scenarios"),
    ]
    assert "Spoken English clarity" in first[0].expected_skills
    assert "Handling an upset patient" in first[1].expected_skills
    assert InterviewRound.objects.count() == 2


def test_a_round_passes_when_the_average_over_all_skills_and_interviewers_meets_the_expectation(world):
    round1, _ = rounds_for(world.engagement)  # expects 3.50
    interview = schedule(world, candidate(world), round1)
    skills = round1.expected_skills
    # provider manager: 3, 4, 4 (avg 3.67); practice manager: 3, 3, 4 (avg 3.33); all six: 21 / 6 = 3.50
    give(interview, world.provider_manager, **{skills[0]: 3, skills[1]: 4, skills[2]: 4})
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.SCHEDULED and interview.average is None  # one interviewer to go
    give(interview, world.practice_manager, **{skills[0]: 3, skills[1]: 3, skills[2]: 4})
    interview.refresh_from_db()
    assert interview.average == Decimal("3.50")
    assert interview.status == InterviewStatus.PASSED and interview.decided_at is not None


def test_a_round_below_the_expected_average_does_not_pass(world):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    skills = round1.expected_skills
    give(interview, world.provider_manager, **{skills[0]: 3, skills[1]: 4, skills[2]: 4})
    give(interview, world.practice_manager, **{skills[0]: 3, skills[1]: 3, skills[2]: 3})  # 20 / 6 = 3.33
    interview.refresh_from_db()
    assert interview.average == Decimal("3.33") and interview.status == InterviewStatus.FAILED


def test_one_not_cleared_fails_the_round_whatever_the_average(world):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    give(interview, world.provider_manager, 5)
    give(interview, world.practice_manager, 5, cleared=False)
    interview.refresh_from_db()
    assert interview.average == Decimal("5.00") and interview.status == InterviewStatus.FAILED


def test_a_provider_manager_overrides_a_failed_round_with_a_reason_kept(world):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    give(interview, world.provider_manager, 2)
    give(interview, world.practice_manager, 2, cleared=False)
    with pytest.raises(DomainError):
        svc.override(interview=interview, by=world.provider_manager, reason="   ")
    for refused in (world.practice_manager, world.provider_staff, world.admin):
        with pytest.raises(DomainError):
            svc.override(interview=interview, by=refused, reason="Because.")
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.FAILED and not interview.is_overridden
    svc.override(interview=interview, by=world.provider_manager, reason="Headset fault; re-heard the recording.")
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.PASSED
    assert interview.override_reason == "Headset fault; re-heard the recording."
    assert interview.overridden_by == world.provider_manager and interview.overridden_at is not None
    assert InterviewFeedback.objects.filter(interview=interview, cleared=False).count() == 1  # feedback unchanged


def test_only_a_decided_failed_round_can_be_overridden(world):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    with pytest.raises(DomainError, match="decided as not passed"):
        svc.override(interview=interview, by=world.provider_manager, reason="Skip it.")


def test_the_next_round_stays_locked_until_the_previous_passed(world):
    round1, round2 = rounds_for(world.engagement)
    onboarding = candidate(world)
    with pytest.raises(DomainError, match="has not passed yet"):
        schedule(world, onboarding, round2)
    first = schedule(world, onboarding, round1)
    with pytest.raises(DomainError, match="has not passed yet"):
        schedule(world, onboarding, round2)
    give(first, world.provider_manager, 2)
    give(first, world.practice_manager, 2)
    with pytest.raises(DomainError, match="has not passed yet"):
        schedule(world, onboarding, round2)  # failed is not passed
    assert Interview.objects.filter(round=round2).count() == 0
    svc.override(interview=first, by=world.provider_manager, reason="Strong references.")
    assert schedule(world, onboarding, round2).round == round2
    assert svc.next_round(onboarding) == round2


def test_feedback_comes_only_from_an_assigned_interviewer_once_each(world):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1, interviewers=[world.provider_manager, world.practice_staff])
    for stranger in (world.practice_manager, world.provider_staff, world.outsider, world.agent_user):
        with pytest.raises(DomainError, match="panel"):
            give(interview, stranger, 5)
    assert InterviewFeedback.objects.count() == 0
    give(interview, world.provider_manager, 2)
    give(interview, world.provider_manager, 4)  # a revision, not a second row, while the round is undecided
    assert InterviewFeedback.objects.get(interview=interview).average == Decimal("4.00")
    give(interview, world.practice_staff, 4)
    with pytest.raises(DomainError, match="decided"):
        give(interview, world.provider_manager, 1)
    assert InterviewFeedback.objects.filter(interview=interview).count() == 2


def test_feedback_needs_every_skill_rated_1_to_5(world):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    skills = round1.expected_skills
    bad = [
        {skills[0]: 4, skills[1]: 4},
        {**dict.fromkeys(skills, 4), skills[2]: 6},
        {**dict.fromkeys(skills, 4), skills[2]: 0},
        {**dict.fromkeys(skills, 4), "Typing": 3},
        {**dict.fromkeys(skills, 4), skills[0]: "3.5"},
    ]
    for ratings in bad:
        with pytest.raises(DomainError):
            svc.submit_feedback(interview=interview, by=world.provider_manager, ratings=ratings, cleared=True)
    assert InterviewFeedback.objects.count() == 0


def test_feedback_and_scheduling_only_while_interviewing(world):
    round1, _ = rounds_for(world.engagement)
    onboarding = candidate(world)
    interview = schedule(world, onboarding, round1)
    onboarding.stage = AgentStatus.OFFBOARDED
    onboarding.save()
    with pytest.raises(DomainError, match="only while they are interviewing"):
        give(interview, world.provider_manager, 5)
    vetting = candidate(world, stage=AgentStatus.VETTING, agent=factories.make_agent(world.provider))
    with pytest.raises(DomainError, match="only while they are interviewing"):
        schedule(world, vetting, round1)
    assert InterviewFeedback.objects.count() == 0 and Interview.objects.count() == 1


def test_interviewers_come_from_either_side_of_the_engagement_only(world):
    round1, _ = rounds_for(world.engagement)
    onboarding = candidate(world)
    for stranger in (world.outsider, world.other_provider_manager, world.agent_user):
        with pytest.raises(DomainError, match="not an active member"):
            schedule(world, onboarding, round1, interviewers=[world.provider_manager, stranger])
    world.practice_staff.is_active = False
    world.practice_staff.save()
    with pytest.raises(DomainError, match="not an active member"):
        schedule(world, onboarding, round1, interviewers=[world.practice_staff])
    with pytest.raises(DomainError, match="managers"):
        svc.schedule_interview(
            onboarding=onboarding,
            round=round1,
            scheduled_at=timezone.now(),
            interviewers=[world.practice_manager],
            by=world.provider_staff,
        )
    assert Interview.objects.count() == 0


def test_the_gate_to_training_lists_every_round_not_yet_passed(world):
    onboarding = candidate(world)
    # no hiring profile yet: the default rounds are what is required
    assert gates.missing_for(onboarding, "training") == [
        "Interview round 1 (Communication and fit) not passed yet.",
        "Interview round 2 (In depth: behavioural questions and the practice's scenarios) not passed yet.",
    ]
    round1, round2 = rounds_for(world.engagement)
    pass_round(world, onboarding, round1)
    assert gates.missing_for(onboarding, "training") == [
        "Interview round 2 (In depth: behavioural questions and the practice's scenarios) not passed yet."
    ]
    pass_round(world, onboarding, round2)
    assert gates.missing_for(onboarding, "training") == []


def test_a_round_with_ratings_keeps_its_skills_and_one_with_interviews_is_not_deleted(world):
    round1, round2 = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    svc.update_round(round1, by=world.practice_manager, name="Fit and communication")  # a name may change
    give(interview, world.provider_manager, 4)
    with pytest.raises(DomainError, match="add a new round"):
        svc.update_round(round1, by=world.practice_manager, expected_average=Decimal("4.5"))
    with pytest.raises(DomainError, match="record"):
        svc.delete_round(round1, by=world.practice_manager)
    with pytest.raises(DomainError, match="managers"):
        svc.delete_round(round2, by=world.practice_staff)
    svc.delete_round(round2, by=world.practice_manager)
    assert list(InterviewRound.objects.values_list("name", "expected_average")) == [
        ("Fit and communication", Decimal("3.50"))
    ]


def test_round_numbers_are_unique_per_profile_and_skills_needed(world):
    rounds_for(world.engagement)
    with pytest.raises(DomainError, match="already has a round"):
        svc.create_round(
            engagement=world.engagement,
            by=world.practice_manager,
            number=2,
            name="Again",
            expected_skills=["X"],
            expected_average=3,
        )
    with pytest.raises(DomainError, match="skill"):
        svc.create_round(
            engagement=world.engagement,
            by=world.practice_manager,
            number=3,
            name="Empty",
            expected_skills=[" "],
            expected_average=3,
        )
    with pytest.raises(DomainError):
        svc.create_round(
            engagement=world.engagement,
            by=world.practice_manager,
            number=3,
            name="Too high",
            expected_skills=["X"],
            expected_average=Decimal("5.5"),
        )
    assert InterviewRound.objects.count() == 2


def test_the_onboarding_page_shows_the_rounds_and_the_timeline_their_results(world, client):
    round1, _ = rounds_for(world.engagement)
    onboarding = candidate(world)
    pass_round(world, onboarding, round1)
    client.force_login(world.practice_staff)
    page = client.get(onboarding.get_absolute_url()).content.decode()
    assert 'data-testid="onboarding-interviews"' in page
    assert "Interview round 1 (Communication and fit): passed" in page
    assert "average 5.00 (needs 3.50)" in page


def test_the_home_page_asks_each_interviewer_for_their_own_pending_feedback(world, client):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1)
    client.force_login(world.practice_manager)
    assert "give your interview feedback on Ana Reyes" in client.get("/").content.decode()
    give(interview, world.practice_manager, 4)
    assert "give your interview feedback on Ana Reyes" not in client.get("/").content.decode()
    client.force_login(world.provider_staff)  # not on the panel
    assert "give your interview feedback" not in client.get("/").content.decode()


def test_the_engagement_page_links_its_interview_rounds(world, client):
    round1, _ = rounds_for(world.engagement)
    schedule(world, candidate(world), round1)
    client.force_login(world.practice_staff)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert 'data-testid="interviews-card"' in page
    assert f"/engagements/{world.engagement.pk}/interview-rounds/" in page
