"""Disputes: the audited agent (or the provider's managers for them) contests ratings within the engagement's
dispute window; the auditor's side decides each criterion — keep, accept the proposal, or set another — with a
note, and the audit is rescored (earlier score kept in its history, the quality_score measurement corrected)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits import access, scoring
from audits.choices import AuditStatus, DisputeDecision, DisputeStatus
from audits.models import Dispute, DisputeItem, QualityAudit, QualitySettings
from audits.services import audits as audit_services
from bpo_portal.errors import DomainError
from engagements.access import engagements_for, is_portal_admin
from engagements.choices import ReminderKind, Role, Side
from engagements.locking import lock_row
from engagements.notifications import notify
from engagements.reminders import Due, local_today
from engagements.services import webhooks


@transaction.atomic
def save_quality_settings(engagement, *, by, **fields) -> QualitySettings:
    """Either side's managers set how long audits may be disputed and how long a dispute may wait."""
    from django.core.exceptions import ValidationError

    if not engagements_for(by, "change").filter(pk=engagement.pk).exists():
        raise DomainError("Only the engagement's managers change its quality settings.")
    settings = QualitySettings.of(engagement)
    for name, value in fields.items():
        setattr(settings, name, value)
    try:
        settings.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    settings.save()
    return settings


def window_closes_at(audit: QualityAudit):
    return audit.submitted_at + timedelta(days=QualitySettings.of(audit.engagement).dispute_window_days)


def may_dispute(user, audit: QualityAudit) -> bool:
    return QualityAudit.objects.for_user(user, "dispute").filter(pk=audit.pk).exists()


def _proposal(criterion, data: dict) -> scoring.Rating:
    rating = scoring.Rating(value=data.get("value"), na=bool(data.get("na", False)))
    problem = scoring.rating_problem(criterion.rule(), rating)
    if problem:
        raise DomainError(f"{criterion.name}: {problem}", field="items")
    return rating


@transaction.atomic
def raise_dispute(audit: QualityAudit, *, by, reason: str, items: dict) -> Dispute:
    """Dispute some of an audit's ratings: items = {criterion id: {value, na, reason}} (the proposed ratings)."""
    audit = lock_row(QualityAudit, audit.pk, engagement="engagement_id", related=("engagement", "version"))
    if not may_dispute(by, audit):
        raise DomainError("Only the audited agent, or the provider's managers for them, can dispute an audit.")
    if audit.status not in (AuditStatus.SUBMITTED, AuditStatus.ACKNOWLEDGED):
        raise DomainError(f"This audit is {audit.get_status_display().lower()}; it cannot be disputed now.")
    if Dispute.objects.filter(audit=audit).exists():
        raise DomainError("This audit has already been disputed; each audit is disputed once.")
    if timezone.now() > window_closes_at(audit):
        raise DomainError(
            f"The dispute window closed on {timezone.localtime(window_closes_at(audit)):%d %b %Y}.",
        )
    if not reason.strip():
        raise DomainError("Say why the audit should change.", field="reason")
    if not items:
        raise DomainError("Name at least one criterion and the rating you propose.", field="items")
    criteria = {c.pk: c for c in audit.version.ordered_criteria()}
    current = {r.criterion_id: (r.value, r.na) for r in audit.ratings.all()}
    rows = []
    for raw_id, data in items.items():
        criterion = criteria.get(int(raw_id))
        if criterion is None:
            raise DomainError(f"Criterion {raw_id} is not on this audit's scorecard.", field="items")
        proposal = _proposal(criterion, data)
        if (proposal.value, proposal.na) == current.get(criterion.pk):
            raise DomainError(f"{criterion.name}: propose a rating other than the one given.", field="items")
        rows.append((criterion, proposal, data.get("reason", "")))
    settings = QualitySettings.of(audit.engagement)
    dispute = Dispute.objects.create(
        audit=audit,
        raised_by=by,
        raised_on_behalf=access.agent_of(by) is None,
        raised_at=timezone.now(),
        reason=reason,
        decide_by=local_today(audit.engagement.practice.timezone) + timedelta(days=settings.dispute_decision_days),
    )
    # One save per disputed criterion, not bulk_create: the proposed values are the agent's input, and each is in
    # the audit log.
    for c, p, why in rows:
        DisputeItem.objects.create(dispute=dispute, criterion=c, proposed_value=p.value, proposed_na=p.na, reason=why)
    audit.status = AuditStatus.DISPUTED
    audit.save(update_fields=["status", "updated_at"])
    notify(
        deciders(dispute).exclude(pk=by.pk),
        key=f"dispute:{dispute.pk}:open",
        title=f"Audit dispute to decide — {audit.agent}, {audit.engagement.name}",
        body="The agent disputes some ratings; decide each one with a note.",
        url=dispute.get_absolute_url(),
        engagement=audit.engagement,
    )
    return dispute


def deciders(dispute: Dispute):
    """Who may decide: for a provider-side audit the provider's managers other than the auditor; for a
    practice-side audit the practice's managers."""
    audit = dispute.audit
    User = get_user_model()
    if audit.auditor_side == Side.PROVIDER:
        people = Q(membership__provider_id=audit.engagement.provider_id)
    else:
        people = Q(membership__practice_id=audit.engagement.practice_id)
    users = User.objects.filter(people, membership__role=Role.MANAGER, is_active=True)
    return users.exclude(pk=audit.auditor_id) if audit.auditor_side == Side.PROVIDER else users


