from zoneinfo import available_timezones

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField

from engagements.access import SideScopedQuerySet, engagements_for, is_portal_admin, membership_of
from engagements.choices import AgentStatus, PracticeKind, Role, ServiceCategory

TIMEZONE_CHOICES = [(tz, tz) for tz in sorted(available_timezones())]


class ServiceLine(models.Model):
    """A kind of work a practice can hand to a provider: scheduling, insurance verification, claims, A/R…"""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def is_peripheral(self) -> bool:
        return self.category == ServiceCategory.PERIPHERAL


class PracticeQuerySet(SideScopedQuerySet):
    def scope_for(self, user, membership, action: str):
        if action == "view":
            counterpart = engagements_for(user).values("practice_id")
            return self.filter(Q(pk=membership.practice_id) | Q(pk__in=counterpart))
        if membership.role == Role.MANAGER and membership.practice_id:
            return self.filter(pk=membership.practice_id)
        return self.none()


class Practice(models.Model):
    """An optometry or ophthalmology practice that outsources part of its work."""

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=PracticeKind.choices, default=PracticeKind.OPTOMETRY)
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="America/New_York")
    monthly_patient_volume = models.PositiveIntegerField(
        default=0, help_text="Patients seen in a typical month, across all locations."
    )
    in_house_monthly_cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="What the work the practice may outsource costs it in-house each month (salaries, benefits, tools).",
    )
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("engagements:practice_detail", args=[self.pk])

    def shows_costs_to(self, user) -> bool:
        """The in-house cost is the practice's negotiating position: its own people and admins see it, its
        providers do not."""
        membership = membership_of(user)
        return is_portal_admin(user) or bool(membership and membership.practice_id == self.pk)


class LocationQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return self.filter(practice__in=Practice.objects.for_user(user, action))


class Location(models.Model):
    """One of a practice's clinics."""

    practice = models.ForeignKey("engagements.Practice", on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=150)
    address = models.CharField(max_length=250, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("State / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField(default="US")
    phone = models.CharField(max_length=40, blank=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "name"],
                name="%(app_label)s_%(class)s_unique_name_per_practice",
                violation_error_message="This practice already has a location with that name.",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"

    def get_absolute_url(self):
        return self.practice.get_absolute_url()


class ProviderQuerySet(SideScopedQuerySet):
    def agent_scope(self, user, membership, action: str):
        """Agents browse the directory as any signed-in user does, and change nothing."""
        return self if action == "view" else self.none()

    def scope_for(self, user, membership, action: str):
        """Providers are a directory every signed-in user can browse; only their own managers edit them."""
        if action == "view":
            return self
        if membership.manages_provider:
            return self.filter(pk=membership.provider_id)
        return self.none()


class Provider(models.Model):
    """A business-process-outsourcing company that takes on work for practices."""

    name = models.CharField(max_length=150, unique=True)
    headquarters_country = CountryField(default="US")
    delivery_countries = CountryField(multiple=True, blank=True, help_text="Countries the work is delivered from.")
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages the agents work in, e.g. English, Spanish."
    )
    coverage_24x7 = models.BooleanField("24x7 coverage", default=False)
    eye_care_experience_years = models.PositiveSmallIntegerField(
        "Eye-care experience (years)", default=0, help_text="Years of work for optometry or ophthalmology practices."
    )
    eye_care_clients = models.PositiveSmallIntegerField("Eye-care clients", default=0)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("engagements:provider_detail", args=[self.pk])

    @property
    def headquarters_country_name(self) -> str:
        return self.headquarters_country.name

    @property
    def delivery_country_names(self) -> str:
        return ", ".join(country.name for country in self.delivery_countries)

    @property
    def has_eye_care_experience(self) -> bool:
        return self.eye_care_experience_years > 0


class AgentQuerySet(SideScopedQuerySet):
    def scope_for(self, user, membership, action: str):
        """A provider's own people see its agents; a practice sees the agents assigned to its engagements."""
        own = Q(provider_id=membership.provider_id) if membership.provider_id else Q(pk__in=[])
        if action == "view":
            assigned = Q(assignments__engagement__in=engagements_for(user))
            return self.filter(own | assigned).distinct()
        if membership.role == Role.MANAGER:
            return self.filter(own)
        return self.none()


class Agent(models.Model):
    """A provider's staff member (a virtual assistant) who may work on practices' engagements."""

    provider = models.ForeignKey("engagements.Provider", on_delete=models.PROTECT, related_name="agents")
    full_name = models.CharField(max_length=150)
    employee_ref = models.CharField(
        "Employee ID", max_length=60, blank=True, help_text="The agent's identifier in the provider's own systems."
    )
    email = models.EmailField(blank=True)
    country = CountryField(blank=True)
    languages = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=AgentStatus.choices, default=AgentStatus.CANDIDATE)
    hired_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgentQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "employee_ref"],
                condition=~Q(employee_ref=""),
                name="%(app_label)s_%(class)s_unique_employee_ref_per_provider",
                violation_error_message="Another agent of this provider already has that employee ID.",
            )
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("engagements:agent_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status == AgentStatus.LIVE
