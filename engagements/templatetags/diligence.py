"""Due-diligence panels shown on pages outside the area's own views: the provider page and the engagement page."""

from django import template
from django.utils import timezone

from engagements.access import engagements_for
from engagements.models import Certification, DueDiligenceReview, Provider
from engagements.services.diligence import flagged_certifications

register = template.Library()

STATUS_CLASSES = {"valid": "text-bg-success", "expiring": "text-bg-warning", "expired": "text-bg-danger"}


# A decision badge says what happened: “Approved”, not the button's “Approve”.
DECIDED = {"approve": "Approved", "approve_with_conditions": "Approved with conditions", "reject": "Rejected"}


@register.filter
def decided(decision):
    return DECIDED.get(decision, decision)


@register.filter
def certification_badge(status):
    return STATUS_CLASSES.get(status, "text-bg-secondary")


@register.inclusion_tag("engagements/diligence/_provider_certifications.html", takes_context=True)
def provider_certifications(context, provider):
    """The provider page's certifications, with their status today and, for those allowed, the evidence (three
    queries whatever the number of certificates)."""
    user = context["request"].user
    today = timezone.localdate()
    certifications = list(Certification.objects.for_user(user).filter(provider=provider))
    with_evidence = set(
        Certification.objects.with_evidence_for(user).filter(provider=provider).values_list("pk", flat=True)
    )
    for certification in certifications:
        certification.today_status = certification.status_on(today)
        certification.shows_evidence = certification.pk in with_evidence and bool(certification.evidence)
    can_manage = Provider.objects.for_user(user, "change").filter(pk=provider.pk).exists()
    return {
        "provider": provider,
        "certifications": certifications,
        "flagged": flagged_certifications(certifications, today),
        "can_manage": can_manage,
        "request": context["request"],
    }


@register.inclusion_tag("engagements/diligence/_engagement_card.html", takes_context=True)
def due_diligence_card(context, engagement):
    user = context["request"].user
    review = DueDiligenceReview.objects.filter(engagement=engagement).prefetch_related("items").first()
    flagged = flagged_certifications(
        Certification.objects.filter(provider_id=engagement.provider_id), timezone.localdate()
    )
    return {
        "engagement": engagement,
        "review": review,
        "score": review.summary() if review else None,
        "flagged": flagged,
        "can_manage": engagements_for(user, "manage_contract").filter(pk=engagement.pk).exists(),
    }


@register.inclusion_tag("engagements/diligence/_stage_gate.html")
def due_diligence_gate(engagement):
    """On the stage card while vetting: whether the review lets the engagement move on."""
    review = DueDiligenceReview.objects.filter(engagement=engagement).first()
    return {"engagement": engagement, "review": review}
