"""Audit frequency that follows performance.

`band_for(agent, engagement)` says how often an agent is audited and why; `schedule_week` turns an engagement's
policy into that week's assignments, once per agent, week and slot (the database constraint makes a second
run — or a concurrent one — create nothing twice); an assignment is done by the audit that names it.

Bands, first match wins:
- a critical fail in the last `clean_weeks` weeks → critical (the highest count, until that many clean weeks);
- a ramping agent (`AgentStatus.RAMP`) → ramp;
- no scored audit in the last `trailing_weeks` weeks → below (audit more until there is a score);
- trailing mean score ≥ the mean pass mark of those audits' versions → on target, else below.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from audits import access
from audits.choices import AssignmentKind, Band
from audits.models import AuditAssignment, QualityAudit, SamplingPolicy
from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.choices import AgentStatus, Role
from engagements.locking import lock_engagement, lock_row
from engagements.models import Agent
from engagements.reminders import local_today

SCHEDULED_STATUSES = (AgentStatus.RAMP, AgentStatus.LIVE)
TWO_PLACES = Decimal("0.01")


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def today_of(engagement) -> date:
    return local_today(engagement.practice.timezone)


def policy_of(engagement) -> SamplingPolicy:
    """The engagement's policy, or the defaults (unsaved) until somebody sets one."""
    return SamplingPolicy.objects.filter(engagement=engagement).first() or SamplingPolicy(engagement=engagement)


@dataclass(frozen=True)
class BandResult:
    band: str
    per_week: int
    rule: str  # the rule that applied, in words
    trailing_score: Decimal | None
    pass_mark: Decimal | None
    audits: int
    last_critical_on: date | None

    @property
    def label(self) -> str:
        return Band(self.band).label

    @property
    def css(self) -> str:
        return {
            Band.ON_TARGET: "text-bg-success",
            Band.BELOW: "text-bg-warning",
            Band.RAMP: "text-bg-info",
            Band.CRITICAL: "text-bg-danger",
        }[self.band]


def _stats(engagement, agent_ids, today: date, policy: SamplingPolicy) -> dict:
    scored = QualityAudit.objects.scored().filter(engagement=engagement, agent_id__in=agent_ids)
    since = today - timedelta(weeks=policy.trailing_weeks)
    trailing = {
        row["agent_id"]: row
        for row in scored.filter(interaction_date__gt=since, interaction_date__lte=today)
        .values("agent_id")
        .annotate(score=Avg("score"), pass_mark=Avg("version__pass_mark"), audits=Count("pk"))
        .order_by()
    }
    critical_since = today - timedelta(weeks=policy.clean_weeks)
    critical = dict(
        scored.filter(critical_failed=True, interaction_date__gt=critical_since, interaction_date__lte=today)
        .values("agent_id")
        .annotate(last=Max("interaction_date"))
        .order_by()
        .values_list("agent_id", "last")
    )
    return {"trailing": trailing, "critical": critical}


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES)


def _band(agent: Agent, stats: dict, policy: SamplingPolicy) -> BandResult:
    row = stats["trailing"].get(agent.pk) or {}
    score, pass_mark = _decimal(row.get("score")), _decimal(row.get("pass_mark"))
    count, last_critical = row.get("audits", 0), stats["critical"].get(agent.pk)
    weeks = policy.trailing_weeks

    def result(band, rule):
        return BandResult(band, policy.per_week(band), rule, score, pass_mark, count, last_critical)

    if last_critical:
        until = last_critical + timedelta(weeks=policy.clean_weeks)
        return result(
            Band.CRITICAL,
            f"Critical fail on {last_critical:%Y-%m-%d}: the highest band until {until:%Y-%m-%d} "
            f"({policy.clean_weeks} clean weeks).",
        )
    if agent.status == AgentStatus.RAMP:
        return result(Band.RAMP, "Ramping up: audited at the ramp rate until live.")
    if not count:
        return result(Band.BELOW, f"No scored audit in the last {weeks} weeks: audited as below until there is one.")
    if score >= pass_mark:
        return result(Band.ON_TARGET, f"Trailing {weeks}-week score {score} is at or above the pass mark {pass_mark}.")
    return result(Band.BELOW, f"Trailing {weeks}-week score {score} is below the pass mark {pass_mark}.")


