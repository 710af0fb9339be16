"""Coaching and action plans.

A failing audit suggests a plan (`suggest_from_audit`: the failed criteria become its items); either side's
managers start it; the plan schedules a follow-up audit (an assignment in its owner's queue, or the least loaded
auditor's); the first audit of the agent on or after the follow-up date closes it — passed: effective, failed:
not effective, which prompts a new plan (`previous_plan`) or an escalation. Open plans past their due date are
reminders to both sides' managers.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits import access
from audits.choices import AssignmentKind, PlanStatus
from audits.models import ActionPlan, ActionPlanItem, AuditAssignment, Criterion, QualityAudit
from audits.services import sampling
from bpo_portal.errors import DomainError
from engagements.access import can_act_on, engagement_managers
from engagements.choices import ReminderKind
from engagements.locking import lock_row
from engagements.models import AgentAssignment
from engagements.notifications import notify
from engagements.reminders import BOTH, Due

PLAN_FIELDS = ("title", "owner", "due_on", "follow_up_on")


def _require_manager(by, engagement) -> None:
    if not can_act_on(by, engagement, "change"):
        raise DomainError("Only the engagement's managers (either side) write action plans.")


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if name == "__all__" else name) from None


@dataclass
class Suggestion:
    """What "Start an action plan" fills in from a failing audit."""

    engagement: object
    agent: object
    audits: list
    title: str
    items: list = field(default_factory=list)  # [{"description": str, "criteria": [Criterion]}]


def failed_criteria(audit: QualityAudit) -> list[Criterion]:
    """The audit's criteria rated below their maximum, critical ones first, in scorecard order."""
    rows = audit.ratings.select_related("criterion__section").filter(na=False, value__isnull=False)
    failed = [row.criterion for row in rows if row.value < row.criterion.rule().maximum]
    order = {c.pk: i for i, c in enumerate(audit.version.ordered_criteria())}
    return sorted(failed, key=lambda c: (not c.critical, order.get(c.pk, 0)))


def suggest_from_audit(audit: QualityAudit) -> Suggestion:
    failed = failed_criteria(audit)
    items = [
        {
            "description": f"Improve “{criterion.name}”" + (" (critical)" if criterion.critical else "") + ".",
            "criteria": [criterion],
        }
        for criterion in failed
    ]
    title = f"Coaching after audit #{audit.pk}: " + (failed[0].name if failed else "overall quality")
    return Suggestion(audit.engagement, audit.agent, [audit], title[:150], items)


def _check_owner(owner, engagement) -> None:
    membership = getattr(owner, "membership", None)
    if (
        membership is None
        or not owner.is_active
        or membership.is_agent
        or membership.role == "integration"
        or not (membership.practice_id == engagement.practice_id or membership.provider_id == engagement.provider_id)
    ):
        raise DomainError("The owner is one of the engagement's people (either side).", field="owner")


def _check_audits(audits, engagement, agent) -> None:
    for audit in audits:
        if audit.engagement_id != engagement.pk or audit.agent_id != agent.pk:
            raise DomainError(f"Audit #{audit.pk} is of another agent or engagement.", field="audits")
        if audit.is_calibration or not audit.is_scored:
            raise DomainError(f"Audit #{audit.pk} is not a submitted audit.", field="audits")


def _save_items(plan: ActionPlan, items) -> None:
    allowed = set(
        Criterion.objects.filter(section__version__scorecard__engagement=plan.engagement).values_list("pk", flat=True)
    )
    for position, item in enumerate(items):
        description = (item.get("description") or "").strip()
        if not description:
            raise DomainError("Each item says what to improve.", field="items")
        criteria = list(item.get("criteria") or [])
        if any((c.pk if hasattr(c, "pk") else int(c)) not in allowed for c in criteria):
            raise DomainError("An item's criteria come from this engagement's scorecards.", field="items")
        row = ActionPlanItem.objects.create(plan=plan, description=description, position=position)
        row.criteria.set(criteria)


