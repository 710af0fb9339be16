"""Forms of training: they shape input; the rules are in onboarding.services.training."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from audits.models import Scorecard
from engagements.models import Agent
from onboarding.choices import AssessmentMethod, PrivacyLaw
from onboarding.models import TrainingModule
from onboarding.models.training_content import ATTACHMENT_HELP

DATE = forms.DateInput(attrs={"type": "date"})
CHOICES_OFFERED = 5


class ModuleForm(forms.ModelForm):
    method = forms.ChoiceField(choices=AssessmentMethod.choices, label="Assessed by")
    privacy_law = forms.ChoiceField(
        choices=[("", "—"), *PrivacyLaw.choices], required=False, help_text="For a privacy-law module: which law."
    )

    class Meta:
        model = TrainingModule
        fields = ["title", "kind", "material", "pass_mark", "max_attempts", "renewal_months"]
        widgets = {"material": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "renewal_months": "Empty: the completion never expires. Privacy law and data security default to 12.",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            from onboarding.services.training import assessment_of

            assessment = assessment_of(self.instance)
            self.fields["method"].initial = assessment.method
            self.fields["privacy_law"].initial = assessment.privacy_law

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class NewModuleForm(ModuleForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["renewal_months"].help_text += " Left empty on a new module, its kind's default applies."

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("renewal_months") is None:
            data.pop("renewal_months")  # the kind's default (12 months for privacy law and data security)
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(help_text=ATTACHMENT_HELP)


class QuestionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Question")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(1, CHOICES_OFFERED + 1):
            self.fields[f"choice_{index}"] = forms.CharField(required=False, label=f"Choice {index}", max_length=300)
            self.fields[f"correct_{index}"] = forms.BooleanField(required=False, label="Correct")

    def choices(self) -> list[tuple[str, bool]]:
        return [
            (self.cleaned_data[f"choice_{i}"], self.cleaned_data[f"correct_{i}"]) for i in range(1, CHOICES_OFFERED + 1)
        ]


class CurriculumItemForm(forms.Form):
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.none())
    required = forms.BooleanField(required=False, initial=True)
    scorecard = forms.ModelChoiceField(
        queryset=Scorecard.objects.none(), required=False, help_text="For a mock-call module: the scorecard."
    )

    def __init__(self, *args, engagement, **kwargs):
        from onboarding.services.training import modules_for_curriculum

        super().__init__(*args, **kwargs)
        taken = engagement.curriculum.items.values("module_id") if hasattr(engagement, "curriculum") else []
        self.fields["module"].queryset = modules_for_curriculum(engagement).exclude(pk__in=taken)
        self.fields["scorecard"].queryset = Scorecard.objects.filter(engagement=engagement)


class CompletionForm(forms.Form):
    """A trainer records that an agent (or, for a practice's own module, one of its staff) passed a module."""

    module = forms.ModelChoiceField(queryset=TrainingModule.objects.none())
    agent = forms.ModelChoiceField(queryset=Agent.objects.none(), required=False)
    person = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Practice staff member"
    )
    passed_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    score = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)

    def __init__(self, *args, user, **kwargs):
        from engagements.access import membership_of

        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = TrainingModule.objects.for_user(user)
        membership = membership_of(user)
        if membership and membership.provider_id:
            self.fields["agent"].queryset = Agent.objects.filter(provider_id=membership.provider_id)
            del self.fields["person"]
        elif membership and membership.practice_id:
            self.fields["person"].queryset = get_user_model().objects.filter(
                membership__practice_id=membership.practice_id, is_active=True
            )
            del self.fields["agent"]
        else:
            self.fields["agent"].queryset = Agent.objects.all()
            self.fields["person"].queryset = get_user_model().objects.filter(membership__practice__isnull=False)


class StaffAssignmentForm(forms.Form):
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.none())
    person = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Staff member")
    due_on = forms.DateField(widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        from engagements.access import membership_of

        super().__init__(*args, **kwargs)
        membership = membership_of(user)
        practice_id = membership.practice_id if membership else None
        self.fields["module"].queryset = TrainingModule.objects.filter(practice_id=practice_id)
        self.fields["person"].queryset = get_user_model().objects.filter(
            membership__practice_id=practice_id, is_active=True
        )


class QuizForm(forms.Form):
    """One checkbox group per question: the choices' text and ids, never which are correct."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedMultipleChoiceField(
                label=question.text,
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def answers(self) -> dict:
        return {name[1:]: picked for name, picked in self.cleaned_data.items()}
