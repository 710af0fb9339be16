"""Audits: an auditor rates a draft, submits it (scored by audits.scoring, fed to the SLA engine), and the
agent — or the provider's manager on their behalf — acknowledges the feedback."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits import access, scoring
from audits.choices import AuditStatus, RescoreReason
from audits.models import AuditScoreHistory, CriterionRating, QualityAudit, ScorecardVersion
from audits.services import feed
from bpo_portal.errors import DomainError
from engagements.access import is_portal_admin, membership_of
from engagements.choices import Side
from engagements.locking import lock_row
from engagements.models import AgentAssignment
from engagements.reminders import local_today
from engagements.services import webhooks

EDITABLE_FIELDS = ("interaction_type", "interaction_ref", "interaction_date", "feedback")


def _clean(audit: QualityAudit) -> None:
    try:
        audit.full_clean(exclude=["auditor", "version", "agent", "engagement"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


def _check_interaction_date(audit: QualityAudit) -> None:
    if audit.interaction_date and audit.interaction_date > local_today(audit.engagement.practice.timezone):
        raise DomainError("The interaction date cannot be in the future.", field="interaction_date")


def _auditor_side(by, requested: str | None) -> str:
    membership = membership_of(by)
    if membership is not None:
        if requested and requested != membership.side:
            raise DomainError("An auditor audits for their own side.", field="auditor_side")
        return membership.side
    if requested not in Side.values:  # a portal admin says which side they audit for
        raise DomainError("Say which side this audit is for (practice or provider).", field="auditor_side")
    return requested


@transaction.atomic
def create_audit(*, engagement, agent, version: ScorecardVersion, by, auditor_side=None, ratings=None, **fields):
    """Start a draft audit of one of the engagement's agents on a published version of its scorecard."""
    if not access.may_audit(by, engagement):
        raise DomainError("Only the engagement's managers and the provider's integrations run quality audits.")
    if not AgentAssignment.objects.filter(engagement=engagement, agent=agent).exists():
        raise DomainError(f"{agent} is not assigned to this engagement.", field="agent")
    if version.scorecard.engagement_id != engagement.pk:
        raise DomainError("That scorecard belongs to another engagement.", field="version")
    if not version.is_published:
        raise DomainError("Audits are scored on a published scorecard version.", field="version")
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"is_calibration"}
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    audit = QualityAudit(
        engagement=engagement,
        agent=agent,
        version=version,
        auditor=by,
        auditor_side=_auditor_side(by, auditor_side),
        **fields,
    )
    _clean(audit)
    _check_interaction_date(audit)
    audit.save()
    if ratings:
        _save_ratings(audit, ratings)
    return audit


def _locked(audit: QualityAudit) -> QualityAudit:
    return lock_row(
        QualityAudit,
        audit.pk,
        engagement="engagement_id",
        related=("engagement__practice", "engagement__provider", "version", "agent"),
    )


def _require_auditor_side(audit: QualityAudit, by) -> None:
    if not QualityAudit.objects.for_user(by, access.AUDIT).filter(pk=audit.pk).exists():
        raise DomainError("Only the auditing side's managers (or its integrations) can change this audit.")


@transaction.atomic
def update_audit(audit: QualityAudit, *, by, ratings=None, **fields) -> QualityAudit:
    """Change a draft: its interaction details, feedback and ratings ({criterion id: {value, na, comment}})."""
    audit = _locked(audit)
    _require_auditor_side(audit, by)
    if not audit.is_draft:
        raise DomainError("This audit is submitted; its ratings change only through a dispute.")
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(f"“{name}” cannot be changed here.")
        setattr(audit, name, value)
    _clean(audit)
    _check_interaction_date(audit)
    audit.save()
    if ratings:
        _save_ratings(audit, ratings)
    return audit


def _save_ratings(audit: QualityAudit, ratings: dict) -> None:
    """Upsert ratings for criteria of the audit's version; reject criteria of any other version."""
    criteria = {c.pk: c for c in audit.version.ordered_criteria()}
    existing = {r.criterion_id: r for r in audit.ratings.all()}
    for raw_id, rating in ratings.items():
        criterion = criteria.get(int(raw_id))
        if criterion is None:
            raise DomainError(f"Criterion {raw_id} is not on this audit's scorecard version.", field="ratings")
        row = existing.get(criterion.pk) or CriterionRating(audit=audit, criterion=criterion)
        row.value = rating.get("value")
        row.na = bool(rating.get("na", False))
        row.comment = rating.get("comment", row.comment) or ""
        problem = None if (row.value is None and not row.na) else scoring.rating_problem(criterion.rule(), _rating(row))
        if problem:
            raise DomainError(f"{criterion.name}: {problem}", field="ratings")
        row.save()


