"""Provider due diligence: certifications, the practice's review of a provider, its decision, and the reminder
source for certificates that are about to lapse or have lapsed."""

from collections import defaultdict
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import EngagementStatus, ReminderKind
from engagements.locking import lock_engagement, lock_row
from engagements.models import Certification, DueDiligenceDecisionRecord, DueDiligenceItem, DueDiligenceReview
from engagements.models.diligence import (
    DATE_ITEMS,
    DEFAULT_WEIGHTS,
    EXPIRY_WARNING_DAYS,
    MAX_RATING,
    NUMBER_ITEMS,
    CertificationKind,
    CertificationStatus,
    DiligenceDecision,
    DiligenceItemKey,
    certification_status,
)
from engagements.reminders import BOTH, Due

# --- Certifications -------------------------------------------------------------------------------------------------


def _full_clean(instance, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


@transaction.atomic
def save_certification(certification: Certification, *, by, new_evidence=None) -> Certification:
    """Add or change a certification; a new evidence file replaces the previous one, which is deleted once the
    change is committed."""
    previous = ""
    if certification.pk:
        previous = Certification.objects.filter(pk=certification.pk).values_list("evidence", flat=True).first() or ""
    if new_evidence is not None:
        certification.evidence = new_evidence
        certification.evidence_name = Path(new_evidence.name).name[:200]
    if certification.kind != CertificationKind.OTHER:
        certification.other_name = ""
    if certification.pk is None:
        certification.created_by = by
    _full_clean(certification)
    certification.save()
    if previous and previous != certification.evidence.name:
        storage = certification.evidence.storage
        transaction.on_commit(lambda: storage.delete(previous))
    return certification


@transaction.atomic
def delete_certification(certification: Certification, *, by) -> None:
    """Delete the row (the audit log keeps what it said) and, once that is committed, its evidence file."""
    name, storage = certification.evidence.name, certification.evidence.storage
    certification.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def flagged_certifications(certifications, today: date) -> list[Certification]:
    """Certificates expired or expiring within the warning window, leaving out those a newer certificate of the
    same kind (valid longer) has replaced: a renewed SOC 2 report should silence the old one's flag."""
    certifications = list(certifications)
    latest: dict[tuple, date] = {}
    for certification in certifications:
        key = (certification.provider_id, certification.kind, certification.other_name.lower())
        latest[key] = max(latest.get(key, certification.expires_on), certification.expires_on)
    return [
        certification
        for certification in certifications
        if certification_status(certification.expires_on, today) != CertificationStatus.VALID
        and latest[(certification.provider_id, certification.kind, certification.other_name.lower())]
        == certification.expires_on
    ]


def due_items(engagements, today: date):
    """Reminder source: certificates of the engagements' providers that enter the warning window or expire.

    Each certificate yields at most one item per engagement, for the stage it is in today:
    - `due_on = expires_on - EXPIRY_WARNING_DAYS` (level warning) while it is expiring;
    - `due_on = expires_on` (level danger) once it has expired, a second reminder on the expiry date itself.
    The reminder is told to both sides of each engagement with the provider (side BOTH), so the provider renews
    and the practice knows; being per engagement, a practice only hears of its own providers. A certificate that
    a newer one of the same kind has replaced is not reminded of.
    """
    engagements = list(engagements.select_related("provider"))
    by_provider = defaultdict(list)
    for engagement in engagements:
        by_provider[engagement.provider_id].append(engagement)
    if not by_provider:
        return
    candidates = Certification.objects.filter(provider_id__in=by_provider).select_related("provider")
    for certification in flagged_certifications(candidates, today):
        expired = certification.status_on(today) == CertificationStatus.EXPIRED
        if expired:
            due_on, level = certification.expires_on, "danger"
            title = f"{certification.provider}: {certification.name} expired on {certification.expires_on:%d %b %Y}."
        else:
            due_on, level = certification.warns_from, "warning"
            title = (
                f"{certification.provider}: {certification.name} expires on {certification.expires_on:%d %b %Y} "
                f"(within {EXPIRY_WARNING_DAYS} days)."
            )
        for engagement in by_provider[certification.provider_id]:
            yield Due(
                kind=ReminderKind.CERTIFICATE_EXPIRING,
                item=certification,
                due_on=due_on,
                engagement=engagement,
                side=BOTH,
                title=f"{engagement.name} — {title}",
                url=certification.provider.get_absolute_url(),
                level=level,
            )


# --- Reviews --------------------------------------------------------------------------------------------------------


def _require_vetting(engagement, what: str) -> None:
    if engagement.status != EngagementStatus.VETTING:
        raise DomainError(
            f"The engagement is in {engagement.get_status_display()}; {what} only while it is in vetting. "
            "The review stays on record as it was decided."
        )


@transaction.atomic
def start_due_diligence(engagement, *, by) -> DueDiligenceReview:
    """Open the engagement's review with every checklist item unrated, at its default weight."""

    engagement = lock_engagement(engagement)
    if DueDiligenceReview.objects.filter(engagement=engagement).exists():
        raise DomainError("This engagement already has a due-diligence review.")
    _require_vetting(engagement, "a review can be started")
    review = DueDiligenceReview.objects.create(engagement=engagement, started_by=by)
    DueDiligenceItem.objects.bulk_create(
        DueDiligenceItem(review=review, key=key, weight=DEFAULT_WEIGHTS[key]) for key in DiligenceItemKey
    )
    return review


def _clean_item_values(item: DueDiligenceItem, values: dict) -> None:
    label = item.get_key_display()
    rating = values.get("rating", item.rating)
    if rating is not None and not (0 <= rating <= MAX_RATING):
        raise DomainError(f"{label}: a rating is between 0 and {MAX_RATING}.", field="rating")
    weight = values.get("weight", item.weight)
    if weight is None or not (1 <= weight <= 10):
        raise DomainError(f"{label}: a weight is between 1 and 10.", field="weight")
    if values.get("date_value") and item.key not in DATE_ITEMS:
        raise DomainError(f"{label} has no date.", field="date_value")
    if values.get("number_value") is not None and item.key not in NUMBER_ITEMS:
        raise DomainError(f"{label} has no number.", field="number_value")
    if item.key in NUMBER_ITEMS and values.get("number_value") is not None and values["number_value"] < 0:
        raise DomainError(f"{label}: the number of hours cannot be negative.", field="number_value")
    if item.key in DATE_ITEMS and values.get("date_value") and values["date_value"] > timezone.localdate():
        raise DomainError(f"{label}: the last penetration test cannot be in the future.", field="date_value")


@transaction.atomic
def update_due_diligence_items(review: DueDiligenceReview, changes: dict, *, by) -> DueDiligenceReview:
    """Apply `{key: {rating, weight, evidence, date_value, number_value}}` to the checklist, all or nothing.

    Changing a rating or weight after a decision reopens the review: the decision no longer matches the
    checklist, so it is cleared (the decision history keeps it) and the practice decides again.
    """
    review = lock_row(DueDiligenceReview, review.pk, engagement="engagement_id", related=("engagement",))
    _require_vetting(review.engagement, "its checklist can be changed")
    items = {item.key: item for item in review.items.all()}
    changed_score = False
    for key, values in changes.items():
        item = items.get(key)
        if item is None:
            raise DomainError(f"“{key}” is not an item of this checklist.", field="key")
        _clean_item_values(item, values)
        for field in ("rating", "weight", "evidence", "date_value", "number_value"):
            if field in values and getattr(item, field) != values[field]:
                changed_score |= field in ("rating", "weight")
                setattr(item, field, values[field])
        item.save()
    if changed_score and review.is_decided:
        review.decision, review.conditions, review.decided_by, review.decided_at = "", "", None, None
    review.save()
    return review


@transaction.atomic
def decide_due_diligence(review: DueDiligenceReview, decision: str, *, by, conditions: str = "") -> DueDiligenceReview:
    """Record the practice's decision on a fully rated checklist: approve, approve with conditions, or reject."""
    review = lock_row(DueDiligenceReview, review.pk, engagement="engagement_id", related=("engagement",))
    try:
        decision = DiligenceDecision(decision)
    except ValueError:
        raise DomainError("Choose approve, approve with conditions, or reject.", field="decision") from None
    _require_vetting(review.engagement, "a decision can be recorded")
    conditions = conditions.strip()
    if decision == DiligenceDecision.APPROVE_WITH_CONDITIONS and not conditions:
        raise DomainError("State the conditions of the approval.", field="conditions")
    if decision != DiligenceDecision.APPROVE_WITH_CONDITIONS:
        conditions = ""
    score = review.summary()
    if not score.complete:
        raise DomainError(
            f"Rate every checklist item before deciding: {score.unrated} still unrated.", field="decision"
        )
    now = timezone.now()
    review.decision, review.conditions, review.decided_by, review.decided_at = decision, conditions, by, now
    review.save()
    DueDiligenceDecisionRecord.objects.create(
        review=review, decision=decision, conditions=conditions, score=score.score, decided_by=by, decided_at=now
    )
    return review


def require_approved_review(engagement) -> None:
    """The vetting gate, called by change_engagement_status: leaving vetting (except to end the engagement)
    needs a review that approves the provider."""
    review = DueDiligenceReview.objects.filter(engagement=engagement).first()
    if review is None:
        raise DomainError("Complete the due-diligence review and approve the provider before vetting ends.")
    if not review.is_approved:
        state = "rejects the provider" if review.decision == DiligenceDecision.REJECT else "has no decision yet"
        raise DomainError(
            f"The due-diligence review {state}. The engagement can leave vetting only once the review approves "
            "the provider (or it can be ended)."
        )
