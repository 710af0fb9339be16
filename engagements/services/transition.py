"""The phased transition's rules: planning phases, keeping milestones, evaluating a phase's gate from measured KPIs,
and the practice's go / no-go that starts the next phase and brings its service lines into the live scope.

The gate reads the SLA engine's KPI values of closed periods through `slas.evidence`, the one door engagements
has into SLA results (DESIGN §2).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.choices import EngagementStatus, ReminderKind, ServiceCategory
from engagements.locking import lock_engagement, lock_row
from engagements.models import Engagement, GateCriterion, GateDecision, Membership, Milestone, TransitionPhase
from engagements.reminders import BOTH, Due
from engagements.services import webhooks
from slas import evidence

Status = TransitionPhase.Status
Outcome = GateDecision.Outcome

# The standard plan: peripheral lines first, then the revenue cycle, then back-office work; weeks per phase.
STANDARD_PLAN = [
    (ServiceCategory.PERIPHERAL, "Scheduling and customer service", 8),
    (ServiceCategory.REVENUE_CYCLE, "Revenue cycle", 12),
    (ServiceCategory.BACK_OFFICE, "Back office", 8),
]
STANDARD_GATE_PERIODS = 2


def practice_today(engagement: Engagement) -> date:
    """Today in the practice's own timezone: what decides whether a period is closed or a milestone overdue."""
    return timezone.now().astimezone(ZoneInfo(engagement.practice.timezone)).date()


def _require(user, engagement, permission: str, message: str) -> None:
    if not can_act_on(user, engagement, permission):
        raise DomainError(message)


def _require_not_ended(engagement) -> None:
    if engagement.is_ended:
        raise DomainError("This engagement has ended; its transition plan is kept as it was.")


def _clean(obj, exclude=None) -> None:
    """Model validation as a DomainError on the field a person has to fix."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        field_name, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field_name == "__all__" else field_name) from None


PRACTICE_ONLY = "Only the practice's managers can change the transition plan."
MANAGERS_ONLY = "Only the managers of either side can change milestones."


# --- Phases ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_phase(phase: TransitionPhase, *, by, service_lines=None) -> TransitionPhase:
    """Create or change a phase. Only the practice plans phases; a finished phase is kept as it was."""
    engagement = phase.engagement
    _require(by, engagement, "manage_contract", PRACTICE_ONLY)
    _require_not_ended(engagement)
    if phase.pk and TransitionPhase.objects.filter(pk=phase.pk, status=Status.DONE).exists():
        raise DomainError("This phase is done; it is kept as it was.")
    if phase.order is None:
        last = engagement.transition_phases.order_by("-order").values_list("order", flat=True).first()
        phase.order = (last or 0) + 1
    _clean(phase, exclude=["service_lines"])
    phase.save()
    if service_lines is not None:
        phase.service_lines.set(service_lines)
        if phase.is_active:  # an active phase's work is live already
            engagement.service_lines.add(*service_lines)
    return phase


@transaction.atomic
def delete_phase(phase: TransitionPhase, *, by) -> None:
    _require(by, phase.engagement, "manage_contract", PRACTICE_ONLY)
    if not phase.is_planned or phase.gate_decisions.exists():
        raise DomainError("Only a phase that has not started can be deleted; a started phase stays on record.")
    phase.delete()


@transaction.atomic
def create_standard_plan(engagement: Engagement, *, by, start: date | None = None) -> list[TransitionPhase]:
    """The seeds' path for an engagement without phases: its peripheral lines first (scheduling, customer-service
    overflow), then its revenue-cycle lines, then back-office work — one phase per category it has. Targets set on
    a phase's lines become its gate criteria (met for two periods in a row)."""
    _require(by, engagement, "manage_contract", PRACTICE_ONLY)
    _require_not_ended(engagement)
    engagement = lock_engagement(engagement)
    if engagement.transition_phases.exists():
        raise DomainError("This engagement already has a transition plan; change its phases instead.")
    lines = list(engagement.service_lines.all())
    if not lines:
        raise DomainError("Choose the engagement's service lines first: the standard plan hands them over in phases.")
    contract = getattr(engagement, "contract", None)
    start = start or (contract.starts_on if contract else practice_today(engagement))
    phases = []
    for category, name, weeks in STANDARD_PLAN:
        phase_lines = [line for line in lines if line.category == category]
        if not phase_lines:
            continue
        end = start + timedelta(weeks=weeks) - timedelta(days=1)
        phase = TransitionPhase.objects.create(
            engagement=engagement, name=name, order=len(phases) + 1, planned_start=start, planned_end=end
        )
        phase.service_lines.set(phase_lines)
        for target in engagement.sla_targets.filter(service_line__in=phase_lines):
            GateCriterion.objects.create(phase=phase, target=target, consecutive_periods=STANDARD_GATE_PERIODS)
        phases.append(phase)
        start = end + timedelta(days=1)
    return phases


