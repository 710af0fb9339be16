"""Provider compliance audits: every state change with a rule, the score, and the reminder source.

- The practice's managers set the frequency, start an audit (optionally from an earlier one as its baseline),
  record each requirement's result, raise findings and complete the audit.
- The provider's managers respond to findings and close corrective actions with their evidence; both sides'
  managers agree the corrective actions (owner, due date).
- Reminders (engagements/reminders.py, registered from AuditsConfig.ready): the next audit due, to the practice;
  an overdue corrective action, to both sides; and an overdue corrective action on a critical finding goes up the
  engagement's escalation path one level at a time, as an overdue SLA remediation does.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from audits.choices import (
    ComplianceAuditStatus,
    ComplianceFrequency,
    CorrectiveActionStatus,
    FindingSeverity,
    FindingStatus,
    RequirementResult,
)
from audits.models import (
    ComplianceAudit,
    ComplianceEvidence,
    ComplianceRequirement,
    ComplianceSchedule,
    CorrectiveAction,
    CorrectiveActionEscalation,
    Finding,
)
from audits.models.compliance import MANAGE_ACTIONS, engagements_allowing
from bpo_portal.errors import DomainError
from engagements.access import can_act_on, is_portal_admin, membership_of
from engagements.choices import ReminderKind, Side
from engagements.locking import lock_row
from engagements.models import EscalationLevel
from engagements.reminders import BOTH, Due
from engagements.services.communication import last_level, next_level


@dataclass(frozen=True)
class Requirement:
    key: str
    group: str
    title: str
    guidance: str


ACCESS, DEVICES, PEOPLE, GOVERNANCE = "Access control", "Devices and workplace", "People", "Governance"

# The starter checklist: what a practice asks of a provider that handles its patients' calls, records and claims.
STARTER_CHECKLIST: tuple[Requirement, ...] = (
    Requirement(
        "access_limited",
        ACCESS,
        "Access limited to the account's staff",
        "Only the agents and leads assigned to this engagement can reach the practice's systems and data.",
    ),
    Requirement(
        "mfa",
        ACCESS,
        "MFA on the practice's systems",
        "Every login to the practice's PM/EHR, clearinghouse and portals uses multi-factor authentication.",
    ),
    Requirement(
        "password_policy",
        ACCESS,
        "Password policy",
        "Unique accounts, no shared logins, length and rotation rules enforced, a password manager in use.",
    ),
    Requirement(
        "access_reviews",
        ACCESS,
        "Minimum-necessary access reviews",
        "Access rights are reviewed on a schedule and trimmed to what each role needs.",
    ),
    Requirement(
        "access_termination",
        ACCESS,
        "Termination of access on leaving",
        "Accounts are disabled the day someone leaves the account or the provider, with a record of it.",
    ),
    Requirement(
        "encryption",
        DEVICES,
        "Encrypted devices and transport",
        "Full-disk encryption on every device; VPN or TLS for all traffic to the practice's systems.",
    ),
    Requirement(
        "clean_desk",
        DEVICES,
        "Clean desk and no phones on the floor (remote agents too)",
        "No paper, photos or personal phones at the workstation; remote agents work in a private room.",
    ),
    Requirement(
        "secure_wifi",
        DEVICES,
        "Secure Wi-Fi",
        "WPA2/WPA3 with a strong key, no public or shared networks, guest traffic separated.",
    ),
    Requirement(
        "staff_screening",
        PEOPLE,
        "Screening of staff",
        "Background checks before anyone reaches the practice's data, renewed as the contract requires.",
    ),
    Requirement(
        "hipaa_training",
        PEOPLE,
        "HIPAA training current",
        "Every agent on the account has completed HIPAA training within the last 12 months.",
    ),
    Requirement(
        "incident_response",
        GOVERNANCE,
        "Incident response tested",
        "An incident-response plan exists, names who tells the practice, and was exercised in the last year.",
    ),
    Requirement(
        "baa",
        GOVERNANCE,
        "BAA in place",
        "A signed business associate agreement covers this engagement and its subcontractors.",
    ),
)

NEXT_AUDIT_NOTICE_DAYS = 14  # the next audit is announced this many days before it is due
AUDITS_ONLY = "Only the practice's managers run compliance audits."
RESPONDERS_ONLY = "Only the provider's managers respond to findings and close corrective actions."
MANAGERS_ONLY = "Only the managers of either side agree corrective actions."


# --- The score --------------------------------------------------------------------------------------------------


def compliance_score(results) -> Decimal | None:
    """The share of applicable requirements that are compliant, partially compliant counting half, 0–100.

    Not applicable and not-yet-assessed results count neither way; with nothing applicable there is no score.
    """
    results = [r for r in results if r and r != RequirementResult.NOT_APPLICABLE]
    if not results:
        return None
    worth = {RequirementResult.COMPLIANT: Decimal(1), RequirementResult.PARTIAL: Decimal("0.5")}
    points = sum((worth.get(r, Decimal(0)) for r in results), Decimal(0))
    return (100 * points / len(results)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rescore(audit: ComplianceAudit, *also: str) -> None:
    """Store the audit's score (and `also` the other fields the caller changed) from its requirements' results."""
    audit.score = compliance_score(audit.requirements.values_list("result", flat=True))
    audit.save(update_fields=["score", "status", "updated_at", *also])


# --- Helpers ----------------------------------------------------------------------------------------------------


def _require(user, engagement, action: str, message: str) -> None:
    if not engagements_allowing(user, action).filter(pk=engagement.pk).exists():
        raise DomainError(message)


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


def _open_audit(audit: ComplianceAudit, by, action: str = "run", message: str = AUDITS_ONLY) -> ComplianceAudit:
    """The audit, locked, after checking `by` may act on it and it is not completed yet."""
    audit = lock_row(ComplianceAudit, audit.pk, engagement="engagement_id", related=("engagement",))
    _require(by, audit.engagement, action, message)
    if audit.is_completed:
        raise DomainError("This audit is completed; start a new one (it can use this one as its baseline).")
    return audit


def side_of(user) -> str:
    membership = membership_of(user)
    return membership.side if membership is not None else Side.PRACTICE


# --- Frequency --------------------------------------------------------------------------------------------------


@transaction.atomic
def set_compliance_frequency(engagement, *, frequency: str, first_due_on: date, by) -> ComplianceSchedule:
    _require(by, engagement, "run", "Only the practice's managers set how often the provider is audited.")
    if frequency not in ComplianceFrequency.values:
        raise DomainError("Choose monthly, quarterly, every six months or annually.", field="frequency")
    schedule, _ = ComplianceSchedule.objects.update_or_create(
        engagement=engagement, defaults={"frequency": frequency, "first_due_on": first_due_on, "updated_by": by}
    )
    return schedule


def next_audit_due(schedule: ComplianceSchedule, last_period_end: date | None) -> date:
    """The first due date, until an audit is completed; then one period after the last completed audit's end."""
    if last_period_end is None:
        return schedule.first_due_on
    return last_period_end + relativedelta(months=ComplianceFrequency(schedule.frequency).months)