def _schedule_follow_up(plan: ActionPlan) -> AuditAssignment:
    auditor = plan.owner if access.may_audit(plan.owner, plan.engagement) else None
    if auditor is None:
        auditors = sampling.auditors_of(sampling.policy_of(plan.engagement))
        auditor = sampling._least_loaded(auditors, sampling._open_load(auditors))
    return AuditAssignment.objects.create(
        engagement=plan.engagement,
        agent=plan.agent,
        week_start=sampling.week_start(plan.follow_up_on),
        slot=0,
        kind=AssignmentKind.FOLLOW_UP,
        plan=plan,
        auditor=auditor,
    )


@transaction.atomic
def create_plan(
    *, engagement, agent, by, title, owner, due_on: date, follow_up_on: date, audits=(), items=(), previous_plan=None
) -> ActionPlan:
    """Start an action plan for one of the engagement's agents, with at least one item, and schedule its
    follow-up audit."""
    _require_manager(by, engagement)
    if not AgentAssignment.objects.filter(engagement=engagement, agent=agent).exists():
        raise DomainError(f"{agent} is not assigned to this engagement.", field="agent")
    _check_owner(owner, engagement)
    audits = list(audits)
    _check_audits(audits, engagement, agent)
    today = sampling.today_of(engagement)
    if due_on < today:
        raise DomainError("The due date cannot be in the past.", field="due_on")
    if follow_up_on < today:
        raise DomainError("The follow-up date cannot be in the past.", field="follow_up_on")
    if not items:
        raise DomainError("Add at least one thing to improve.", field="items")
    if previous_plan is not None and (
        previous_plan.agent_id != agent.pk or previous_plan.engagement_id != engagement.pk
    ):
        raise DomainError("The previous plan is another agent's.", field="previous_plan")
    plan = ActionPlan(
        engagement=engagement,
        agent=agent,
        title=title,
        owner=owner,
        due_on=due_on,
        follow_up_on=follow_up_on,
        previous_plan=previous_plan,
        created_by=by,
    )
    _clean(plan, exclude=["engagement", "agent", "owner", "previous_plan", "created_by", "follow_up_audit"])
    plan.save()
    plan.causing_audits.set(audits)
    _save_items(plan, items)
    _schedule_follow_up(plan)
    return plan


def _locked_open(plan: ActionPlan, by) -> ActionPlan:
    plan = lock_row(ActionPlan, plan.pk, engagement="engagement_id", related=("engagement__practice",))
    _require_manager(by, plan.engagement)
    if not plan.is_open:
        raise DomainError(f"This plan is {plan.get_status_display().lower()}; it no longer changes.")
    return plan


@transaction.atomic
def update_plan(plan: ActionPlan, *, by, **fields) -> ActionPlan:
    """Change an open plan's title, owner, due date or follow-up date (the follow-up assignment moves with it)."""
    plan = _locked_open(plan, by)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(f"“{sorted(unknown)[0]}” cannot be changed here.")
    if "owner" in fields:
        _check_owner(fields["owner"], plan.engagement)
    today = sampling.today_of(plan.engagement)
    for name in ("due_on", "follow_up_on"):
        if name in fields and fields[name] != getattr(plan, name) and fields[name] < today:
            raise DomainError("The date cannot be in the past.", field=name)
    for name, value in fields.items():
        setattr(plan, name, value)
    _clean(plan, exclude=["engagement", "agent", "owner", "previous_plan", "created_by", "follow_up_audit"])
    plan.save()
    AuditAssignment.objects.filter(plan=plan, audit__isnull=True).update(
        week_start=sampling.week_start(plan.follow_up_on)
    )
    return plan


@transaction.atomic
def set_item_done(item: ActionPlanItem, *, done: bool, by) -> ActionPlanItem:
    _locked_open(item.plan, by)
    item.done = bool(done)
    item.save(update_fields=["done"])
    return item


def _first_follow_up_audit(plan: ActionPlan) -> QualityAudit | None:
    return (
        QualityAudit.objects.scored()
        .filter(
            engagement_id=plan.engagement_id,
            agent_id=plan.agent_id,
            interaction_date__gte=plan.follow_up_on,
            submitted_at__gte=plan.created_at,
        )
        .exclude(pk__in=plan.causing_audits.values("pk"))
        .order_by("interaction_date", "submitted_at", "pk")
        .first()
    )