def _activate(phase: TransitionPhase, today: date) -> None:
    phase.status, phase.actual_start = Status.ACTIVE, today
    phase.save(update_fields=["status", "actual_start", "updated_at"])
    phase.engagement.service_lines.add(*phase.service_lines.all())


@transaction.atomic
def start_transition(engagement: Engagement, *, by) -> TransitionPhase:
    """The practice starts the first phase: it becomes active today and its service lines go live.

    The engagement has to be transitioning already (its stage is moved on the engagement page, which needs a
    contract); the plan does not move the stage itself."""
    _require(by, engagement, "manage_contract", "Only the practice's managers can start the transition.")
    engagement = lock_engagement(engagement)
    if engagement.status != EngagementStatus.TRANSITIONING:
        raise DomainError(
            f"The engagement is {engagement.get_status_display().lower()}: move it to transitioning before starting "
            "the first phase."
        )
    phases = list(engagement.transition_phases.order_by("order", "pk"))
    if not phases:
        raise DomainError("Plan the phases first (or start from the standard plan).")
    if any(not phase.is_planned for phase in phases):
        raise DomainError("The transition has already started.")
    first = phases[0]
    first.engagement = engagement
    _activate(first, practice_today(engagement))
    return first


# --- Gate criteria ---------------------------------------------------------------------------------------------------