def last_completed_period_end(engagement) -> date | None:
    latest = engagement.compliance_audits.filter(status=ComplianceAuditStatus.COMPLETED).order_by("-period_end")
    return latest.values_list("period_end", flat=True).first()


# --- Audits -----------------------------------------------------------------------------------------------------


@transaction.atomic
def start_compliance_audit(
    engagement, *, period_start: date, period_end: date, by, baseline: ComplianceAudit | None = None, summary=""
) -> ComplianceAudit:
    """A new draft audit with the starter checklist — or, from a baseline, the baseline's requirements with their
    results and notes copied as a starting point (evidence is not copied: it belongs to the earlier period)."""
    _require(by, engagement, "run", AUDITS_ONLY)
    if engagement.is_ended:
        raise DomainError("This engagement has ended.")
    if baseline is not None and baseline.engagement_id != engagement.pk:
        raise DomainError("The baseline must be an earlier audit of the same engagement.", field="baseline")
    audit = ComplianceAudit(
        engagement=engagement,
        period_start=period_start,
        period_end=period_end,
        auditor=by,
        side=side_of(by),
        baseline=baseline,
        summary=summary.strip(),
    )
    _full_clean(audit)
    audit.save()
    if baseline is None:
        rows = [
            ComplianceRequirement(
                audit=audit, key=r.key, group=r.group, title=r.title, guidance=r.guidance, position=position
            )
            for position, r in enumerate(STARTER_CHECKLIST)
        ]
    else:
        rows = [
            ComplianceRequirement(
                audit=audit,
                key=r.key,
                group=r.group,
                title=r.title,
                guidance=r.guidance,
                position=r.position,
                result=r.result,
                notes=r.notes,
            )
            for r in baseline.requirements.all()
        ]
    ComplianceRequirement.objects.bulk_create(rows)
    _rescore(audit)
    return audit


