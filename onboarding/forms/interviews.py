"""Forms for interview rounds, scheduling, feedback and overrides. They validate shape; onboarding.services.interviews
enforces the rules."""

from django import forms
from django.contrib.auth import get_user_model

from engagements.models.people import display_name
from onboarding.models import InterviewRound
from onboarding.services import interviews as interview_services

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RATING_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        membership = getattr(obj, "membership", None)
        side = f" ({membership.organization})" if membership else ""
        return f"{display_name(obj)}{side}"


class InterviewRoundForm(forms.ModelForm):
    expected_skills = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One skill per line; each interviewer rates each 1–5.",
    )

    class Meta:
        model = InterviewRound
        fields = ["number", "name", "expected_skills", "expected_average"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["expected_skills"] = "\n".join(self.instance.expected_skills)

    def clean_expected_skills(self):
        return [line.strip() for line in self.cleaned_data["expected_skills"].splitlines() if line.strip()]


class ScheduleInterviewForm(forms.Form):
    round = forms.ModelChoiceField(queryset=InterviewRound.objects.none(), empty_label=None)
    scheduled_at = forms.DateTimeField(label="When", widget=DATETIME)
    interviewers = PeopleChoiceField(
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="From either side: the practice may interview the assistants who will speak to its patients.",
    )

    def __init__(self, *args, onboarding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = InterviewRound.objects.filter(
            hiring_profile__engagement=onboarding.engagement
        ).order_by("number")
        upcoming = interview_services.next_round(onboarding)
        if upcoming is not None:
            self.fields["round"].initial = upcoming.pk
        self.fields["interviewers"].queryset = interview_services.eligible_interviewers(
            onboarding.engagement
        ).select_related("membership__practice", "membership__provider")


class FeedbackForm(forms.Form):
    """One 1–5 rating per expected skill of the round, notes, and cleared or not."""

    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="About the answers; no patient details."
    )
    cleared = forms.TypedChoiceField(
        choices=[("yes", "Cleared"), ("no", "Not cleared")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Your verdict",
    )

    def __init__(self, *args, interview, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = list(interview.round.expected_skills)
        for index, skill in enumerate(self.skills):
            self.fields[f"skill_{index}"] = forms.TypedChoiceField(
                label=skill, choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
            )
            self.fields[f"skill_{index}"].choices = RATING_CHOICES[1:]
        self.order_fields([f"skill_{i}" for i in range(len(self.skills))] + ["notes", "cleared"])
        if instance is not None and not self.is_bound:
            for index, skill in enumerate(self.skills):
                self.initial[f"skill_{index}"] = instance.ratings.get(skill)
            self.initial["notes"] = instance.notes
            self.initial["cleared"] = "yes" if instance.cleared else "no"

    def ratings(self) -> dict:
        return {skill: self.cleaned_data[f"skill_{index}"] for index, skill in enumerate(self.skills)}


class OverrideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the candidate passes this round despite its feedback. Kept with your name and the time.",
    )
