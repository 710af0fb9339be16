"""Scorecards: what an audit rates. A scorecard belongs to an engagement and has numbered versions; a version
has sections and weighted criteria. A draft version can be edited; publishing locks it for good — in the
database too (triggers in migration 0001), so no code path can change what audits were scored on."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from audits.choices import Scale, VersionStatus
from audits.scoring import CriterionRule
from engagements.access import EngagementScopedQuerySet

PATIENT_HELP = "Do not enter patient details."


class ScorecardQuerySet(EngagementScopedQuerySet):
    """Both sides' members read an engagement's scorecards; either side's managers ("change") write them."""


class Scorecard(models.Model):
    """What an engagement's audits rate, e.g. “Front office calls”, optionally for one service line."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="scorecards")
    service_line = models.ForeignKey(
        "engagements.ServiceLine", on_delete=models.PROTECT, null=True, blank=True, related_name="scorecards"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text=PATIENT_HELP)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "name"],
                name="%(app_label)s_%(class)s_unique_name_per_engagement",
                violation_error_message="This engagement already has a scorecard with that name.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("audits:scorecard_detail", args=[self.pk])

    @property
    def published_version(self):
        """The latest published version: the one new audits use."""
        return self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()

    @property
    def draft_version(self):
        return self.versions.filter(status=VersionStatus.DRAFT).first()


class ScorecardVersionQuerySet(EngagementScopedQuerySet):
    engagement_path = "scorecard__engagement"

    def published(self):
        return self.filter(status=VersionStatus.PUBLISHED)


class ScorecardVersion(models.Model):
    """One numbered version of a scorecard. Audits are scored on a published version, which never changes."""

    scorecard = models.ForeignKey("audits.Scorecard", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    pass_mark = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("85"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The score (0–100) an audit needs to pass.",
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="The version copied."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # PROTECT, not SET_NULL: a published version's row never changes, not even when a user is deleted.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScorecardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["scorecard", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message="This scorecard already has a version with that number.",
            ),
            models.UniqueConstraint(
                fields=["scorecard"],
                condition=Q(status=VersionStatus.DRAFT),
                name="%(app_label)s_%(class)s_one_draft_per_scorecard",
                violation_error_message="This scorecard already has a draft version; edit that one.",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100),
                name="%(app_label)s_%(class)s_pass_mark_0_to_100",
                violation_error_message="The pass mark is between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=Q(status=VersionStatus.DRAFT, published_at__isnull=True)
                | Q(status=VersionStatus.PUBLISHED, published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_a_date",
                violation_error_message="A published version records when it was published.",
            ),
        ]

    def __str__(self):
        return f"{self.scorecard} v{self.number}"

    def get_absolute_url(self):
        return reverse("audits:version_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def ordered_criteria(self):
        return (
            Criterion.objects.filter(section__version=self)
            .select_related("section")
            .order_by("section__position", "section__pk", "position", "pk")
        )


class SectionQuerySet(EngagementScopedQuerySet):
    engagement_path = "version__scorecard__engagement"


class Section(models.Model):
    """A group of criteria in a version, e.g. “Opening” or “Compliance”."""

    version = models.ForeignKey("audits.ScorecardVersion", on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position", "pk"]

    def __str__(self):
        return self.title


class CriterionQuerySet(EngagementScopedQuerySet):
    engagement_path = "section__version__scorecard__engagement"


class Criterion(models.Model):
    """One thing an auditor rates, with its weight, its scale, whether N/A is allowed and whether failing it
    fails the whole audit (critical)."""

    section = models.ForeignKey("audits.Section", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="What good looks like, for auditors. " + PATIENT_HELP)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    scale = models.CharField(max_length=15, choices=Scale.choices, default=Scale.YES_NO)
    max_points = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="For a points scale: the most points."
    )
    allows_na = models.BooleanField("N/A allowed", default=False)
    critical = models.BooleanField(default=False, help_text="Failing it fails the whole audit (score 0).")
    position = models.PositiveSmallIntegerField(default=0)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "criteria"
        ordering = ["section", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1),
                name="%(app_label)s_%(class)s_weight_positive",
                violation_error_message="A criterion's weight is a positive whole number.",
            ),
            models.CheckConstraint(
                condition=Q(scale=Scale.POINTS, max_points__gte=1)
                | (~Q(scale=Scale.POINTS) & Q(max_points__isnull=True)),
                name="%(app_label)s_%(class)s_points_have_a_maximum",
                violation_error_message="A points criterion needs its maximum points (1 or more); other scales none.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.scale == Scale.POINTS and not self.max_points:
            raise ValidationError({"max_points": "Say how many points this criterion is out of."})
        if self.scale != Scale.POINTS:
            self.max_points = None

    def rule(self) -> CriterionRule:
        return CriterionRule(
            key=self.pk,
            weight=self.weight,
            scale=self.scale,
            max_points=self.max_points,
            allows_na=self.allows_na,
            critical=self.critical,
        )