@transaction.atomic
def record_results(audit: ComplianceAudit, results: dict[str, dict], *, by) -> ComplianceAudit:
    """Apply `{key: {"result": …, "notes": …}}` to the audit's requirements, all or nothing. The first result
    recorded moves a draft audit in progress."""
    audit = _open_audit(audit, by)
    requirements = {r.key: r for r in audit.requirements.select_for_update()}
    unknown = sorted(set(results) - set(requirements))
    if unknown:
        raise DomainError(f"This audit has no requirement {', '.join(unknown)}.", field="results")
    now = timezone.now()
    for key, change in results.items():
        requirement = requirements[key]
        result = change.get("result", requirement.result) or ""
        if result and result not in RequirementResult.values:
            raise DomainError(f"“{result}” is not a result; choose one of the listed ones.", field="results")
        notes = change.get("notes", requirement.notes)
        if (result, notes) == (requirement.result, requirement.notes):
            continue
        requirement.result, requirement.notes = result, notes
        requirement.assessed_by, requirement.assessed_at = by, now
        requirement.save(update_fields=["result", "notes", "assessed_by", "assessed_at"])
    if audit.status == ComplianceAuditStatus.DRAFT:
        audit.status = ComplianceAuditStatus.IN_PROGRESS
    _rescore(audit)
    return audit


@transaction.atomic
def begin_compliance_audit(audit: ComplianceAudit, *, by) -> ComplianceAudit:
    audit = _open_audit(audit, by)
    if audit.status != ComplianceAuditStatus.DRAFT:
        raise DomainError("This audit is already in progress.")
    audit.status = ComplianceAuditStatus.IN_PROGRESS
    audit.save(update_fields=["status", "updated_at"])
    return audit


@transaction.atomic
def complete_compliance_audit(audit: ComplianceAudit, *, by) -> ComplianceAudit:
    """Complete an audit: every requirement assessed, and every finding but an observation has a corrective
    action. Its score is then final."""
    audit = _open_audit(audit, by)
    if audit.status != ComplianceAuditStatus.IN_PROGRESS:
        raise DomainError("Record the results first: only an audit in progress can be completed.")
    unassessed = audit.requirements.filter(result="").count()
    if unassessed:
        raise DomainError(f"{unassessed} requirement{'s are' if unassessed > 1 else ' is'} not assessed yet.")
    needing = [f for f in audit.findings.prefetch_related("actions") if f.needs_action and not f.actions.all()]
    if needing:
        titles = ", ".join(f"“{f.title}”" for f in needing)
        raise DomainError(f"Agree a corrective action for every finding first: {titles}.")
    audit.status = ComplianceAuditStatus.COMPLETED
    audit.completed_at, audit.completed_by = timezone.now(), by
    _rescore(audit, "completed_at", "completed_by")
    return audit


@transaction.atomic
def add_evidence(requirement: ComplianceRequirement, upload, *, by) -> ComplianceEvidence:
    """Attach an evidence file to a requirement (either side's managers: the provider usually supplies it)."""
    requirement = ComplianceRequirement.objects.select_related("audit__engagement").get(pk=requirement.pk)
    _open_audit(requirement.audit, by, MANAGE_ACTIONS, "Only the managers of either side add evidence.")
    if not upload:
        raise DomainError("Choose a file to upload.", field="file")
    evidence = ComplianceEvidence(requirement=requirement, file=upload, name=Path(upload.name).name[:200])
    evidence.uploaded_by = by
    _full_clean(evidence)
    evidence.save()
    return evidence


# --- Findings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def raise_finding(audit: ComplianceAudit, *, title: str, severity: str, by, description="", requirement=None):
    audit = _open_audit(audit, by)
    if requirement is not None and requirement.audit_id != audit.pk:
        raise DomainError("Choose a requirement of this audit.", field="requirement")
    if not title or not title.strip():
        raise DomainError("Say in a few words what was found.", field="title")
    finding = Finding(
        audit=audit,
        requirement=requirement,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        raised_by=by,
    )
    _full_clean(finding)
    finding.save()
    return finding


@transaction.atomic
def save_finding(finding: Finding, *, by) -> Finding:
    """Change what a finding says (its auditor's side), while its audit is not completed."""
    _open_audit(finding.audit, by)
    if finding.requirement_id and finding.requirement.audit_id != finding.audit_id:
        raise DomainError("Choose a requirement of this audit.", field="requirement")
    _full_clean(finding)
    finding.save()
    return finding


def _locked_finding(finding: Finding) -> Finding:
    return lock_row(Finding, finding.pk, engagement="audit__engagement_id", related=("audit__engagement",))


