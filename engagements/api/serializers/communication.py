"""Shapes of the communication API. Serializers check shape and what the caller can see; rules live in
engagements.services.communication."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField
from engagements.choices import ReminderKind, Side
from engagements.models import (
    ActionItem,
    Contact,
    Engagement,
    EscalationLevel,
    Feedback,
    Meeting,
    MeetingCadence,
    Reminder,
)
from engagements.models.communication import CadenceAnchor, IntervalUnit, MeetingKind, ReminderSide
from engagements.models.people import display_name


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class VisibleObjectField(serializers.PrimaryKeyRelatedField):
    """A primary key among the objects the caller can see: unknown and out of sight read alike."""

    def __init__(self, noun: str, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = f"No {noun} with id {{pk_value}}."
        self.error_messages["incorrect_type"] = f"A {noun} is given by its id (a whole number)."


class ScopedSerializer(serializers.ModelSerializer):
    """Narrows each VisibleObjectField to the caller's `for_user` scope of its model."""

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is None or not user.is_authenticated:
            return
        for name, model in self.scoped_fields.items():
            if name in self.fields and not self.fields[name].read_only:
                self.fields[name].queryset = model.objects.for_user(user)


def engagement_field():
    return VisibleObjectField(
        "engagement", queryset=Engagement.objects.none(), help_text="The engagement's id; fixed once created."
    )


class ContactSerializer(ScopedSerializer):
    """A point of contact on one side of an engagement."""

    scoped_fields = {"engagement": Engagement}
    url = serializers.HyperlinkedIdentityField(view_name="contact-detail")
    engagement = engagement_field()
    side = EnumChoiceField(Side)
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The id of this person's portal account, if any (someone who can see the engagement).",
    )

    class Meta:
        model = Contact
        fields = ["id", "url", "engagement", "side", "role", "name", "email", "phone", "working_hours", "user"]


class EscalationLevelSerializer(ScopedSerializer):
    """One level of an engagement's escalation path."""

    scoped_fields = {"engagement": Engagement, "contact": Contact}
    url = serializers.HyperlinkedIdentityField(view_name="escalationlevel-detail")
    engagement = engagement_field()
    contact = VisibleObjectField("contact", queryset=Contact.objects.none(), help_text="A contact of the engagement.")
    contact_name = serializers.CharField(source="contact.name", read_only=True)

    class Meta:
        model = EscalationLevel
        fields = ["id", "url", "engagement", "level", "contact", "contact_name", "response_hours"]


class MeetingCadenceSerializer(ScopedSerializer):
    """How often one kind of meeting is held, and when the next one is due."""

    scoped_fields = {"engagement": Engagement}
    url = serializers.HyperlinkedIdentityField(view_name="meetingcadence-detail")
    engagement = engagement_field()
    kind = EnumChoiceField(MeetingKind)
    unit = EnumChoiceField(IntervalUnit, required=False)
    anchor = EnumChoiceField(CadenceAnchor, required=False)
    next_due = serializers.SerializerMethodField()

    class Meta:
        model = MeetingCadence
        fields = ["id", "url", "engagement", "kind", "name", "interval", "unit", "starts_on", "anchor", "next_due"]

    def get_next_due(self, cadence) -> str:
        last = getattr(cadence, "last_held", None)
        return cadence.next_due(last).isoformat()


class ActionItemSerializer(ScopedSerializer):
    """Something a meeting agreed someone would do, by a date. Marked done through `done/`."""

    scoped_fields = {"meeting": Meeting}
    url = serializers.HyperlinkedIdentityField(view_name="actionitem-detail")
    meeting = VisibleObjectField("meeting", queryset=Meeting.objects.none(), help_text="The meeting's id.")
    engagement = serializers.IntegerField(source="meeting.engagement_id", read_only=True)
    side = EnumChoiceField(Side, help_text="The owner's side: whose managers are reminded if it is late.")
    done_by = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "url", "meeting", "engagement", "title", "owner", "side", "due_on", "done_at", "done_by"]
        read_only_fields = ["done_at"]

    def get_done_by(self, item) -> str | None:
        return display_name(item.done_by)


class MeetingSerializer(ScopedSerializer):
    """A meeting held between the two sides, with its action items (added through /action-items/)."""

    scoped_fields = {"engagement": Engagement, "cadence": MeetingCadence}
    url = serializers.HyperlinkedIdentityField(view_name="meeting-detail")
    engagement = engagement_field()
    cadence = VisibleObjectField(
        "cadence", queryset=MeetingCadence.objects.none(), required=False, allow_null=True, help_text="Optional."
    )
    kind = EnumChoiceField(MeetingKind, required=False, help_text="Taken from the cadence when one is given.")
    action_items = ActionItemSerializer(many=True, read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "engagement",
            "cadence",
            "kind",
            "held_on",
            "attendees",
            "notes",
            "decisions",
            "action_items",
            "recorded_by",
            "created_at",
        ]

    def get_recorded_by(self, meeting) -> str | None:
        return display_name(meeting.recorded_by)


class FeedbackSerializer(ScopedSerializer):
    """Staff feedback on the transition. `anonymous: true` stores no author at all."""

    scoped_fields = {}
    url = serializers.HyperlinkedIdentityField(view_name="feedback-detail")
    engagement = engagement_field()
    anonymous = serializers.BooleanField(source="is_anonymous", required=False, default=False)
    author = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "url", "engagement", "text", "anonymous", "author", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    def get_author(self, feedback) -> str | None:
        return None if feedback.is_anonymous else display_name(feedback.author, "A former member")


class ReminderSerializer(serializers.ModelSerializer):
    """A reminder the daily job sent to a side (or to a person, for an escalation)."""

    kind = EnumChoiceField(ReminderKind)
    side = EnumChoiceField(ReminderSide)
    item_type = serializers.CharField(source="item_type.model", read_only=True)

    class Meta:
        model = Reminder
        fields = ["id", "kind", "item_type", "item_id", "due_on", "engagement", "side", "level", "title", "url"]
        fields += ["created_at"]
        read_only_fields = fields
