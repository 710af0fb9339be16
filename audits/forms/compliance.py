"""Forms of provider compliance audits. They check shape; the services in audits.services.compliance apply the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from audits.choices import CorrectiveActionStatus, FindingSeverity, RequirementResult
from audits.models import ComplianceAudit, ComplianceSchedule, CorrectiveAction, Finding
from audits.models.compliance import NO_PATIENT_DETAILS
from engagements.choices import Role
from engagements.models.people import display_name

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = {"accept": ".pdf,.png,.jpg,.jpeg"}
NOTES = forms.Textarea(attrs={"rows": 2, "placeholder": NO_PATIENT_DETAILS})


class ComplianceScheduleForm(forms.ModelForm):
    class Meta:
        model = ComplianceSchedule
        fields = ["frequency", "first_due_on"]
        widgets = {"first_due_on": DATE}


class StartComplianceAuditForm(forms.Form):
    period_start = forms.DateField(widget=DATE)
    period_end = forms.DateField(widget=DATE)
    baseline = forms.ModelChoiceField(
        queryset=ComplianceAudit.objects.none(),
        required=False,
        empty_label="None — start from the checklist",
        help_text="Copy an earlier audit's results and notes as the starting point.",
    )
    summary = forms.CharField(required=False, widget=NOTES, help_text=NO_PATIENT_DETAILS)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline"].queryset = engagement.compliance_audits.order_by("-period_end", "-pk")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after its start.")
        return cleaned


class RequirementResultForm(forms.Form):
    """One requirement's result and notes, prefixed by its key on the audit page."""

    result = forms.ChoiceField(choices=[("", "Not assessed")] + RequirementResult.choices, required=False)
    notes = forms.CharField(required=False, widget=NOTES)

    def __init__(self, *args, requirement, **kwargs):
        self.requirement = requirement
        kwargs.setdefault("initial", {"result": requirement.result, "notes": requirement.notes})
        super().__init__(*args, prefix=requirement.key, **kwargs)


class EvidenceForm(forms.Form):
    file = forms.FileField(widget=forms.ClearableFileInput(attrs=ACCEPT), help_text="PDF, PNG or JPEG, up to 10 MB.")


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["title", "severity", "requirement", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "placeholder": NO_PATIENT_DETAILS})}

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = audit.requirements.all()
        self.fields["severity"].choices = FindingSeverity.choices


class FindingResponseForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "placeholder": NO_PATIENT_DETAILS}))


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return display_name(user)


class CorrectiveActionForm(forms.ModelForm):
    owner = OwnerChoiceField(queryset=get_user_model().objects.none())

    class Meta:
        model = CorrectiveAction
        fields = ["description", "owner", "due_on", "status"]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 3, "placeholder": NO_PATIENT_DETAILS})}

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        # The people of either side of the engagement (not its integrations); the service checks it again.
        sides = Q(membership__practice_id=engagement.practice_id) | Q(membership__provider_id=engagement.provider_id)
        people = get_user_model().objects.filter(sides, is_active=True).exclude(membership__role=Role.INTEGRATION)
        self.fields["owner"].queryset = people.order_by("first_name", "last_name", "email")
        self.fields["status"].choices = [
            (value, CorrectiveActionStatus(value).label) for value in CorrectiveActionStatus.unfinished()
        ]


class CloseCorrectiveActionForm(forms.Form):
    closing_note = forms.CharField(
        label="What was done", widget=forms.Textarea(attrs={"rows": 3, "placeholder": NO_PATIENT_DETAILS})
    )
    closing_evidence = forms.FileField(
        label="Evidence", widget=forms.ClearableFileInput(attrs=ACCEPT), help_text="PDF, PNG or JPEG, up to 10 MB."
    )
