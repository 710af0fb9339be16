"""Who read what sensitive record, when, and from where (HIPAA 164.312(b) asks for reads, not only writes).

Entries are written by `engagements.access_log.record_access` and never changed or deleted: not by a save, not by a
queryset, not in the admin. Each entry names the practice and the provider whose record was read, so each side's
managers see the reads of their side's records, and portal admins see all.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from engagements.access import SideScopedQuerySet


class AccessKind(models.TextChoices):
    EVIDENCE_FILE = "evidence_file", "Certification evidence file"
    CONTRACT_PRICING = "contract_pricing", "Contract pricing"
    COST_PAGE = "costs", "Cost report"
    STAFF_FEEDBACK = "staff_feedback", "Staff feedback"
    AUDIT_RESULT = "audit_result", "Quality audit result"
    ASSESSMENT_RESULT = "assessment_result", "Agent assessment result"


class AppendOnly(Exception):
    pass


class AccessEntryQuerySet(SideScopedQuerySet):
    def scope_for(self, user, membership, action: str):
        """A side's managers read the entries of their side's records; nobody else but portal admins."""
        if action != "view" or not membership.is_manager:
            return self.none()
        if membership.practice_id:
            return self.filter(practice_id=membership.practice_id)
        return self.filter(Q(provider_id=membership.provider_id))

    def update(self, **kwargs):
        raise AppendOnly("The access log is append-only.")

    def delete(self):
        raise AppendOnly("The access log is append-only.")


class AccessEntry(models.Model):
    """One read of a sensitive record: who (the user, and the token if it came through the API), what, when, and
    from which address and client."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    user_label = models.CharField(max_length=200, help_text="The reader's name and e-mail as they were then.")
    token_prefix = models.CharField(max_length=12, blank=True, help_text="The API token used, if any.")
    kind = models.CharField(max_length=30, choices=AccessKind.choices)
    object_type = models.CharField(max_length=100, help_text="The model read, e.g. engagements.certification.")
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200)
    # Whose record it is: the side(s) whose managers see this entry.
    practice = models.ForeignKey("engagements.Practice", on_delete=models.PROTECT, null=True, related_name="+")
    provider = models.ForeignKey("engagements.Provider", on_delete=models.PROTECT, null=True, related_name="+")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, null=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    objects = AccessEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        ordering = ["-at", "-pk"]
        indexes = [
            # A practice's or a provider's managers list their side's reads, newest first.
            models.Index(fields=["practice", "-at"], name="engagements_access_practice_at"),
            models.Index(fields=["provider", "-at"], name="engagements_access_provider_at"),
        ]

    def __str__(self):
        return (
            f"{self.user_label} read {self.get_kind_display().lower()} {self.object_label} at {self.at:%Y-%m-%d %H:%M}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("An access log entry is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("An access log entry is never deleted.")