@transaction.atomic
def respond_to_finding(finding: Finding, *, response: str, by) -> Finding:
    finding = _locked_finding(finding)
    _require(by, finding.audit.engagement, "respond", RESPONDERS_ONLY)
    if finding.status == FindingStatus.CLOSED:
        raise DomainError("This finding is closed.")
    if not response or not response.strip():
        raise DomainError("Write the provider's response.", field="response")
    finding.response, finding.responded_by, finding.responded_at = response.strip(), by, timezone.now()
    finding.save(update_fields=["response", "responded_by", "responded_at"])
    return finding


@transaction.atomic
def close_finding(finding: Finding, *, by) -> Finding:
    """The practice closes a finding once every corrective action on it is done."""
    finding = _locked_finding(finding)
    _require(by, finding.audit.engagement, "run", AUDITS_ONLY)
    if finding.status == FindingStatus.CLOSED:
        raise DomainError("This finding is already closed.")
    if finding.needs_action and not finding.actions.exists():
        raise DomainError("This finding has no corrective action yet.")
    if finding.actions.unfinished().exists():
        raise DomainError("Every corrective action must be done before the finding is closed.")
    finding.status, finding.closed_at, finding.closed_by = FindingStatus.CLOSED, timezone.now(), by
    finding.save(update_fields=["status", "closed_at", "closed_by"])
    return finding


# --- Corrective actions -----------------------------------------------------------------------------------------


def _check_owner(action: CorrectiveAction, engagement) -> None:
    owner = action.owner
    if owner is None or not owner.is_active or not can_act_on(owner, engagement, "view"):
        raise DomainError("The owner must be someone on this engagement.", field="owner")


@transaction.atomic
def save_corrective_action(action: CorrectiveAction, *, by) -> CorrectiveAction:
    """Add or change a corrective action (either side's managers): what, who, by when. Done actions are final."""
    finding = _locked_finding(action.finding)
    _require(by, finding.audit.engagement, MANAGE_ACTIONS, MANAGERS_ONLY)
    if finding.status == FindingStatus.CLOSED:
        raise DomainError("This finding is closed.")
    if action.pk:
        stored = lock_row(CorrectiveAction, action.pk, engagement="finding__audit__engagement_id")
        if stored.is_done:
            raise DomainError("This corrective action is done; add another if more is needed.")
    else:
        action.created_by = by
    if action.status == CorrectiveActionStatus.DONE:
        raise DomainError("Close a corrective action with its evidence instead.", field="status")
    if not action.description or not action.description.strip():
        raise DomainError("Say what will be done.", field="description")
    _check_owner(action, finding.audit.engagement)
    _full_clean(action, exclude=["closing_evidence"])
    action.save()
    return action


@transaction.atomic
def close_corrective_action(action: CorrectiveAction, *, note: str, evidence, by) -> CorrectiveAction:
    """The provider's managers close an action with the evidence that it was done (a file, and a note)."""
    action = lock_row(
        CorrectiveAction,
        action.pk,
        engagement="finding__audit__engagement_id",
        related=("finding__audit__engagement",),
    )
    _require(by, action.finding.audit.engagement, "respond", RESPONDERS_ONLY)
    if action.is_done:
        raise DomainError("This corrective action is already done.")
    if not evidence:
        raise DomainError("Attach the evidence that the action was done.", field="closing_evidence")
    if not note or not note.strip():
        raise DomainError("Say what was done.", field="closing_note")
    action.closing_evidence, action.closing_evidence_name = evidence, Path(evidence.name).name[:200]
    action.closing_note = note.strip()
    action.status, action.closed_at, action.closed_by = CorrectiveActionStatus.DONE, timezone.now(), by
    _full_clean(action)
    action.save()
    return action


# --- Evidence access --------------------------------------------------------------------------------------------


def may_open_evidence(user, engagement) -> bool:
    """Evidence of an audit opens for whoever may see the audit: both sides of the engagement and portal admins."""
    return is_portal_admin(user) or can_act_on(user, engagement, "view")


# --- Reminder source --------------------------------------------------------------------------------------------


def due_items(engagements, today: date):
    """The compliance audits' reminders for `engagements` on the practice-local date `today`."""
    yield from audits_due(engagements, today)
    yield from corrective_actions_overdue(engagements, today)
    yield from corrective_actions_escalated(engagements, today)


