"""The agent's path onto an engagement: start an onboarding, move it one stage forward, offboard it.

Only the engagement's provider's managers (and portal admins) move candidates: the permission "assign_agents" on
the engagement. Every move checks the gate of the stage it enters (onboarding.gates, filled by the other areas),
locks the onboarding, records a StageChange, keeps the agent's own status in step and tells the other areas
(prerequisites_changed) and the webhooks (agent.stage_changed).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import engagements_for
from engagements.choices import AgentStatus
from engagements.locking import lock_engagement, lock_row
from engagements.models import AgentAssignment
from engagements.services import assign_agent, webhooks
from onboarding import gates
from onboarding.choices import OffboardReason, SourcingChannel
from onboarding.models import Onboarding, StageChange
from onboarding.signals import prerequisites_changed

# The path, in order; offboarded is reached from any of them.
PATH = [
    AgentStatus.CANDIDATE,
    AgentStatus.VETTING,
    AgentStatus.INTERVIEWING,
    AgentStatus.TRAINING,
    AgentStatus.RAMP,
    AgentStatus.LIVE,
]
STAGE_CHANGED = "agent.stage_changed"


class StageRefused(DomainError):
    """A move whose gate is not met: `missing` lists what is missing, in words a user can act on."""

    def __init__(self, to_stage: str, missing: list[str]):
        label = AgentStatus(to_stage).label
        super().__init__(f"Cannot move to {label} yet: {'; '.join(missing)}.", field="to_stage")
        self.missing = missing


def next_stage(stage: str) -> str | None:
    if stage not in PATH or stage == PATH[-1]:
        return None
    return PATH[PATH.index(stage) + 1]


def may_move(user, engagement) -> bool:
    """The engagement's provider's managers and portal admins move its candidates; everyone else only looks."""
    return engagements_for(user, "assign_agents").filter(pk=engagement.pk).exists()


def _require_mover(by, engagement) -> None:
    if not may_move(by, engagement):
        raise DomainError("Only the provider's managers move candidates along the pipeline of this engagement.")


@transaction.atomic
def start_onboarding(agent, engagement, *, by, sourcing_channel: str = "", time_zone: str = "", note: str = ""):
    """Put one of the provider's agents on the engagement's pipeline as a candidate."""
    _require_mover(by, engagement)
    engagement = lock_engagement(engagement)
    if agent.provider_id != engagement.provider_id:
        raise DomainError("Only the engagement's provider's own agents can onboard onto it.", field="agent")
    if engagement.is_ended:
        raise DomainError("The engagement has ended.")
    if sourcing_channel and sourcing_channel not in SourcingChannel.values:
        raise DomainError("Choose a sourcing channel from the list.", field="sourcing_channel")
    try:
        with transaction.atomic():
            onboarding = Onboarding.objects.create(
                agent=agent,
                engagement=engagement,
                stage=AgentStatus.CANDIDATE,
                sourcing_channel=sourcing_channel,
                time_zone=time_zone,
                created_by=by,
            )
    except IntegrityError:
        raise DomainError(f"{agent} is already on this engagement's pipeline.", field="agent") from None
    _record(onboarding, "", AgentStatus.CANDIDATE, by=by, note=note)
    return onboarding


@transaction.atomic
def move(onboarding, to_stage: str, *, by, note: str = "") -> Onboarding:
    """Move one stage forward along the path, when the stage's gate holds; nothing changes when refused."""
    _require_mover(by, onboarding.engagement)
    locked = _lock(onboarding)
    if to_stage == AgentStatus.OFFBOARDED:
        raise DomainError("Offboard with a reason (use offboard).", field="to_stage")
    if to_stage not in PATH:
        raise DomainError("Choose a stage of the path.", field="to_stage")
    if locked.is_offboarded:
        raise DomainError(f"{locked.agent} has been offboarded from this engagement; start a new onboarding instead.")
    expected = next_stage(locked.stage)
    if to_stage != expected:
        current = AgentStatus(locked.stage).label
        hint = f" The next stage is {AgentStatus(expected).label}." if expected else " This is the last stage."
        raise DomainError(f"From {current} a candidate moves one stage forward only.{hint}", field="to_stage")
    missing = gates.missing_for(locked, to_stage)
    if missing:
        raise StageRefused(to_stage, missing)
    if to_stage == AgentStatus.RAMP:
        _ensure_assigned(locked, by)
    from_stage = locked.stage
    locked.stage, locked.stage_entered_at = to_stage, timezone.now()
    locked.save(update_fields=["stage", "stage_entered_at"])
    _record(locked, from_stage, to_stage, by=by, note=note)
    _copy_back(onboarding, locked)
    return locked


@transaction.atomic
def offboard(onboarding, reason: str, *, by, note: str = "") -> Onboarding:
    """Take the agent off the engagement's path from any stage, with a reason."""
    _require_mover(by, onboarding.engagement)
    if reason not in OffboardReason.values:
        raise DomainError("Say why the agent is offboarded.", field="reason")
    locked = _lock(onboarding)
    if locked.is_offboarded:
        raise DomainError(f"{locked.agent} has already been offboarded from this engagement.")
    from_stage = locked.stage
    locked.stage, locked.stage_entered_at = AgentStatus.OFFBOARDED, timezone.now()
    locked.offboard_reason, locked.offboard_note = reason, note
    locked.save(update_fields=["stage", "stage_entered_at", "offboard_reason", "offboard_note"])
    _record(locked, from_stage, AgentStatus.OFFBOARDED, by=by, note=note)
    _copy_back(onboarding, locked)
    return locked


def _lock(onboarding) -> Onboarding:
    return lock_row(Onboarding, onboarding.pk, engagement="engagement_id", related=("agent", "engagement"))


def _copy_back(original, locked) -> None:
    for field in ("stage", "stage_entered_at", "offboard_reason", "offboard_note"):
        setattr(original, field, getattr(locked, field))


def _ensure_assigned(onboarding, by) -> None:
    if not AgentAssignment.objects.filter(engagement=onboarding.engagement, agent=onboarding.agent).exists():
        assign_agent(onboarding.engagement, onboarding.agent, by=by)


def _record(onboarding, from_stage: str, to_stage: str, *, by, note: str) -> None:
    change = StageChange.objects.create(
        onboarding=onboarding, from_stage=from_stage, to_stage=to_stage, changed_by=by, note=note
    )
    sync_agent_status(onboarding.agent)
    prerequisites_changed.send(
        sender="onboarding.pipeline", agent=onboarding.agent, engagement=onboarding.engagement, cause="stage"
    )
    webhooks.emit(
        STAGE_CHANGED,
        onboarding.engagement,
        {
            "onboarding": onboarding.pk,
            "agent": onboarding.agent_id,
            "employee_ref": onboarding.agent.employee_ref,
            "from_stage": from_stage,
            "to_stage": to_stage,
            "offboard_reason": onboarding.offboard_reason,
            "changed_at": change.changed_at.isoformat(),
        },
    )


def agent_status_from(stages) -> str | None:
    """The agent's status from their onboardings' stages: the most advanced stage they are on anywhere, offboarded
    when every one is offboarded, None (leave it) with no onboarding at all."""
    stages = list(stages)
    active = [stage for stage in stages if stage in PATH]
    if active:
        return max(active, key=PATH.index)
    return AgentStatus.OFFBOARDED if stages else None


def sync_agent_status(agent) -> None:
    status = agent_status_from(Onboarding.objects.filter(agent=agent).values_list("stage", flat=True))
    if status and status != agent.status:
        agent.status = status
        agent.save(update_fields=["status"])