def may_decide(user, dispute: Dispute) -> bool:
    if is_portal_admin(user):
        return True
    audit = dispute.audit
    if audit.auditor_side == Side.PROVIDER:
        if user.pk == audit.auditor_id:
            return False
        return engagements_for(user, "assign_agents").filter(pk=audit.engagement_id).exists()
    return engagements_for(user, "manage_contract").filter(pk=audit.engagement_id).exists()


def decidable_by(user, queryset=None):
    """The disputes `user` may decide, as a queryset (the inbox's "to decide" filter)."""
    queryset = Dispute.objects.for_user(user) if queryset is None else queryset
    if is_portal_admin(user):
        return queryset
    provider_side = Q(audit__auditor_side=Side.PROVIDER, audit__engagement__in=engagements_for(user, "assign_agents"))
    provider_side &= ~Q(audit__auditor_id=user.pk)
    practice_side = Q(audit__auditor_side=Side.PRACTICE, audit__engagement__in=engagements_for(user, "manage_contract"))
    return queryset.filter(provider_side | practice_side)


@transaction.atomic
def decide_dispute(dispute: Dispute, *, by, note: str, decisions: dict) -> Dispute:
    """decisions = {criterion id: {decision: keep|accept|set, value, na}} — one for every disputed criterion."""
    # Top-down: the engagement, the audit, then its dispute (the audit is rescored below).
    audit = lock_row(QualityAudit, dispute.audit_id, engagement="engagement_id", related=("version",))
    dispute = lock_row(Dispute, dispute.pk, engagement="audit__engagement_id", related=("audit__engagement",))
    if not may_decide(by, dispute):
        if dispute.audit.auditor_id == by.pk:
            raise DomainError("The auditor cannot decide a dispute of their own audit; another manager decides.")
        raise DomainError("Only the auditing side's managers decide disputes of its audits.")
    if not dispute.is_open:
        raise DomainError("This dispute has already been decided.")
    if not note.strip():
        raise DomainError("A decision needs a note saying why.", field="note")
    items = list(dispute.items.select_related("criterion"))
    missing = [item.criterion.name for item in items if str(item.criterion_id) not in {str(k) for k in decisions}]
    if missing:
        raise DomainError(f"Decide every disputed criterion: {', '.join(missing)}.", field="decisions")
    decisions = {str(k): v for k, v in decisions.items()}
    changes = {}
    for item in items:
        data = decisions[str(item.criterion_id)]
        choice = data.get("decision")
        if choice not in DisputeDecision.values:
            raise DomainError(f"{item.criterion.name}: keep, accept or set another rating.", field="decisions")
        item.decision = choice
        if choice == DisputeDecision.ACCEPT:
            changes[item.criterion_id] = scoring.Rating(item.proposed_value, item.proposed_na)
        elif choice == DisputeDecision.SET:
            changes[item.criterion_id] = _proposal(item.criterion, data)
        if item.criterion_id in changes:
            item.decided_value, item.decided_na = changes[item.criterion_id].value, changes[item.criterion_id].na
        item.save()
    settled = AuditStatus.ACKNOWLEDGED if audit.acknowledged_at else AuditStatus.SUBMITTED
    if changes:
        audit_services.rescore(audit, changes, by=by, status=settled)
    else:
        audit.status = settled
        audit.save(update_fields=["status", "updated_at"])
    dispute.status, dispute.decided_by, dispute.decided_at, dispute.decision_note = (
        DisputeStatus.DECIDED,
        by,
        timezone.now(),
        note,
    )
    dispute.save()
    _tell_the_agent_side(dispute, audit, by)
    webhooks.emit(
        "dispute.decided",
        audit.engagement,
        {"dispute": dispute.pk, "audit": audit.pk, "score": audit.score, "passed": audit.passed},
    )
    return dispute


def _tell_the_agent_side(dispute: Dispute, audit: QualityAudit, by) -> None:
    User = get_user_model()
    recipients = User.objects.filter(
        Q(membership__agent_id=audit.agent_id) | Q(pk=dispute.raised_by_id), is_active=True
    ).exclude(pk=by.pk)
    notify(
        recipients,
        key=f"dispute:{dispute.pk}:decided",
        title=f"Your audit dispute was decided — score now {audit.score}",
        url=audit.get_absolute_url(),
        engagement=audit.engagement,
    )


def due_items(engagements, today):
    """Reminder source: open disputes past their decision date, for the deciding (auditing) side."""
    overdue = Dispute.objects.filter(
        status=DisputeStatus.OPEN, decide_by__lt=today, audit__engagement__in=engagements
    ).select_related("audit__agent", "audit__engagement")
    for dispute in overdue:
        audit = dispute.audit
        yield Due(
            kind=ReminderKind.DISPUTE_OVERDUE,
            item=dispute,
            due_on=dispute.decide_by,
            engagement=audit.engagement,
            side=audit.auditor_side,
            title=f"{audit.engagement.name}: the dispute of {audit.agent}'s audit awaits a decision since "
            f"{dispute.decide_by:%d %b}.",
            url=dispute.get_absolute_url(),
        )
