"""Forms for the communication plan. They validate shape; the rules live in engagements.services.communication."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from engagements.forms import DATE, UserFormMixin
from engagements.models import ActionItem, Contact, EscalationLevel, Meeting, MeetingCadence


class EngagementChildForm(UserFormMixin, forms.ModelForm):
    """A form for a row of one engagement: the engagement comes from the URL (or the row), never the form."""

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if engagement is not None:
            self.instance.engagement = engagement

    @property
    def engagement(self):
        return self.instance.engagement


class ContactForm(EngagementChildForm):
    class Meta:
        model = Contact
        fields = ["side", "role", "name", "email", "phone", "working_hours", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        engagement = self.engagement
        # A contact's account is someone on either side of this engagement.
        either_side = Q(membership__practice_id=engagement.practice_id) | Q(
            membership__provider_id=engagement.provider_id
        )
        self.fields["user"].queryset = get_user_model().objects.filter(either_side, is_active=True)
        self.fields["user"].label = "Portal account"


class EscalationLevelForm(EngagementChildForm):
    class Meta:
        model = EscalationLevel
        fields = ["level", "contact", "response_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(engagement=self.engagement)


class MeetingCadenceForm(EngagementChildForm):
    class Meta:
        model = MeetingCadence
        fields = ["kind", "name", "interval", "unit", "starts_on", "anchor"]
        widgets = {"starts_on": DATE}


class MeetingForm(EngagementChildForm):
    class Meta:
        model = Meeting
        fields = ["cadence", "kind", "held_on", "attendees", "notes", "decisions"]
        widgets = {"held_on": DATE, "attendees": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadence"].queryset = MeetingCadence.objects.filter(engagement=self.engagement)
        self.fields["cadence"].empty_label = "None (a one-off meeting)"
        self.fields["kind"].help_text = "Taken from the cadence when one is chosen."


class ActionItemForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "owner", "side", "due_on"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.instance.meeting = meeting


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label="Your feedback",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="How is the transition going for you? Do not enter patient details.",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Leave it anonymously",
        help_text="Your name is then not stored at all — not even in the change history.",
    )