def audits_due(engagements, today: date):
    schedules = ComplianceSchedule.objects.filter(engagement__in=engagements).select_related("engagement")
    for schedule in schedules:
        engagement = schedule.engagement
        audits = list(engagement.compliance_audits.values_list("status", "period_end"))
        if any(status != ComplianceAuditStatus.COMPLETED for status, _ in audits):
            continue  # an audit is under way
        completed = [end for status, end in audits if status == ComplianceAuditStatus.COMPLETED]
        due = next_audit_due(schedule, max(completed, default=None))
        if due > today + timedelta(days=NEXT_AUDIT_NOTICE_DAYS):
            continue
        when = "was due" if due < today else "is due"
        yield Due(
            kind=ReminderKind.COMPLIANCE_AUDIT_DUE,
            item=schedule,
            due_on=due,
            engagement=engagement,
            side=Side.PRACTICE,
            title=f"{engagement.name}: the provider's compliance audit {when} on {due:%d %b %Y}.",
            url=reverse("audits:engagement_compliance", args=[engagement.pk]),
            level="warning" if due < today else "info",
        )


def _overdue_actions(engagements, today: date):
    return (
        CorrectiveAction.objects.overdue(today)
        .filter(finding__audit__engagement__in=engagements)
        .select_related("finding__audit__engagement__practice", "owner")
    )


def corrective_actions_overdue(engagements, today: date):
    for action in _overdue_actions(engagements, today):
        engagement = action.finding.audit.engagement
        yield Due(
            kind=ReminderKind.CORRECTIVE_ACTION_OVERDUE,
            item=action,
            due_on=action.due_on,
            engagement=engagement,
            side=BOTH,
            title=f"{engagement.name}: corrective action “{action}” for the {action.finding.get_severity_display()} "
            f"finding “{action.finding.title}” was due {action.due_on:%d %b %Y}.",
            url=action.get_absolute_url(),
            level="danger" if action.finding.severity == FindingSeverity.CRITICAL else "warning",
        )


def escalation_since(action: CorrectiveAction, today: date) -> date | None:
    """The first day an unfinished action on a critical finding counts as overdue (the day after its due date)."""
    if action.is_done or action.finding.severity != FindingSeverity.CRITICAL:
        return None
    since = action.due_on + timedelta(days=1)
    return since if since <= today else None


def _paths(engagement_ids) -> dict[int, list]:
    paths: dict[int, list] = {}
    levels = EscalationLevel.objects.filter(engagement__in=engagement_ids).select_related("contact__user")
    for level in levels.order_by("level"):
        paths.setdefault(level.engagement_id, []).append(level)
    return paths


def corrective_actions_escalated(engagements, today: date):
    actions = list(
        _overdue_actions(engagements, today)
        .filter(finding__severity=FindingSeverity.CRITICAL)
        .prefetch_related(Prefetch("escalations", queryset=CorrectiveActionEscalation.objects.all()))
    )
    if not actions:
        return
    paths = _paths({a.finding.audit.engagement_id for a in actions})
    for action in actions:
        engagement = action.finding.audit.engagement
        path = paths.get(engagement.pk, [])
        reached = {e.level_number: e for e in action.escalations.all()}
        since = escalation_since(action, today)
        found = next_level(since, path, reached, today) or last_level(since, path, reached)
        if found is None:
            continue
        level, due = found
        contact = level.contact
        yield Due(
            kind=ReminderKind.CORRECTIVE_ACTION_ESCALATED,
            item=action,
            due_on=due,
            engagement=engagement,
            side=contact.side,
            title=f"{engagement.name}: corrective action “{action}” on a critical compliance finding is overdue — "
            f"escalated to level {level.level}, {contact.name}.",
            url=action.get_absolute_url(),
            level="danger",
            recipients=(contact.user,) if contact.user_id and contact.user.is_active else (),
        )


def record_corrective_action_escalation(due: Due, today: date) -> CorrectiveActionEscalation | None:
    """After the beat job sent an escalation reminder: record the level it reached and e-mail that level's
    contact. Runs inside the reminder's transaction, so a failure sends neither."""
    action = CorrectiveAction.objects.select_related("finding").get(pk=due.item.pk)
    path = _paths({due.engagement.pk}).get(due.engagement.pk, [])
    reached = {e.level_number: e for e in action.escalations.all()}
    found = next_level(escalation_since(action, due.due_on), path, reached, due.due_on)
    if found is None or found[1] != due.due_on:
        return None
    level, _ = found
    try:
        with transaction.atomic():
            escalation = CorrectiveActionEscalation.objects.create(
                action=action, level=level, level_number=level.level, due_on=due.due_on, reached_on=today
            )
    except IntegrityError:  # another run recorded this level meanwhile
        return None
    from audits.compliance_tasks import send_corrective_action_escalation_email

    transaction.on_commit(lambda: send_corrective_action_escalation_email.delay(escalation.pk), robust=True)
    return escalation
