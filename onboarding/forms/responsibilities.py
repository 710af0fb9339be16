"""Forms of the responsibilities area: they shape input; the services hold the rules."""

from django import forms
from django.db.models import Q

from engagements.models import ServiceLine
from onboarding.models import PolicyDocument, Rung, TrainingModule
from onboarding.services import responsibilities as services


class RungForm(forms.ModelForm):
    """A rung of an engagement's ladder: its line and prerequisites (modules and documents of that engagement)."""

    class Meta:
        model = Rung
        fields = [
            "service_line",
            "modules",
            "documents",
            "hold_weeks",
            "target_metric",
            "target_threshold",
            "target_days",
        ]
        widgets = {"modules": forms.CheckboxSelectMultiple, "documents": forms.CheckboxSelectMultiple}

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = services.lines_allowed(engagement)
        self.fields["modules"].queryset = TrainingModule.objects.filter(
            Q(provider_id=engagement.provider_id) | Q(practice_id=engagement.practice_id)
        )
        self.fields["documents"].queryset = PolicyDocument.objects.filter(
            Q(engagement=engagement) | Q(provider_id=engagement.provider_id)
        )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "modules": list(data.pop("modules")),
            "documents": list(data.pop("documents")),
            **{name: data[name] for name in services.EDITABLE},
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Do not enter patient details.")


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


STATES = [("", "Any"), ("held", "Holds a line"), ("suspended", "Has a suspension"), ("eligible", "Eligible now")]


class MatrixFilterForm(forms.Form):
    """The responsibilities matrix's filters."""

    q = forms.CharField(label="Agent", required=False)
    stage = forms.ChoiceField(required=False)
    line = forms.ModelChoiceField(
        ServiceLine.objects.all(), to_field_name="code", required=False, label="Service line", empty_label="Any"
    )
    state = forms.ChoiceField(choices=STATES, required=False, label="On that line")

    def __init__(self, *args, **kwargs):
        from engagements.choices import AgentStatus

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "Any"), *AgentStatus.choices]