def bands_for(engagement, agents, today: date | None = None, policy: SamplingPolicy | None = None) -> dict:
    """{agent id: BandResult} for many agents, in two queries whatever their number."""
    agents = list(agents)
    policy = policy or policy_of(engagement)
    stats = _stats(engagement, [a.pk for a in agents], today or today_of(engagement), policy)
    return {agent.pk: _band(agent, stats, policy) for agent in agents}


def band_for(agent, engagement, today: date | None = None) -> BandResult:
    """Which band `agent` is in on `engagement`, how many audits a week that means, and why."""
    return bands_for(engagement, [agent], today)[agent.pk]


# --- The policy -------------------------------------------------------------------------------------------------------

POLICY_FIELDS = (
    "on_target_per_week",
    "below_per_week",
    "ramp_per_week",
    "critical_per_week",
    "trailing_weeks",
    "clean_weeks",
    "recognition_weeks",
    "active",
)


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


def eligible_auditors(engagement):
    """People who may run the engagement's audits: either side's managers."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        Q(membership__practice_id=engagement.practice_id) | Q(membership__provider_id=engagement.provider_id),
        membership__role=Role.MANAGER,
        is_active=True,
    )


@transaction.atomic
def save_policy(engagement, *, by, auditors=None, **fields) -> SamplingPolicy:
    """Set an engagement's sampling policy (either side's managers)."""
    if not can_act_on(by, engagement, "change"):
        raise DomainError("Only the engagement's managers (either side) set its sampling policy.")
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    lock_engagement(engagement)  # first in the lock order (engagements.locking); also one new policy at a time
    policy_pk = SamplingPolicy.objects.filter(engagement=engagement).values_list("pk", flat=True).first()
    policy = lock_row(SamplingPolicy, policy_pk, engagement="engagement_id") if policy_pk else None
    policy = policy or SamplingPolicy(engagement=engagement)
    for name, value in fields.items():
        setattr(policy, name, value)
    _clean(policy, exclude=["engagement"])
    policy.save()
    if auditors is not None:
        allowed = set(eligible_auditors(engagement).values_list("pk", flat=True))
        if any(user.pk not in allowed for user in auditors):
            raise DomainError("Auditors are managers of the engagement's practice or provider.", field="auditors")
        policy.auditors.set(auditors)
    return policy


# --- The weekly job ---------------------------------------------------------------------------------------------------


def auditors_of(policy: SamplingPolicy) -> list:
    """Who the week's assignments are spread over: the policy's auditors, else the provider's managers."""
    if policy.pk and policy.auditors.exists():
        return list(policy.auditors.filter(is_active=True).order_by("pk"))
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            membership__provider_id=policy.engagement.provider_id, membership__role=Role.MANAGER, is_active=True
        )
        .order_by("pk")
    )