@transaction.atomic
def save_criterion(criterion: GateCriterion, *, by) -> GateCriterion:
    """Add or change what a phase's gate asks for: a target of the same engagement, met K periods in a row."""
    phase = criterion.phase
    _require(by, phase.engagement, "manage_contract", "Only the practice's managers can set gate criteria.")
    _require_not_ended(phase.engagement)
    if phase.is_done:
        raise DomainError("This phase's gate has been passed; its criteria are kept as they were.")
    if criterion.target_id and criterion.target.engagement_id != phase.engagement_id:
        raise DomainError("Choose a target of this engagement.", field="target")
    _clean(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def delete_criterion(criterion: GateCriterion, *, by) -> None:
    _require(by, criterion.phase.engagement, "manage_contract", "Only the practice's managers can set gate criteria.")
    if criterion.phase.is_done:
        raise DomainError("This phase's gate has been passed; its criteria are kept as they were.")
    criterion.delete()


# --- Milestones ------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_milestone(milestone: Milestone, *, by) -> Milestone:
    """Either side's managers add and change milestones. The owner is a name, or a person on either side."""
    engagement = milestone.phase.engagement
    _require(by, engagement, "change_engagement", MANAGERS_ONLY)
    _require_not_ended(engagement)
    if milestone.owner_user_id:
        on_a_side = Membership.objects.filter(
            Q(practice_id=engagement.practice_id) | Q(provider_id=engagement.provider_id),
            user_id=milestone.owner_user_id,
        ).exists()
        if not on_a_side:
            raise DomainError("The owner must be someone on either side of this engagement.", field="owner_user")
    elif not milestone.owner_name.strip():
        raise DomainError("Say who owns this milestone: a name, or a person on either side.", field="owner_name")
    _clean(milestone)
    milestone.save()
    return milestone


@transaction.atomic
def complete_milestone(milestone: Milestone, *, by) -> Milestone:
    milestone = lock_row(Milestone, milestone.pk, engagement="phase__engagement_id", related=("phase__engagement",))
    _require(by, milestone.phase.engagement, "change_engagement", MANAGERS_ONLY)
    if milestone.is_done:
        raise DomainError("This milestone is already done.")
    milestone.done_at, milestone.done_by = timezone.now(), by
    milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    return milestone


# --- Gate evaluation -------------------------------------------------------------------------------------------------


@dataclass
class PeriodEvidence:
    start: date
    end: date
    label: str
    value: Decimal | None
    sample_size: Decimal | None
    status: str  # a KPIStatus value, or "missing" when no KPI value exists for the period

    @property
    def met(self) -> bool:
        return self.status == "met"


@dataclass
class CriterionEvidence:
    criterion: GateCriterion
    periods: list[PeriodEvidence]  # the last K closed periods, oldest first

    @property
    def met(self) -> bool:
        return all(period.met for period in self.periods)

    @property
    def explanation(self) -> str:
        k = self.criterion.consecutive_periods
        if self.met:
            return f"Met in each of the last {k} closed period{'s' if k > 1 else ''}."
        missing = [p.label for p in self.periods if p.status == "missing"]
        failed = [f"{p.label} ({p.status})" for p in self.periods if not p.met and p.status != "missing"]
        parts = []
        if failed:
            parts.append("not met in " + ", ".join(failed))
        if missing:
            parts.append("no KPI value for " + ", ".join(missing))
        return f"Needs {k} met closed period{'s' if k > 1 else ''} in a row: " + "; ".join(parts) + "."


@dataclass
class GateEvaluation:
    phase: TransitionPhase
    today: date
    criteria: list[CriterionEvidence] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return bool(self.criteria) and all(item.met for item in self.criteria)

    @property
    def reason(self) -> str:
        if not self.criteria:
            return (
                "This gate has no criteria yet: add the SLA targets that must be met before the next phase starts. "
                "No criteria is no evidence."
            )
        unmet = [item for item in self.criteria if not item.met]
        if not unmet:
            return "Every criterion is met for its required consecutive periods."
        return f"{len(unmet)} of {len(self.criteria)} criteria not met: " + " ".join(
            f"{item.criterion.target.metric.name} — {item.explanation}" for item in unmet
        )

    def as_dict(self) -> dict:
        """The evaluation as plain data: the API's answer and the evidence kept with a gate decision."""
        return {
            "phase": self.phase.pk,
            "ready": self.ready,
            "reason": self.reason,
            "evaluated_on": self.today.isoformat(),
            "criteria": [
                {
                    "criterion": item.criterion.pk,
                    "target": item.criterion.target_id,
                    "metric": item.criterion.target.metric.code,
                    "threshold": item.criterion.target.describe_threshold(),
                    "period": item.criterion.target.period,
                    "consecutive_periods": item.criterion.consecutive_periods,
                    "met": item.met,
                    "explanation": item.explanation,
                    "periods": [
                        {
                            "start": period.start.isoformat(),
                            "end": period.end.isoformat(),
                            "label": period.label,
                            "value": None if period.value is None else str(period.value),
                            "sample_size": None if period.sample_size is None else str(period.sample_size),
                            "status": period.status,
                            "met": period.met,
                        }
                        for period in item.periods
                    ],
                }
                for item in self.criteria
            ],
        }


def closed_periods(engagement: Engagement, today: date, grain: str, count: int) -> list[date]:
    """The starts of the engagement's `count` latest closed periods (past their grace for late data), oldest
    first."""
    return [period.start for period in evidence.last_closed_periods(engagement, grain, count, today)]


def evaluate_gates(phases, today: date | None = None) -> dict[int, GateEvaluation]:
    """Each phase's gate from the KPI values, in two queries whatever the number of phases and criteria.

    A criterion is met when each of its target's last K closed periods has a KPI value judged *met* by the target
    as it stands now; the period under way (or still in its grace for late data) does not count, and a period
    without a KPI value is not met — no data is no evidence. A warning is not met: the gate opens on the agreed
    level, with the margin the warning threshold asks for."""
    phases = list(phases)
    evaluations, wanted = {}, {}
    criteria = GateCriterion.objects.filter(phase__in=phases).select_related("target__metric").order_by("pk")
    by_phase: dict[int, list[GateCriterion]] = {}
    for criterion in criteria:
        by_phase.setdefault(criterion.phase_id, []).append(criterion)
    starts_for = {}
    for phase in phases:
        day = today or practice_today(phase.engagement)
        evaluations[phase.pk] = GateEvaluation(phase, day)
        for criterion in by_phase.get(phase.pk, []):
            periods = evidence.last_closed_periods(
                phase.engagement, criterion.target.period, criterion.consecutive_periods, day
            )
            starts_for[criterion.pk] = periods
            wanted.setdefault(criterion.target_id, []).extend(periods)
    kpis = evidence.closed_kpi_values(wanted) if starts_for else {}
    for phase in phases:
        for criterion in by_phase.get(phase.pk, []):
            target, periods = criterion.target, []
            for period in starts_for[criterion.pk]:
                kpi = kpis.get((target.pk, period.start))
                periods.append(
                    PeriodEvidence(
                        start=period.start,
                        end=period.end,
                        label=period.label,
                        value=kpi.value if kpi else None,
                        sample_size=kpi.sample_size if kpi else None,
                        status=evidence.judge(target, kpi),
                    )
                )
            evaluations[phase.pk].criteria.append(CriterionEvidence(criterion, periods))
    return evaluations


def evaluate_gate(phase: TransitionPhase, today: date | None = None) -> GateEvaluation:
    return evaluate_gates([phase], today)[phase.pk]


# --- Gate decisions --------------------------------------------------------------------------------------------------


@transaction.atomic
def record_gate_decision(phase: TransitionPhase, *, by, outcome: str, note: str = "") -> GateDecision:
    """The practice's go or no-go at the active phase's gate, kept as history with the evidence.

    Go needs a ready gate: the phase is done today, the next phase starts today and its service lines join the
    live scope — all or nothing. No-go keeps the phase active and needs a reason."""
    phase = lock_row(TransitionPhase, phase.pk, engagement="engagement_id", related=("engagement__practice",))
    engagement = phase.engagement
    _require(by, engagement, "manage_contract", "Only the practice's managers can decide a phase's gate.")
    _require_not_ended(engagement)
    if outcome not in Outcome.values:
        raise DomainError("Choose go or no-go.", field="outcome")
    if not phase.is_active:
        raise DomainError(
            f"This phase is {phase.get_status_display().lower()}; only the active phase's gate can be decided."
        )
    if outcome == Outcome.NO_GO and not note.strip():
        raise DomainError("Say why it is a no-go, so both sides know what has to change.", field="note")
    today = practice_today(engagement)
    evaluation = evaluate_gate(phase, today)
    if outcome == Outcome.GO:
        if not evaluation.ready:
            raise DomainError(f"The gate is not ready, so it cannot be a go. {evaluation.reason}")
        phase.status, phase.actual_end = Status.DONE, today
        phase.save(update_fields=["status", "actual_end", "updated_at"])
        following = engagement.transition_phases.filter(order__gt=phase.order, status=Status.PLANNED)
        upcoming = following.order_by("order", "pk").first()
        if upcoming is not None:
            upcoming.engagement = engagement
            _activate(upcoming, today)
    decision = GateDecision.objects.create(
        phase=phase, outcome=outcome, note=note, evidence=evaluation.as_dict(), decided_by=by
    )
    webhooks.emit("gate.decided", engagement, {"phase": phase.pk, "gate_decision": decision.pk, "outcome": outcome})
    return decision


def next_phase(phase: TransitionPhase) -> TransitionPhase | None:
    return (
        TransitionPhase.objects.filter(engagement_id=phase.engagement_id, order__gt=phase.order)
        .order_by("order", "pk")
        .first()
    )


# --- Reminders -------------------------------------------------------------------------------------------------------


def due_items(engagements, today: date):
    """Open milestones whose due date has passed: due the day after their due date, to both sides' managers."""
    overdue = (
        Milestone.objects.overdue(today)
        .filter(phase__engagement__in=engagements)
        .select_related("phase__engagement")
        .order_by("due_on", "pk")
    )
    for milestone in overdue:
        engagement = milestone.phase.engagement
        yield Due(
            kind=ReminderKind.MILESTONE_OVERDUE,
            item=milestone,
            due_on=milestone.due_on + timedelta(days=1),
            engagement=engagement,
            side=BOTH,
            title=f"Milestone overdue since {milestone.due_on:%-d %b %Y}: {milestone.title} ({engagement.name})",
            url=milestone.get_absolute_url(),
            level="danger",
        )
