"""Forms of the phased transition. They validate shape; the rules live in engagements.services.transition."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from engagements.forms import DATE, UserFormMixin
from engagements.models import GateCriterion, GateDecision, Milestone, ServiceLine, TransitionPhase
from engagements.models.people import display_name


class PhaseForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = TransitionPhase
        fields = ["name", "order", "service_lines", "planned_start", "planned_end"]
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "service_lines": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if engagement is not None:
            self.instance.engagement = engagement
        self.fields["order"].required = False
        self.fields["order"].help_text = "Leave empty to add the phase last."
        self.fields["service_lines"].queryset = ServiceLine.objects.all()


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return display_name(user)


class MilestoneForm(UserFormMixin, forms.ModelForm):
    owner_user = OwnerChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Owner (portal user)",
        help_text="Someone on either side of the engagement — or type a name below.",
    )

    class Meta:
        model = Milestone
        fields = ["title", "owner_user", "owner_name", "due_on"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, phase=None, **kwargs):
        super().__init__(*args, **kwargs)
        if phase is not None:
            self.instance.phase = phase
        engagement = self.instance.phase.engagement
        self.fields["owner_user"].queryset = (
            get_user_model()
            .objects.filter(
                Q(membership__practice_id=engagement.practice_id) | Q(membership__provider_id=engagement.provider_id),
                is_active=True,
            )
            .exclude(membership__role="integration")
            .order_by("first_name", "last_name", "email")
        )


class GateCriterionForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = GateCriterion
        fields = ["target", "consecutive_periods"]

    def __init__(self, *args, phase=None, **kwargs):
        super().__init__(*args, **kwargs)
        if phase is not None:
            self.instance.phase = phase
        # Only this engagement's targets are offered; the service refuses any other that is posted.
        self.fields["target"].queryset = self.instance.phase.engagement.sla_targets.select_related(
            "metric", "service_line"
        )
        self.fields["target"].label = "SLA target"


class GateDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=GateDecision.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for a no-go: what has to change. Do not enter patient details.",
    )
