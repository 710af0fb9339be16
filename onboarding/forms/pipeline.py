"""Forms of the pipeline: start an onboarding, move it a stage forward, offboard it. They shape input only; the
rules are in onboarding.services.pipeline."""

import zoneinfo

from django import forms

from engagements.models import Agent
from onboarding.choices import OffboardReason, SourcingChannel

TIME_ZONES = [("", "—")] + [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class StartOnboardingForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=Agent.objects.none())
    sourcing_channel = forms.ChoiceField(choices=[("", "—"), *SourcingChannel.choices], required=False)
    time_zone = forms.ChoiceField(choices=TIME_ZONES, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="No patient details.")

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        # The provider's own agents who are not on this engagement's pipeline yet.
        self.fields["agent"].queryset = Agent.objects.filter(provider=engagement.provider).exclude(
            onboardings__engagement=engagement
        )


class MoveStageForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="No patient details.")


class OffboardForm(forms.Form):
    reason = forms.ChoiceField(choices=OffboardReason.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="No patient details.")
