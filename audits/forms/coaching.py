"""Forms for calibration, action plans and sampling. They validate shape; audits.services enforce the rules."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from audits.choices import InteractionType, Scale
from audits.models import AuditAssignment, Criterion, QualityAudit, SamplingPolicy, ScorecardVersion
from audits.services import sampling
from engagements.choices import Role
from engagements.models import Agent
from engagements.models.people import display_name

DATE = forms.DateInput(attrs={"type": "date"})
PATIENT_HELP = "Do not enter patient details."


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def engagement_people(engagement):
    """Either side's people (not agents, not integrations): who may own a plan."""
    return (
        get_user_model()
        .objects.filter(
            Q(membership__practice_id=engagement.practice_id) | Q(membership__provider_id=engagement.provider_id),
            membership__role__in=[Role.MANAGER, Role.STAFF],
            is_active=True,
        )
        .order_by("last_name", "first_name", "pk")
    )


def engagement_agents(engagement):
    return Agent.objects.filter(assignments__engagement=engagement).order_by("full_name")


class CalibrationSessionForm(forms.Form):
    title = forms.CharField(max_length=150)
    version = forms.ModelChoiceField(queryset=ScorecardVersion.objects.none(), label="Scorecard version")
    agent = forms.ModelChoiceField(queryset=Agent.objects.none(), required=False, help_text="Whose interaction.")
    interaction_type = forms.ChoiceField(choices=InteractionType.choices)
    interaction_ref = forms.CharField(
        label="Interaction reference", max_length=100, help_text="The call, ticket or claim id. " + PATIENT_HELP
    )
    interaction_date = forms.DateField(widget=DATE)
    deadline = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    expert = PersonChoiceField(queryset=get_user_model().objects.none(), help_text="The reference auditor.")
    participants = PeopleChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple, help_text="From either side."
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=PATIENT_HELP)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = (
            ScorecardVersion.objects.published().filter(scorecard__engagement=engagement).select_related("scorecard")
        )
        self.fields["agent"].queryset = engagement_agents(engagement)
        auditors = sampling.eligible_auditors(engagement).order_by("last_name", "first_name", "pk")
        self.fields["expert"].queryset = auditors
        self.fields["participants"].queryset = auditors
        self.fields["deadline"].initial = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def rating_choices(criterion) -> list[tuple[str, str]]:
    rule = criterion.rule()
    if criterion.scale == Scale.YES_NO:
        choices = [("1", "Yes"), ("0", "No")]
    else:
        choices = [(str(v), str(v)) for v in range(rule.minimum, rule.maximum + 1)]
    if criterion.allows_na:
        choices.append(("na", "N/A"))
    return [("", "—"), *choices]


class ScoreForm(forms.Form):
    """One choice per criterion of the session's version; `ratings()` gives the services' shape."""

    def __init__(self, *args, criteria, initial_ratings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            current = (initial_ratings or {}).get(criterion.pk)
            initial = (
                "na"
                if current and current.na
                else (str(current.value) if current and current.value is not None else "")
            )
            self.fields[f"c{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name + (" (critical)" if criterion.critical else ""),
                choices=rating_choices(criterion),
                required=False,
                initial=initial,
                help_text=criterion.guidance,
            )

    def ratings(self) -> dict:
        result = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"c{criterion.pk}")
            if value == "na":
                result[criterion.pk] = {"na": True}
            elif value not in (None, ""):
                result[criterion.pk] = {"value": int(value)}
        return result


class ActionPlanForm(forms.Form):
    title = forms.CharField(max_length=150)
    owner = PersonChoiceField(queryset=get_user_model().objects.none(), help_text="Who coaches the agent.")
    due_on = forms.DateField(widget=DATE, label="Items due")
    follow_up_on = forms.DateField(widget=DATE, label="Follow-up audit from")

    EXTRA_ITEMS = 2

    def __init__(self, *args, engagement, items=(), with_items=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = engagement_people(engagement)
        self.item_count = 0
        if not with_items:
            return
        criteria = Criterion.objects.filter(section__version__scorecard__engagement=engagement).select_related(
            "section__version__scorecard"
        )
        items = list(items)
        self.item_count = len(items) + self.EXTRA_ITEMS
        for i in range(self.item_count):
            item = items[i] if i < len(items) else {}
            self.fields[f"item{i}_description"] = forms.CharField(
                label=f"Item {i + 1}: what to improve",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.get("description", ""),
                help_text=PATIENT_HELP if i == 0 else "",
            )
            self.fields[f"item{i}_criteria"] = forms.ModelMultipleChoiceField(
                label=f"Item {i + 1}: criteria",
                queryset=criteria,
                required=False,
                initial=[c.pk for c in item.get("criteria", [])],
            )

    def items(self) -> list[dict]:
        result = []
        for i in range(self.item_count):
            description = (self.cleaned_data.get(f"item{i}_description") or "").strip()
            if description:
                result.append(
                    {"description": description, "criteria": list(self.cleaned_data.get(f"item{i}_criteria") or [])}
                )
        return result


class SamplingPolicyForm(forms.ModelForm):
    auditors = PeopleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Empty: the provider's managers.",
    )

    class Meta:
        model = SamplingPolicy
        fields = [
            "on_target_per_week",
            "below_per_week",
            "ramp_per_week",
            "critical_per_week",
            "trailing_weeks",
            "clean_weeks",
            "recognition_weeks",
            "auditors",
            "active",
        ]

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditors"].queryset = sampling.eligible_auditors(engagement).order_by("last_name", "pk")


class CompleteAssignmentForm(forms.Form):
    audit = forms.ModelChoiceField(queryset=QualityAudit.objects.none(), label="Done by audit")

    def __init__(self, *args, assignment: AuditAssignment, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audit"].queryset = (
            QualityAudit.objects.for_user(user)
            .scored()
            .filter(engagement_id=assignment.engagement_id, agent_id=assignment.agent_id, assignment__isnull=True)
            .order_by("-interaction_date")
        )
