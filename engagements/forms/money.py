"""Forms of the scope and pricing pages. They check shape; engagements.services.money holds the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from engagements.forms import DATE, UserFormMixin
from engagements.models import Contract, ContractScope, OneOffFee, ServiceLine


class PricingForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["pricing_model", "hourly_rate", "fte_hours_per_month", "account_management_fee"]


class ScopeLineForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = ContractScope
        fields = ["service_line", "basis", "expected_monthly_volume", "fte", "unit_rate"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = ServiceLine.objects.all()
        self.fields["service_line"].to_field_name = "code"
        if self.instance.pk:
            self.initial["service_line"] = self.instance.service_line.code

    def _post_clean(self):
        # The rules behind the model's constraints (a per-unit line needs a rate, a service line once per contract)
        # are the money service's, which reports them on their field; skip the constraints' form-wide copies.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)


class TierForm(forms.Form):
    from_volume = forms.IntegerField(label="From units a month", min_value=0, required=False)
    unit_rate = forms.DecimalField(label="Rate per unit", min_value=0, max_digits=8, decimal_places=2, required=False)

    def clean(self):
        data = super().clean()
        if (data.get("from_volume") is None) != (data.get("unit_rate") is None):
            raise forms.ValidationError("A tier needs both its starting volume and its rate.")
        return data


TierFormSet = forms.formset_factory(TierForm, extra=3, max_num=10)


def tiers_from(formset) -> list[tuple]:
    """The filled-in tier rows, in the order they were entered (the service checks they ascend)."""
    return [
        (form.cleaned_data["from_volume"], form.cleaned_data["unit_rate"])
        for form in formset.forms
        if form.cleaned_data.get("from_volume") is not None
    ]


class OneOffFeeForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = OneOffFee
        fields = ["kind", "description", "amount", "due_on"]
        widgets = {"due_on": DATE}
