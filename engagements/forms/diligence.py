"""Forms of provider due diligence: a certification with its evidence file, the checklist, the decision."""

from django import forms

from engagements.forms import DATE, UserFormMixin
from engagements.models import Certification
from engagements.models.diligence import (
    DATE_ITEMS,
    MAX_RATING,
    NUMBER_ITEMS,
    DiligenceDecision,
)

RATING_CHOICES = [("", "Not rated")] + [(str(n), str(n)) for n in range(MAX_RATING + 1)]


class CertificationForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["kind", "other_name", "issuer", "issued_on", "expires_on", "evidence"]
        widgets = {
            "issued_on": DATE,
            "expires_on": DATE,
            "evidence": forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A certificate's evidence is replaced by a new upload, never cleared by a checkbox.
        self.fields["evidence"].widget = forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"})

    def clean(self):
        cleaned = super().clean()
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on <= issued_on:
            self.add_error("expires_on", "A certification must expire after it was issued.")
        if cleaned.get("kind") == "other" and not (cleaned.get("other_name") or "").strip():
            self.add_error("other_name", "Name a certification of kind “Other”.")
        return cleaned


class ChecklistItemForm(forms.Form):
    """One checklist row on the review page; the row's item is given, so only its answers are posted."""

    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, label="Rating"
    )
    weight = forms.IntegerField(min_value=1, max_value=10, label="Weight")
    evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Evidence",
        help_text="What you saw or were told. No patient details.",
    )
    date_value = forms.DateField(required=False, widget=DATE)
    number_value = forms.DecimalField(required=False, min_value=0, max_digits=8, decimal_places=1)

    def __init__(self, *args, item, **kwargs):
        self.item = item
        kwargs.setdefault("prefix", item.key)
        kwargs.setdefault(
            "initial",
            {
                "rating": item.rating,
                "weight": item.weight,
                "evidence": item.evidence,
                "date_value": item.date_value,
                "number_value": item.number_value,
            },
        )
        super().__init__(*args, **kwargs)
        if item.key in DATE_ITEMS:
            self.fields["date_value"].label = DATE_ITEMS[item.key]
        else:
            del self.fields["date_value"]
        if item.key in NUMBER_ITEMS:
            self.fields["number_value"].label = NUMBER_ITEMS[item.key]
        else:
            del self.fields["number_value"]


class DiligenceDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DiligenceDecision.choices, widget=forms.RadioSelect)
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you approve with conditions: what the provider must do, and by when.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == DiligenceDecision.APPROVE_WITH_CONDITIONS
            and not (cleaned.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "State the conditions of the approval.")
        return cleaned
