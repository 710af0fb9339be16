"""Demo data of the pipeline area (see onboarding/demo.py): a cohort on "Front desk 2026" across every stage.

ClearView's existing agents (CV-1001 … CV-1005) get onboardings matching their status, and four new candidates
join: one in vetting, one interviewing, one who failed vetting and one who withdrew during interviews. Their past
moves are written as history dated over the last months (the board's median days read it); today's moves — the
drop-outs — go through onboarding.services.pipeline. Later areas find the onboardings in
`context["onboardings"]`, keyed by the agent's employee ref.
"""

from datetime import timedelta

from django.utils import timezone

from engagements.choices import AgentStatus
from engagements.models import Agent, Engagement
from onboarding.choices import OffboardReason, SourcingChannel
from onboarding.models import Onboarding, StageChange
from onboarding.services import pipeline

ENGAGEMENT = "Front desk 2026"

# employee ref → (full name, the stage they reach through the history, sourcing channel, days each stage took)
COHORT = {
    "CV-1001": ("Angelica Cruz", AgentStatus.LIVE, SourcingChannel.REFERRAL, [6, 12, 9, 30, 42]),
    "CV-1002": ("Jose Ramirez", AgentStatus.LIVE, SourcingChannel.JOB_BOARD, [4, 15, 11, 28, 35]),
    "CV-1003": ("Kristine dela Cruz", AgentStatus.RAMP, SourcingChannel.AGENCY, [5, 10, 8, 26]),
    "CV-1004": ("Mark Villanueva", AgentStatus.TRAINING, SourcingChannel.RECRUITER, [3, 9, 7]),
    "CV-1005": ("Joy Bautista", AgentStatus.CANDIDATE, SourcingChannel.JOB_BOARD, []),
    "CV-1006": ("Maria Santos", AgentStatus.VETTING, SourcingChannel.REFERRAL, [4]),
    "CV-1007": ("Paolo Reyes", AgentStatus.INTERVIEWING, SourcingChannel.JOB_BOARD, [2, 8]),
    "CV-1008": ("Liza Gomez", AgentStatus.VETTING, SourcingChannel.AGENCY, [3]),
    "CV-1009": ("Ramon Dizon", AgentStatus.INTERVIEWING, SourcingChannel.RECRUITER, [5, 9]),
}
# Who leaves today, and why: the board's drop-outs.
DROP_OUTS = {
    "CV-1008": (OffboardReason.FAILED_VETTING, "Typing below the profile's pass mark twice."),
    "CV-1009": (OffboardReason.WITHDREW, "Accepted another offer after the first interview round."),
}


def seed(context: dict) -> None:
    engagement = Engagement.objects.select_related("provider").filter(name=ENGAGEMENT).first()
    if engagement is None:
        return
    managers = context.get("signal", {}).get("managers", {})
    manager = managers.get(engagement.provider)
    context["engagement"] = engagement
    onboardings = {}
    for ref, (name, stage, channel, days) in COHORT.items():
        agent = _agent(engagement, ref, name)
        onboardings[ref] = _placed(engagement, agent, stage, channel, days, manager)
    context["onboardings"] = onboardings
    context["drop_outs"] = DROP_OUTS
    context["pipeline_manager"] = manager


def offboard_drop_outs(context: dict) -> None:
    """Called by the vetting demo once the drop-outs' results are on record (a failed typing test first)."""
    manager = context.get("pipeline_manager")
    for ref, (reason, note) in DROP_OUTS.items():
        onboarding = context.get("onboardings", {}).get(ref)
        if onboarding is not None and not onboarding.is_offboarded and manager is not None:
            pipeline.offboard(onboarding, reason, by=manager, note=note)


def _agent(engagement, ref, name) -> Agent:
    agent, _ = Agent.objects.get_or_create(
        provider=engagement.provider,
        employee_ref=ref,
        defaults={
            "full_name": name,
            "status": AgentStatus.CANDIDATE,
            "country": "PH",
            "languages": "English, Tagalog",
            "email": f"{ref.lower()}@clearview.example",
        },
    )
    return agent


def _placed(engagement, agent, stage, channel, days, manager) -> Onboarding:
    """The onboarding with its history: entered as a candidate sum(days) + 2 days ago, each stage taking its days."""
    existing = Onboarding.objects.filter(agent=agent, engagement=engagement).first()
    if existing is not None:  # a second seed_demo run changes nothing
        return existing
    now = timezone.now()
    at = now - timedelta(days=sum(days) + 2)
    path = pipeline.PATH[: pipeline.PATH.index(stage) + 1]
    onboarding = Onboarding.objects.create(
        agent=agent,
        engagement=engagement,
        stage=stage,
        sourcing_channel=channel,
        time_zone="Asia/Manila",
        created_by=manager,
        stage_entered_at=at,
    )
    previous = ""
    for index, to_stage in enumerate(path):
        StageChange.objects.create(
            onboarding=onboarding, from_stage=previous, to_stage=to_stage, changed_at=at, changed_by=manager
        )
        onboarding.stage_entered_at = at
        previous = to_stage
        if index < len(days):
            at += timedelta(days=days[index])
    onboarding.save(update_fields=["stage_entered_at"])
    pipeline.sync_agent_status(agent)
    return onboarding
