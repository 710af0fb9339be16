"""The agent's path: one stage forward at a time, each through its gate; offboarded from anywhere with a reason.
A refused move changes nothing: not the stage, not the history, not the agent's status, not the audit log."""

import pytest
from auditlog.models import LogEntry

from bpo_portal.errors import DomainError
from engagements.choices import AgentStatus
from engagements.models import AgentAssignment
from engagements.models.webhooks import WebhookEvent
from onboarding import gates
from onboarding.models import Onboarding, StageChange
from onboarding.services import pipeline
from onboarding.signals import prerequisites_changed
from tests import factories
from tests.onboarding.pipeline.helpers import english_profile, moved_to, pass_vetting, started

pytestmark = pytest.mark.django_db


def snapshot(onboarding):
    onboarding = Onboarding.objects.select_related("agent").get(pk=onboarding.pk)
    return (
        onboarding.stage,
        onboarding.stage_entered_at,
        onboarding.offboard_reason,
        onboarding.agent.status,
        StageChange.objects.filter(onboarding=onboarding).count(),
        LogEntry.objects.count(),
    )


def refused(onboarding, call, match):
    before = snapshot(onboarding)
    with pytest.raises(DomainError, match=match):
        call()
    assert snapshot(onboarding) == before


def test_starting_puts_the_agent_on_the_pipeline_as_a_candidate(world):
    onboarding = started(world)
    assert onboarding.stage == AgentStatus.CANDIDATE
    change = onboarding.stage_changes.get()
    assert (change.from_stage, change.to_stage) == ("", AgentStatus.CANDIDATE)
    assert change.changed_by == world.provider_manager
    world.agent.refresh_from_db()
    assert world.agent.status == AgentStatus.CANDIDATE


def test_only_the_providers_managers_start_an_onboarding(world):
    for user in (world.practice_manager, world.provider_staff, world.other_provider_manager):
        with pytest.raises(DomainError, match="provider's managers"):
            pipeline.start_onboarding(world.agent, world.engagement, by=user)
    assert not Onboarding.objects.exists()


def test_another_providers_agent_cannot_onboard_and_nobody_twice(world):
    with pytest.raises(DomainError, match="provider's own agents"):
        pipeline.start_onboarding(world.other_agent, world.engagement, by=world.provider_manager)
    started(world)
    with pytest.raises(DomainError, match="already"):
        started(world)
    assert Onboarding.objects.count() == 1


def test_each_forward_move_records_who_when_and_keeps_the_agents_status(world, monkeypatch):
    onboarding = started(world)
    for to_stage in pipeline.PATH[1:]:
        before = onboarding.stage_entered_at
        onboarding = pipeline.move(onboarding, to_stage, by=world.provider_manager, note=f"to {to_stage}")
        assert onboarding.stage == to_stage and onboarding.stage_entered_at >= before
        last = onboarding.stage_changes.last()
        assert (last.to_stage, last.note, last.changed_by) == (to_stage, f"to {to_stage}", world.provider_manager)
        world.agent.refresh_from_db()
        assert world.agent.status == to_stage
    assert onboarding.stage_changes.count() == len(pipeline.PATH)


@pytest.mark.parametrize("stage", pipeline.PATH)
def test_no_skipping_and_no_going_back(world, stage):
    onboarding = started(world)
    onboarding = moved_to(world, onboarding, stage)
    for target in pipeline.PATH:
        if target == pipeline.next_stage(stage):
            continue
        refused(
            onboarding,
            lambda target=target: pipeline.move(onboarding, target, by=world.provider_manager),
            "one stage forward only",
        )


@pytest.mark.parametrize("stage", pipeline.PATH[1:])
def test_a_stage_whose_gate_is_not_met_refuses_and_says_what_is_missing(world, monkeypatch, stage):
    onboarding = moved_to(world, started(world), pipeline.PATH[pipeline.PATH.index(stage) - 1])
    monkeypatch.setattr(gates, "GATES", {stage: [("test", lambda o: ["the thing X", "the thing Y"])]})
    before = snapshot(onboarding)
    with pytest.raises(pipeline.StageRefused) as error:
        pipeline.move(onboarding, stage, by=world.provider_manager)
    assert error.value.missing == ["the thing X", "the thing Y"]
    assert "the thing X; the thing Y" in error.value.message
    assert snapshot(onboarding) == before


def test_vetting_refuses_interviewing_until_every_required_assessment_is_passed(world):
    english_profile(world)
    onboarding = moved_to(world, started(world), AgentStatus.VETTING)
    before = snapshot(onboarding)
    with pytest.raises(pipeline.StageRefused) as error:
        pipeline.move(onboarding, AgentStatus.INTERVIEWING, by=world.provider_manager)
    assert len(error.value.missing) == 2 and "no result yet" in error.value.missing[0]
    assert snapshot(onboarding) == before
    pass_vetting(world, onboarding)
    assert pipeline.move(onboarding, AgentStatus.INTERVIEWING, by=world.provider_manager).stage == "interviewing"


