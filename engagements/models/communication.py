"""Communication and escalation: who to call on each side, the escalation path, the meeting cadence, meetings
with their action items, staff feedback on the transition — and the reminders the beat job has sent.

Both sides' managers keep contacts, levels, cadences, meetings and action items ("both comment and meet");
everyone on the engagement reads them. Staff feedback is the practice's change-management channel: its staff
and managers write it, only the practice's managers read it.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from engagements.access import EngagementScopedQuerySet, engagements_for, is_portal_admin, membership_of
from engagements.choices import ReminderKind, Side

NO_PATIENT_DETAILS = "Do not enter patient details."
BOTH = "both"


class ReminderSide(models.TextChoices):
    """Who a reminder is for: one side's managers, or both sides'."""

    PRACTICE = Side.PRACTICE.value, Side.PRACTICE.label
    PROVIDER = Side.PROVIDER.value, Side.PROVIDER.label
    BOTH = BOTH, "Both sides"


SIDE_OR_BOTH = ReminderSide.choices


class CommunicationQuerySet(EngagementScopedQuerySet):
    """Both sides read; both sides' managers (change_engagement) write."""


class Contact(models.Model):
    """A point of contact on one side of an engagement: who to reach, how, and when."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="contacts")
    side = models.CharField(max_length=10, choices=Side.choices)
    role = models.CharField(max_length=100, help_text="e.g. “Account manager”, “Billing lead”, “Practice owner”.")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    working_hours = models.CharField(
        max_length=100, blank=True, help_text="e.g. “Mon–Fri 8:00–17:00 Eastern”. Say which time zone."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagement_contacts",
        help_text="The portal account of this person, if they have one: escalations then also reach them in-app.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["side", "name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.role}, {self.get_side_display()})"

    def get_absolute_url(self):
        return reverse("engagements:communication", args=[self.engagement_id])


class EscalationLevel(models.Model):
    """One step of an engagement's escalation path: whom to reach at this level and how fast they answer."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="escalation_levels")
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(20)])
    contact = models.ForeignKey("engagements.Contact", on_delete=models.PROTECT, related_name="escalation_levels")
    response_hours = models.PositiveIntegerField(
        "Expected response (hours)",
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="How soon this level answers. An unanswered overdue remediation moves to the next level then.",
    )

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "level"],
                name="%(app_label)s_%(class)s_one_per_level",
                violation_error_message="This engagement already has a contact at that level.",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1),
                name="%(app_label)s_%(class)s_level_from_one",
                violation_error_message="Levels start at 1.",
            ),
        ]

    def __str__(self):
        return f"Level {self.level}: {self.contact.name}"

    def get_absolute_url(self):
        return reverse("engagements:communication", args=[self.engagement_id])

    def clean(self):
        if self.contact_id and self.engagement_id and self.contact.engagement_id != self.engagement_id:
            raise ValidationError({"contact": "Choose a contact of this engagement."})

    @property
    def response_days(self) -> int:
        """Whole days the job waits before the next level: the beat job runs once a day."""
        return max(1, -(-self.response_hours // 24))


class MeetingKind(models.TextChoices):
    WEEKLY_CHECK_IN = "weekly_check_in", "Weekly check-in"
    MONTHLY_REVIEW = "monthly_review", "Monthly performance review"
    QUARTERLY_REVIEW = "quarterly_review", "Quarterly business review"
    CUSTOM = "custom", "Other"


class IntervalUnit(models.TextChoices):
    WEEKS = "weeks", "Weeks"
    MONTHS = "months", "Months"


class CadenceAnchor(models.TextChoices):
    LAST_MEETING = "last_meeting", "From the last meeting held"
    SCHEDULE = "schedule", "On a fixed schedule from the start date"


class MeetingCadence(models.Model):
    """How often the two sides meet for one kind of meeting, and when the next one is due."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="cadences")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    name = models.CharField(max_length=100, blank=True, help_text="For other meetings: what they are called.")
    interval = models.PositiveSmallIntegerField(
        "Every", default=1, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    unit = models.CharField(max_length=10, choices=IntervalUnit.choices, default=IntervalUnit.WEEKS)
    starts_on = models.DateField(help_text="The first meeting's date.")
    anchor = models.CharField(
        "Next meeting counted",
        max_length=15,
        choices=CadenceAnchor.choices,
        default=CadenceAnchor.LAST_MEETING,
        help_text="From the last meeting held (a late meeting moves the next one), or on a fixed schedule.",
    )

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval__gte=1),
                name="%(app_label)s_%(class)s_interval_positive",
                violation_error_message="A cadence repeats at least every 1 week or month.",
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("engagements:communication", args=[self.engagement_id])

    @property
    def label(self) -> str:
        return self.name if self.kind == MeetingKind.CUSTOM and self.name else self.get_kind_display()

    def step(self, times: int = 1) -> relativedelta:
        if self.unit == IntervalUnit.WEEKS:
            return relativedelta(weeks=self.interval * times)
        return relativedelta(months=self.interval * times)

    def describe(self) -> str:
        unit = self.get_unit_display().lower()
        return f"every {unit[:-1]}" if self.interval == 1 else f"every {self.interval} {unit}"

    def next_due(self, last_held=None):
        """The next meeting's date, given the date of the last meeting held under this cadence (or None)."""
        if last_held is None or last_held < self.starts_on:
            return self.starts_on
        if self.anchor == CadenceAnchor.LAST_MEETING:
            return last_held + self.step()
        # Fixed schedule: the first scheduled date after the last meeting. Each date is counted from the start
        # (not from the previous date), so month ends do not drift: 31 Jan, 28 Feb, 31 Mar.
        times = 1
        while self.starts_on + self.step(times) <= last_held:
            times += 1
        return self.starts_on + self.step(times)


class Meeting(models.Model):
    """A meeting held between the two sides: who came, what was said and decided."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="meetings")
    cadence = models.ForeignKey(
        "engagements.MeetingCadence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        help_text="The cadence this meeting keeps, if any: it moves that cadence's next due date.",
    )
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.WEEKLY_CHECK_IN)
    held_on = models.DateField("Date")
    attendees = models.TextField(help_text="Who took part, on both sides.")
    notes = models.TextField(blank=True, help_text=NO_PATIENT_DETAILS)
    decisions = models.TextField(blank=True, help_text=NO_PATIENT_DETAILS)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            # The communication page and a cadence's next due date read an engagement's latest meetings.
            models.Index(fields=["engagement", "-held_on"], name="meeting_engagement_date_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.held_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("engagements:meeting_detail", args=[self.pk])

    def clean(self):
        if self.cadence_id and self.engagement_id and self.cadence.engagement_id != self.engagement_id:
            raise ValidationError({"cadence": "Choose a cadence of this engagement."})


class ActionItemQuerySet(EngagementScopedQuerySet):
    engagement_path = "meeting__engagement"

    def open(self):
        return self.filter(done_at__isnull=True)


class ActionItem(models.Model):
    """Something a meeting agreed someone would do, by a date."""

    meeting = models.ForeignKey("engagements.Meeting", on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200, help_text=NO_PATIENT_DETAILS)
    owner = models.CharField(max_length=150, help_text="Who answers for it.")
    side = models.CharField(
        "Owner's side", max_length=10, choices=Side.choices, help_text="Whose managers are reminded if it is late."
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The reminder source looks for open items past their due date.
            models.Index(fields=["due_on"], name="action_item_open_due_idx", condition=Q(done_at=None)),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class EscalationQuerySet(EngagementScopedQuerySet):
    engagement_path = "level__engagement"


class Escalation(models.Model):
    """An overdue remediation taken to one level of the escalation path. Each level is reached once per breach."""

    breach = models.ForeignKey("slas.Breach", on_delete=models.CASCADE, related_name="escalations")
    level = models.ForeignKey("engagements.EscalationLevel", on_delete=models.PROTECT, related_name="escalations")
    level_number = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="The practice-local date this level became due.")
    reached_on = models.DateField(help_text="The practice-local date the job told this level (later if it ran late).")
    escalated_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["breach", "level_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "level_number"],
                name="%(app_label)s_%(class)s_once_per_breach_and_level",
                violation_error_message="This breach has already been escalated to that level.",
            ),
        ]

    def __str__(self):
        return f"Breach #{self.breach_id} escalated to level {self.level_number}"


class FeedbackQuerySet(EngagementScopedQuerySet):
    def for_user(self, user, action: str = "view"):
        # Feedback is the practice's change-management channel: only its managers read it.
        return super().for_user(user, "give_feedback" if action == "give" else "manage_contract")


class Feedback(models.Model):
    """What a member of the practice's staff says about the transition. Anonymous feedback stores no author at
    all (and is not written to the audit log, whose actor would name them)."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="feedback")
    text = models.TextField(help_text=NO_PATIENT_DETAILS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_anonymous = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "feedback"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(author__isnull=True),
                name="%(app_label)s_%(class)s_anonymous_has_no_author",
                violation_error_message="Anonymous feedback keeps no author.",
            ),
        ]

    def __str__(self):
        return f"Feedback on {self.engagement.name} ({self.created_at:%d %b %Y})"

    def get_absolute_url(self):
        return reverse("engagements:feedback", args=[self.engagement_id])


class ReminderQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """A side's reminders on the engagements it can see, and any reminder addressed to the user."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_portal_admin(user):
            return self
        membership = membership_of(user)
        mine = Q(recipients=user)
        if membership is not None:
            mine |= Q(engagement__in=engagements_for(user), side__in=[membership.side, BOTH])
        return self.filter(mine).distinct()


class Reminder(models.Model):
    """A reminder the beat job sent: once per kind, item and due date, guaranteed by the database."""

    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    item_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    item_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("item_type", "item_id")
    due_on = models.DateField()
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    side = models.CharField(max_length=10, choices=SIDE_OR_BOTH)
    level = models.CharField(max_length=10, default="warning")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reminders")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Once per item and due date, and per engagement: one provider's certificate is a reminder on each of
        # its engagements. Two partial constraints, because NULLs are distinct in a unique index.
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_type", "item_id", "due_on", "engagement"],
                condition=models.Q(engagement__isnull=False),
                name="%(app_label)s_%(class)s_once_per_item_and_due_date",
                violation_error_message="This reminder has already been sent.",
            ),
            models.UniqueConstraint(
                fields=["kind", "item_type", "item_id", "due_on"],
                condition=models.Q(engagement__isnull=True),
                name="%(app_label)s_%(class)s_once_per_provider_item_and_due_date",
                violation_error_message="This reminder has already been sent.",
            ),
        ]
        indexes = [
            # The reminders page: one engagement's newest first.
            models.Index(fields=["engagement", "-created_at"], name="reminder_engagement_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url or "/"

    @property
    def key(self) -> str:
        """The notification key: the same reminder never notifies a person twice."""
        return f"reminder:{self.kind}:{self.item_type_id}:{self.item_id}:{self.due_on:%Y-%m-%d}"