def _open_load(auditors) -> dict:
    counts = dict(
        AuditAssignment.objects.open()
        .filter(auditor__in=auditors)
        .values("auditor_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("auditor_id", "n")
    )
    return {auditor.pk: counts.get(auditor.pk, 0) for auditor in auditors}


def _least_loaded(auditors, load: dict):
    if not auditors:
        return None
    return min(auditors, key=lambda auditor: (load[auditor.pk], auditor.pk))


def schedule_week(engagement, week: date | None = None) -> int:
    """Create the week's assignments for each of the engagement's ramping and live agents: as many slots as their
    band's audits a week, each given to the auditor with the fewest open assignments. Returns how many this run
    created. Each slot is inserted on its own; the (engagement, agent, week, slot) constraint refuses a slot that
    another run created first, so running twice — even at the same moment — creates nothing twice."""
    week = week_start(week or today_of(engagement))
    policy = policy_of(engagement)
    agents = list(
        Agent.objects.filter(assignments__engagement=engagement, status__in=SCHEDULED_STATUSES).order_by("pk")
    )
    bands = bands_for(engagement, agents, today=week - timedelta(days=1), policy=policy)
    existing = set(
        AuditAssignment.objects.filter(
            engagement=engagement, week_start=week, kind=AssignmentKind.SAMPLING
        ).values_list("agent_id", "slot")
    )
    auditors = auditors_of(policy)
    load = _open_load(auditors)
    created = 0
    for agent in agents:
        band = bands[agent.pk]
        for slot in range(1, band.per_week + 1):
            if (agent.pk, slot) in existing:
                continue
            auditor = _least_loaded(auditors, load)
            try:
                with transaction.atomic():
                    AuditAssignment.objects.create(
                        engagement=engagement, agent=agent, week_start=week, slot=slot, band=band.band, auditor=auditor
                    )
            except IntegrityError:
                continue  # another run created this slot first
            created += 1
            if auditor is not None:
                load[auditor.pk] += 1
    return created


def schedule_all(today: date | None = None) -> int:
    """The beat job: this week's assignments on every live engagement with an active (or default) policy."""
    from engagements.models import Engagement

    created = 0
    engagements = Engagement.objects.active().select_related("practice").exclude(sampling_policy__active=False)
    for engagement in engagements:
        created += schedule_week(engagement, today)
    return created


# --- Doing an assignment ----------------------------------------------------------------------------------------------


@transaction.atomic
def complete_assignment(assignment: AuditAssignment, audit: QualityAudit, *, by) -> AuditAssignment:
    """Mark an assignment done by the (scored) audit that names it."""
    assignment = lock_row(AuditAssignment, assignment.pk, engagement="engagement_id")
    if not access.may_audit(by, assignment.engagement):
        raise DomainError("Only the engagement's auditors can record what did an assignment.")
    if assignment.is_done:
        raise DomainError("This assignment is already done.")
    if audit.engagement_id != assignment.engagement_id or audit.agent_id != assignment.agent_id:
        raise DomainError("That audit is of another agent or engagement.", field="audit")
    if audit.is_calibration or not audit.is_scored:
        raise DomainError("Only a submitted audit (not a calibration) does an assignment.", field="audit")
    if AuditAssignment.objects.filter(audit=audit).exists():
        raise DomainError("That audit already did another assignment.", field="audit")
    assignment.audit, assignment.done_at = audit, timezone.now()
    assignment.save(update_fields=["audit", "done_at"])
    return assignment


def link_submitted_audit(audit: QualityAudit) -> AuditAssignment | None:
    """After an audit is submitted: it does the agent's open assignment of the week it was submitted in (the
    auditor's own first), else their oldest overdue one. Nothing when the audit already did one."""
    if audit.is_calibration or not audit.is_scored or AuditAssignment.objects.filter(audit=audit).exists():
        return None
    current = week_start(local_today(audit.engagement.practice.timezone, audit.submitted_at))
    lock_engagement(audit.engagement_id)  # the engagement before its rows (engagements.locking)
    candidates = list(
        AuditAssignment.objects.open()
        .select_for_update(of=("self",))
        .filter(engagement_id=audit.engagement_id, agent_id=audit.agent_id, week_start__lte=current)
    )
    if not candidates:
        return None
    candidates.sort(key=lambda a: (a.week_start != current, a.auditor_id != audit.auditor_id, a.week_start, a.slot))
    assignment = candidates[0]
    assignment.audit, assignment.done_at = audit, timezone.now()
    assignment.save(update_fields=["audit", "done_at"])
    return assignment


# --- Coverage ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    week_start: date
    due: int
    done: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None


def coverage(engagement, weeks: int = 2, today: date | None = None) -> list[Coverage]:
    """Assignments done vs due for the last `weeks` weeks, this week last; one query."""
    this_week = week_start(today or today_of(engagement))
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows = {
        row["week_start"]: row
        for row in AuditAssignment.objects.filter(engagement=engagement, week_start__in=starts)
        .values("week_start")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(audit__isnull=False)))
        .order_by()
    }
    return [Coverage(start, rows.get(start, {}).get("due", 0), rows.get(start, {}).get("done", 0)) for start in starts]
