from django import forms

from audits.models import Criterion, Section
from audits.starters import STARTER_CHOICES
from engagements.forms import UserFormMixin
from engagements.models import Engagement, ServiceLine


class ScorecardForm(UserFormMixin, forms.Form):
    """A new scorecard for one of the user's engagements, empty or from a starter."""

    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none())
    name = forms.CharField(max_length=120, required=False, help_text="Leave empty to use the starter's name.")
    starter = forms.ChoiceField(choices=STARTER_CHOICES, required=False, label="Start from")
    service_line = forms.ModelChoiceField(queryset=ServiceLine.objects.all(), required=False)
    pass_mark = forms.DecimalField(min_value=0, max_value=100, initial=85, decimal_places=2)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Do not enter patient details."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = Engagement.objects.for_user(self.user, "change").select_related(
            "practice", "provider"
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("starter") and not cleaned.get("name"):
            self.add_error("name", "Name the scorecard, or start from a starter.")
        return cleaned


class PassMarkForm(forms.Form):
    pass_mark = forms.DecimalField(min_value=0, max_value=100, decimal_places=2)


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["section", "name", "guidance", "weight", "scale", "max_points", "allows_na", "critical"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = version.sections.all() if version else Section.objects.none()
