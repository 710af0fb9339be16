"""Policy documents with versions, the agents' signed acknowledgements, and the engagement's business associate
agreement."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from engagements.access import EngagementScopedQuerySet
from onboarding.access import OwnedByASideQuerySet, SeenThroughAgentQuerySet
from onboarding.choices import DocumentKind

__all__ = ["Acknowledgement", "BusinessAssociateAgreement", "PolicyDocument", "PolicyVersion"]


class PolicyDocument(models.Model):
    """A document agents must sign: an engagement's own (the practice's NDA, privacy policy) or a provider's for
    every engagement it works (acceptable use). What is signed is a version of it."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, null=True, blank=True, related_name="policy_documents"
    )
    provider = models.ForeignKey(
        "engagements.Provider", on_delete=models.CASCADE, null=True, blank=True, related_name="policy_documents"
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OwnedByASideQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(engagement__isnull=False, provider__isnull=True)
                | Q(engagement__isnull=True, provider__isnull=False),
                name="%(app_label)s_%(class)s_belongs_to_one",
                violation_error_message="A document belongs to an engagement or to a provider, not both.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("onboarding:document_detail", args=[self.pk])


class PolicyVersion(models.Model):
    """One version of a policy document, in force from its effective date. A new version asks everyone to sign
    again."""

    document = models.ForeignKey("onboarding.PolicyDocument", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    file = models.FileField(upload_to="policy-documents/%Y/%m/", blank=True)
    effective_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_document",
                violation_error_message="The document already has a version with that number.",
            )
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class Acknowledgement(models.Model):
    """An agent's signature of one version: they read it, typed their full name and confirmed, signed in as
    themselves."""

    version = models.ForeignKey("onboarding.PolicyVersion", on_delete=models.PROTECT, related_name="acknowledgements")
    agent = models.ForeignKey("engagements.Agent", on_delete=models.PROTECT, related_name="acknowledgements")
    signed_at = models.DateTimeField()
    typed_name = models.CharField(max_length=150)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agent's own login: a signature is made in the agent's own session.",
    )

    objects = SeenThroughAgentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "agent"],
                name="%(app_label)s_%(class)s_unique_agent_per_version",
                violation_error_message="The agent has already signed this version.",
            )
        ]

    def __str__(self):
        return f"{self.agent} signed {self.version}"


class BusinessAssociateAgreement(models.Model):
    """The BAA between the practice and the provider for an engagement: no agent goes live without one on record."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, related_name="business_associate_agreements"
    )
    signed_on = models.DateField()
    file = models.FileField(upload_to="baa/%Y/%m/", blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EngagementScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        return f"BAA for {self.engagement}, signed {self.signed_on}"
