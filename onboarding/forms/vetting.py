"""Forms of vetting: the hiring profile's requirements, a result recorded by the provider, a typing-test link."""

from django import forms
from django.utils import timezone

from audits.models import Scorecard, ScorecardVersion
from onboarding.choices import AssessmentKind, CEFRLevel

DATE = forms.DateInput(attrs={"type": "date"})


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(choices=AssessmentKind.choices)
    required = forms.BooleanField(required=False, initial=True, help_text="Must be passed before interviews.")
    min_cefr = forms.ChoiceField(
        choices=[("", "—"), *CEFRLevel.choices], required=False, label="Minimum CEFR level", help_text="English only."
    )
    min_score = forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=2,
        label="Pass mark",
        help_text="Typing: net WPM. Cognitive, behavioural match, trial audit: 0–100.",
    )
    min_accuracy = forms.DecimalField(
        required=False, max_digits=5, decimal_places=2, label="Minimum accuracy (%)", help_text="Typing only."
    )
    scorecard = forms.ModelChoiceField(
        queryset=Scorecard.objects.none(),
        required=False,
        help_text="Trial audit only: the scorecard the mock call is scored with.",
    )

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].queryset = Scorecard.objects.filter(engagement=engagement)


class ResultForm(forms.Form):
    kind = forms.ChoiceField(choices=AssessmentKind.choices)
    test_name = forms.CharField(max_length=100, help_text="E.g. EF SET, Wonderlic, the behavioural profile's name.")
    taken_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    raw_score = forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=2,
        label="Score",
        help_text="The test's own score (EF SET 0–100 maps to CEFR by itself).",
    )
    cefr_level = forms.ChoiceField(
        choices=[("", "—"), *CEFRLevel.choices],
        required=False,
        label="CEFR level",
        help_text="English, where the test gives a level rather than a mapped score.",
    )
    net_wpm = forms.DecimalField(required=False, max_digits=6, decimal_places=2, label="Net WPM", help_text="Typing.")
    accuracy = forms.DecimalField(
        required=False, max_digits=5, decimal_places=2, label="Accuracy (%)", help_text="Typing."
    )
    scorecard_version = forms.ModelChoiceField(
        queryset=ScorecardVersion.objects.none(),
        required=False,
        help_text="Trial audit: the published version the call was scored on.",
    )
    passed = forms.NullBooleanField(
        required=False,
        widget=forms.NullBooleanSelect,
        help_text="Only where the hiring profile does not require this assessment.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="No patient details.")

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorecard_version"].queryset = (
            ScorecardVersion.objects.published().filter(scorecard__engagement=engagement).select_related("scorecard")
        )


class TypingLinkForm(forms.Form):
    email = forms.EmailField(required=False, help_text="Leave empty to use the candidate's own e-mail address.")