def evaluate_plan(plan: ActionPlan) -> ActionPlan:
    """Close an open plan on its follow-up audit, if there is one yet: passed → effective, else not effective.
    Safe to call any number of times (inside the caller's transaction)."""
    plan = lock_row(ActionPlan, plan.pk, engagement="engagement_id")
    if not plan.is_open:
        return plan
    audit = _first_follow_up_audit(plan)
    if audit is None:
        return plan
    plan.status = PlanStatus.EFFECTIVE if audit.passed else PlanStatus.NOT_EFFECTIVE
    plan.follow_up_audit, plan.closed_at = audit, timezone.now()
    plan.save(update_fields=["status", "follow_up_audit", "closed_at"])
    assignment = AuditAssignment.objects.filter(plan=plan, audit__isnull=True).first()
    if assignment is not None and not AuditAssignment.objects.filter(audit=audit).exists():
        assignment.audit, assignment.done_at = audit, timezone.now()
        assignment.save(update_fields=["audit", "done_at"])
    if plan.status == PlanStatus.NOT_EFFECTIVE:
        notify(
            engagement_managers(plan.engagement),
            key=f"action-plan-not-effective-{plan.pk}",
            title=f"Action plan not effective: {plan.agent} failed the follow-up audit. Start a new plan or escalate.",
            url=plan.get_absolute_url(),
            engagement=plan.engagement,
        )
    return plan


def evaluate_for_audit(audit: QualityAudit) -> list[ActionPlan]:
    """After an audit is scored: evaluate the agent's open plans on that engagement."""
    if audit.is_calibration or not audit.is_scored:
        return []
    plans = ActionPlan.objects.open().filter(engagement_id=audit.engagement_id, agent_id=audit.agent_id)
    return [evaluate_plan(plan) for plan in plans]


@transaction.atomic
def cancel_plan(plan: ActionPlan, *, by, note: str) -> ActionPlan:
    plan = _locked_open(plan, by)
    if not (note or "").strip():
        raise DomainError("Say why the plan is cancelled.", field="outcome_note")
    plan.status, plan.closed_at, plan.outcome_note = PlanStatus.CANCELLED, timezone.now(), note.strip()
    plan.save(update_fields=["status", "closed_at", "outcome_note"])
    AuditAssignment.objects.filter(plan=plan, audit__isnull=True).delete()
    return plan


@transaction.atomic
def escalate_plan(plan: ActionPlan, *, by, note: str) -> ActionPlan:
    """A plan that was not effective is escalated: both sides' managers are told, with the note."""
    plan = lock_row(ActionPlan, plan.pk, engagement="engagement_id", related=("engagement",))
    _require_manager(by, plan.engagement)
    if plan.status != PlanStatus.NOT_EFFECTIVE:
        raise DomainError("Only a plan that was not effective is escalated.")
    if plan.escalated:
        raise DomainError("This plan is already escalated.")
    if not (note or "").strip():
        raise DomainError("Say what the escalation asks for.", field="outcome_note")
    plan.escalated, plan.outcome_note = True, note.strip()
    plan.save(update_fields=["escalated", "outcome_note"])
    notify(
        engagement_managers(plan.engagement),
        key=f"action-plan-escalated-{plan.pk}",
        title=f"Escalated: {plan.agent}'s action plan was not effective.",
        body=plan.outcome_note,
        url=plan.get_absolute_url(),
        engagement=plan.engagement,
    )
    return plan


def due_items(engagements, today: date):
    """Reminder source: open plans past their due date, to both sides' managers."""
    overdue = (
        ActionPlan.objects.open()
        .filter(engagement__in=engagements, due_on__lt=today)
        .select_related("engagement", "agent")
    )
    for plan in overdue:
        yield Due(
            kind=ReminderKind.ACTION_PLAN_OVERDUE,
            item=plan,
            due_on=plan.due_on,
            engagement=plan.engagement,
            side=BOTH,
            title=f"Action plan for {plan.agent} was due {plan.due_on:%b %-d}: {plan.title}",
            url=plan.get_absolute_url(),
        )