def _rating(row: CriterionRating) -> scoring.Rating:
    return scoring.Rating(value=row.value, na=row.na)


def score_items(audit: QualityAudit, overrides: dict | None = None):
    """The (rule, rating) pairs of every criterion of the audit's version, with `overrides` applied."""
    ratings = {r.criterion_id: _rating(r) for r in audit.ratings.all()}
    ratings.update(overrides or {})
    return [(criterion.rule(), ratings.get(criterion.pk)) for criterion in audit.version.ordered_criteria()]


def compute_score(audit: QualityAudit) -> scoring.Score:
    """The audit's score by the one score function. Raises Unscorable while ratings are missing."""
    return scoring.score(score_items(audit), audit.version.pass_mark)


def _apply(audit: QualityAudit, result: scoring.Score) -> None:
    audit.score, audit.score_before_critical = result.score, result.score_before_critical
    audit.passed, audit.critical_failed = result.passed, result.critical_failed


@transaction.atomic
def submit_audit(audit: QualityAudit, *, by) -> QualityAudit:
    """Score and submit a draft; its score becomes a quality_score measurement (unless it is calibration)."""
    audit = _locked(audit)
    _require_auditor_side(audit, by)
    if not audit.is_draft:
        raise DomainError("This audit has already been submitted.")
    _apply(audit, compute_score(audit))
    audit.status, audit.submitted_at = AuditStatus.SUBMITTED, timezone.now()
    audit.save()
    feed.feed_audit(audit)
    if not audit.is_calibration:
        webhooks.emit("audit.submitted", audit.engagement, _audit_payload(audit))
    return audit


def _audit_payload(audit) -> dict:
    return {
        "audit": audit.pk,
        "agent": audit.agent_id,
        "score": audit.score,
        "score_before_critical": audit.score_before_critical,
        "passed": audit.passed,
        "critical_failed": audit.critical_failed,
        "auditor_side": audit.auditor_side,
    }


@transaction.atomic
def acknowledge_audit(audit: QualityAudit, *, by) -> QualityAudit:
    """The agent confirms they read the feedback; a provider manager may record it for them (marked so)."""
    audit = _locked(audit)
    if not QualityAudit.objects.for_user(by, "acknowledge").filter(pk=audit.pk).exists():
        raise DomainError("Only the audited agent, or the provider's managers for them, can acknowledge an audit.")
    if audit.status != AuditStatus.SUBMITTED:
        raise DomainError(f"This audit is {audit.get_status_display().lower()}; only a submitted one is acknowledged.")
    agent = access.agent_of(by)
    audit.status, audit.acknowledged_at, audit.acknowledged_by = AuditStatus.ACKNOWLEDGED, timezone.now(), by
    audit.acknowledged_on_behalf = agent is None or is_portal_admin(by)
    audit.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledged_on_behalf", "updated_at"])
    return audit


@transaction.atomic
def delete_draft(audit: QualityAudit, *, by) -> None:
    audit = _locked(audit)
    _require_auditor_side(audit, by)
    if not audit.is_draft:
        raise DomainError("A submitted audit is kept; it cannot be deleted.")
    audit.delete()


@transaction.atomic
def rescore(audit: QualityAudit, changes: dict, *, by, status: str, reason=RescoreReason.DISPUTE) -> QualityAudit:
    """Apply changed ratings ({criterion id: Rating}) to a scored audit (the caller checked who may): keep
    the earlier score in its history, rescore, and correct its quality_score measurement."""
    history = AuditScoreHistory(
        audit=audit,
        score=audit.score,
        score_before_critical=audit.score_before_critical,
        passed=audit.passed,
        critical_failed=audit.critical_failed,
        ratings={str(r.criterion_id): {"value": r.value, "na": r.na} for r in audit.ratings.all()},
        reason=reason,
        replaced_by=by,
        replaced_at=timezone.now(),
    )
    result = scoring.score(score_items(audit, changes), audit.version.pass_mark)
    for criterion_id, rating in changes.items():
        CriterionRating.objects.update_or_create(
            audit=audit, criterion_id=criterion_id, defaults={"value": rating.value, "na": rating.na}
        )
    changed = result.score != audit.score
    history.save()
    _apply(audit, result)
    audit.status = status
    audit.save()
    if changed:
        feed.feed_audit(audit, correction=True)
    return audit