def test_practice_and_provider_staff_may_not_move(world):
    onboarding = started(world)
    for user in (world.practice_manager, world.practice_staff, world.provider_staff, world.outsider):
        refused(onboarding, lambda user=user: pipeline.move(onboarding, "vetting", by=user), "provider's managers")
        refused(onboarding, lambda user=user: pipeline.offboard(onboarding, "withdrew", by=user), "provider's managers")
    assert pipeline.move(onboarding, "vetting", by=world.admin).stage == "vetting"


@pytest.mark.parametrize("stage", pipeline.PATH)
def test_offboarding_from_any_stage_needs_a_reason(world, stage):
    onboarding = moved_to(world, started(world), stage)
    refused(onboarding, lambda: pipeline.offboard(onboarding, "", by=world.provider_manager), "Say why")
    refused(onboarding, lambda: pipeline.offboard(onboarding, "bored", by=world.provider_manager), "Say why")
    refused(onboarding, lambda: pipeline.move(onboarding, "offboarded", by=world.provider_manager), "reason")
    onboarding = pipeline.offboard(onboarding, "withdrew", by=world.provider_manager, note="took another job")
    assert (onboarding.stage, onboarding.offboard_reason, onboarding.offboard_note) == (
        "offboarded",
        "withdrew",
        "took another job",
    )
    assert onboarding.stage_changes.last().from_stage == stage


def test_an_offboarded_onboarding_moves_no_more(world):
    onboarding = pipeline.offboard(started(world), "failed_vetting", by=world.provider_manager)
    refused(onboarding, lambda: pipeline.move(onboarding, "vetting", by=world.provider_manager), "offboarded")
    refused(onboarding, lambda: pipeline.offboard(onboarding, "withdrew", by=world.provider_manager), "already")


def test_the_agents_status_is_their_most_advanced_stage_and_offboarded_only_when_every_one_is(world):
    second = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    first = moved_to(world, started(world), AgentStatus.TRAINING)
    other = started(world, engagement=second)
    world.agent.refresh_from_db()
    assert world.agent.status == AgentStatus.TRAINING
    pipeline.offboard(first, "moved", by=world.provider_manager)
    world.agent.refresh_from_db()
    assert world.agent.status == AgentStatus.CANDIDATE
    pipeline.offboard(other, "resigned", by=world.provider_manager)
    world.agent.refresh_from_db()
    assert world.agent.status == AgentStatus.OFFBOARDED


def test_entering_ramp_assigns_the_agent_to_the_engagement(world):
    agent = factories.make_agent(world.provider, full_name="Newcomer")
    onboarding = moved_to(world, started(world, agent=agent), AgentStatus.TRAINING)
    assert not AgentAssignment.objects.filter(agent=agent, engagement=world.engagement).exists()
    moved_to(world, onboarding, AgentStatus.RAMP)
    assert AgentAssignment.objects.filter(agent=agent, engagement=world.engagement).exists()
    moved_to(world, started(world), AgentStatus.RAMP)  # Ana is assigned already: nothing to add, no error
    assert AgentAssignment.objects.filter(agent=world.agent, engagement=world.engagement).count() == 1


def test_a_move_tells_the_other_areas_and_the_webhooks(world, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["agent"], kwargs["engagement"], kwargs["cause"]))

    prerequisites_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            onboarding = started(world)
            pipeline.move(onboarding, "vetting", by=world.provider_manager)
    finally:
        prerequisites_changed.disconnect(listener)
    assert heard == [(world.agent, world.engagement, "stage")] * 2
    events = WebhookEvent.objects.filter(event_type="agent.stage_changed").order_by("pk")
    assert [e.payload["to_stage"] for e in events] == ["candidate", "vetting"]
    assert events.last().payload["from_stage"] == "candidate"


def test_the_board_counts_each_stage_its_median_days_and_the_drop_outs(world):
    from datetime import timedelta

    from django.utils import timezone

    from onboarding.views.pipeline import board_columns

    start = timezone.now() - timedelta(days=30)
    for days_in_candidate, then in ((2, "vetting"), (4, "vetting"), (9, "offboarded")):
        onboarding = started(world, agent=factories.make_agent(world.provider))
        StageChange.objects.filter(onboarding=onboarding).update(changed_at=start)
        if then == "offboarded":
            pipeline.offboard(onboarding, "withdrew", by=world.provider_manager)
        else:
            pipeline.move(onboarding, then, by=world.provider_manager)
        StageChange.objects.filter(onboarding=onboarding, to_stage=then).update(
            changed_at=start + timedelta(days=days_in_candidate)
        )
    columns, drops = board_columns(world.engagement)
    by_stage = {column["stage"]: column for column in columns}
    assert by_stage["vetting"]["count"] == 2 and by_stage["candidate"]["count"] == 0
    assert by_stage["candidate"]["median_days"] == 4.0  # stays of 2, 4 and 9 days
    assert by_stage["candidate"]["dropouts"] == 1 and by_stage["vetting"]["median_days"] is None
    assert drops == [{"stage": "Candidate", "reason": "Withdrew", "count": 1}]


def test_the_agent_page_card_lists_the_onboardings_the_viewer_sees(world, rf):
    from onboarding.hooks.pipeline import agent_onboardings_card

    onboarding = started(world)
    for user, expected in ((world.practice_staff, [onboarding]), (world.outsider, [])):
        request = rf.get("/")
        request.user = user
        assert list(agent_onboardings_card(request, world.agent).context["onboardings"]) == expected
