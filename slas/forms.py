"""The SLA pages' forms. They validate shape; the rules live in the model's clean() and in slas.services."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from engagements.forms import DATE, UserFormMixin
from engagements.models import ServiceLine
from slas.ingest import MAX_ROWS
from slas.models import Metric, SLATarget

# 10,000 rows of the widest realistic CSV fit well under this; anything bigger cannot be a valid batch.
MAX_UPLOAD_BYTES = 3 * 1024 * 1024


class SLATargetForm(UserFormMixin, forms.ModelForm):
    """A practice manager agrees a target; warning-threshold and date rules come from SLATarget.clean()."""

    class Meta:
        model = SLATarget
        fields = [
            "metric",
            "service_line",
            "threshold",
            "warning_threshold",
            "period",
            "min_sample_size",
            "effective_from",
            "effective_to",
            "weight",
            "service_credit_percent",
        ]
        widgets = {"effective_from": DATE, "effective_to": DATE}

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if engagement is not None:
            self.instance.engagement = engagement
        current_metric = self.instance.metric_id if self.instance.pk else None
        # Retired metrics keep their history but take no new targets.
        self.fields["metric"].queryset = Metric.objects.filter(Q(is_active=True) | Q(pk=current_metric))
        self.fields["service_line"].queryset = ServiceLine.objects.all()
        self.fields["service_line"].empty_label = "All of the engagement's work"
        self.fields["service_credit_percent"].required = False  # left empty: no credit
        grace = self.instance.engagement.sla_grace_days if self.instance.engagement_id else 2
        self.fields["threshold"].help_text = (
            "The agreed level, in the metric's unit. A period is judged on its KPI rounded to 2 decimals, half to "
            "even — the value the portal shows — so 94.995% reads and counts as 95.00%."
        )
        self.fields["period"].help_text = (
            "A period is judged (a breach or warning, a service credit, evidence for ending the contract) only once "
            f"it is closed: its last day has passed in the practice's calendar, plus {grace} "
            f"day{'s' if grace != 1 else ''} of grace for late data. Until then its value is shown as so far, "
            "on track or at risk."
        )

    def clean_service_credit_percent(self):
        value = self.cleaned_data.get("service_credit_percent")
        return Decimal("0") if value is None else value


class MeasurementUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: engagement, metric, service_line, agent, date, value or numerator + denominator, external_id. "
            f"At most {MAX_ROWS:,} rows. Counts and values only — no patient details."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    allow_corrections = forms.BooleanField(
        required=False,
        help_text="Replace measurements already sent under the same external id with the values in this file.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; a batch may hold at most {MAX_ROWS:,} rows "
                f"({MAX_UPLOAD_BYTES // 1024 // 1024} MB). Split it and upload the parts one by one."
            )
        return upload


class UploadConfirmForm(forms.Form):
    """The second step: the previewed file, signed by the server, so what is saved is exactly what was checked."""

    payload = forms.CharField(widget=forms.HiddenInput)


class RemediationPlanForm(forms.Form):
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What will change, and how you will know it worked. Do not enter patient details.",
    )
    owner = forms.CharField(max_length=150, help_text="Who on your side answers for it.")
    due_on = forms.DateField(widget=DATE, label="Due on")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
