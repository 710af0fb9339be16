"""The "propose a change" form. It checks the shape of the input; the rules live in services.changes."""

from django import forms

from engagements.choices import PricingBasis
from engagements.models import ChangeRequest, ServiceLine

Kind = ChangeRequest.Kind
DATE = forms.DateInput(attrs={"type": "date"})


def _kinds_using(name: str) -> list[str]:
    return [kind for kind, names in ChangeRequest.PAYLOAD_FIELDS.items() if name in names]


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Choose…"), *Kind.choices], label="What changes")
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.all(),
        to_field_name="code",
        required=False,
        help_text="For a rate change, leave empty to change the contract's rate per FTE hour.",
    )
    basis = forms.ChoiceField(
        choices=[("", "Choose…"), *PricingBasis.choices], required=False, label="How the new line is charged"
    )
    expected_monthly_volume = forms.IntegerField(min_value=0, required=False, label="Monthly volume")
    fte = forms.DecimalField(min_value=0, max_digits=6, decimal_places=2, required=False, label="FTEs")
    unit_rate = forms.DecimalField(min_value=0, max_digits=8, decimal_places=2, required=False, label="Rate per unit")
    hourly_rate = forms.DecimalField(
        min_value=0, max_digits=8, decimal_places=2, required=False, label="Rate per FTE hour"
    )
    ends_on = forms.DateField(required=False, widget=DATE, label="New end date")
    notice_days = forms.IntegerField(min_value=0, max_value=365, required=False, label="New notice period (days)")
    renewal_term_months = forms.IntegerField(
        min_value=1, max_value=60, required=False, label="New renewal term (months)"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the change is needed. No patient details.",
    )

    def payload_fields(self):
        """The kind-specific fields, each with the kinds that use it (the page shows only the relevant ones)."""
        return [(self[name], " ".join(_kinds_using(name))) for name in ChangeRequest.PAYLOAD_FIELDS_ORDER]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["basis"] = data.get("basis") or None
        return data


class DecisionNoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject. No patient details.",
    )
