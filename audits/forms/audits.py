from django import forms
from django.utils import timezone

from audits.choices import DisputeDecision, InteractionType
from audits.models import QualityAudit, QualitySettings, ScorecardVersion
from audits.validators import validate_interaction_ref
from engagements.forms import UserFormMixin
from engagements.models import Agent, Engagement

PATIENT_HELP = "Do not enter patient details."
DATE = forms.DateInput(attrs={"type": "date"})


class AuditStartForm(UserFormMixin, forms.Form):
    """Which interaction of which agent, on which scorecard: the first step of an audit (a draft)."""

    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none())
    agent = forms.ModelChoiceField(queryset=Agent.objects.none(), help_text="An agent assigned to the engagement.")
    version = forms.ModelChoiceField(queryset=ScorecardVersion.objects.none(), label="Scorecard")
    interaction_type = forms.ChoiceField(choices=InteractionType.choices)
    interaction_ref = forms.CharField(
        label="Interaction reference",
        max_length=100,
        validators=[validate_interaction_ref],
        help_text="The call, ticket or claim number in your system — never a patient's name, phone, e-mail, "
        "date of birth or SSN.",
    )
    interaction_date = forms.DateField(widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        from audits.access import audit_engagements

        engagements = Engagement.objects.filter(pk__in=audit_engagements(self.user)).select_related("practice")
        self.fields["engagement"].queryset = engagements
        agents = Agent.objects.filter(assignments__engagement__in=engagements).distinct()
        versions = ScorecardVersion.objects.published().filter(scorecard__engagement__in=engagements)
        if engagement is not None:
            self.fields["engagement"].initial = engagement.pk
            agents = agents.filter(assignments__engagement=engagement)
            versions = versions.filter(scorecard__engagement=engagement)
        self.fields["agent"].queryset = agents
        self.fields["version"].queryset = versions.select_related("scorecard")


class RatingForm(forms.Form):
    """The rating form: one field per criterion (value or "na"), a comment each, and the overall feedback. Built
    from the audit's version so it shows the criteria by section."""

    feedback = forms.CharField(
        label="Overall feedback", widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=PATIENT_HELP
    )

    def __init__(self, *args, audit: QualityAudit, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.criteria = list(audit.version.ordered_criteria())
        current = {r.criterion_id: r for r in audit.ratings.all()}
        self.fields["feedback"].initial = audit.feedback
        for criterion in self.criteria:
            choices = [("", "—")] + self._choices(criterion)
            rating = current.get(criterion.pk)
            initial = "" if rating is None else ("na" if rating.na else str(rating.value))
            self.fields[f"rating_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name, choices=choices, required=False, initial=initial
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label="Comment",
                required=False,
                initial=rating.comment if rating else "",
                widget=forms.TextInput(attrs={"placeholder": "Optional. " + PATIENT_HELP}),
            )

    @staticmethod
    def _choices(criterion):
        rule = criterion.rule()
        if criterion.scale == "yes_no":
            choices = [("1", "Yes"), ("0", "No")]
        else:
            choices = [(str(v), str(v)) for v in range(rule.minimum, rule.maximum + 1)]
        return choices + ([("na", "N/A")] if criterion.allows_na else [])

    def sections(self):
        """[(section, [(criterion, rating field, comment field)])] in order, for the template."""
        grouped = []
        for criterion in self.criteria:
            if not grouped or grouped[-1][0] != criterion.section:
                grouped.append((criterion.section, []))
            grouped[-1][1].append((criterion, self[f"rating_{criterion.pk}"], self[f"comment_{criterion.pk}"]))
        return grouped

    def ratings(self) -> dict:
        """{criterion id: {value, na, comment}} of what was rated."""
        result = {}
        for criterion in self.criteria:
            raw = self.cleaned_data.get(f"rating_{criterion.pk}")
            comment = self.cleaned_data.get(f"comment_{criterion.pk}", "")
            if raw == "na":
                result[criterion.pk] = {"na": True, "comment": comment}
            elif raw not in (None, ""):
                result[criterion.pk] = {"value": int(raw), "comment": comment}
            elif comment:
                result[criterion.pk] = {"value": None, "comment": comment}
        return result


class DisputeForm(forms.Form):
    """Which ratings the agent disputes, what they propose instead, and why."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why. " + PATIENT_HELP)

    def __init__(self, *args, audit: QualityAudit, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(audit.version.ordered_criteria())
        current = {r.criterion_id: r for r in audit.ratings.all()}
        self.rows = []
        for criterion in self.criteria:
            rating = current.get(criterion.pk)
            given = "N/A" if rating and rating.na else (rating.value if rating else "—")
            choices = [("", f"Keep ({given})")] + RatingForm._choices(criterion)
            self.fields[f"propose_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name, choices=choices, required=False
            )
            self.fields[f"why_{criterion.pk}"] = forms.CharField(label="Why", required=False)
            self.rows.append((criterion, self[f"propose_{criterion.pk}"], self[f"why_{criterion.pk}"]))

    def items(self) -> dict:
        result = {}
        for criterion in self.criteria:
            raw = self.cleaned_data.get(f"propose_{criterion.pk}")
            if raw in (None, ""):
                continue
            proposal = {"na": True} if raw == "na" else {"value": int(raw)}
            result[criterion.pk] = {**proposal, "reason": self.cleaned_data.get(f"why_{criterion.pk}", "")}
        return result


class DecideForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why you decided so. " + PATIENT_HELP)

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for item in dispute.items.select_related("criterion"):
            self.fields[f"decision_{item.criterion_id}"] = forms.ChoiceField(
                label=item.criterion.name, choices=DisputeDecision.choices, initial=DisputeDecision.KEEP
            )
            self.fields[f"value_{item.criterion_id}"] = forms.ChoiceField(
                label="Other rating", choices=[("", "—")] + RatingForm._choices(item.criterion), required=False
            )
            self.rows.append((item, self[f"decision_{item.criterion_id}"], self[f"value_{item.criterion_id}"]))

    def decisions(self) -> dict:
        result = {}
        for item, _, _ in self.rows:
            decision = self.cleaned_data[f"decision_{item.criterion_id}"]
            raw = self.cleaned_data.get(f"value_{item.criterion_id}")
            data = {"decision": decision}
            if decision == DisputeDecision.SET:
                data.update({"na": True} if raw == "na" else {"value": int(raw) if raw not in (None, "") else None})
            result[item.criterion_id] = data
        return result


class QualitySettingsForm(forms.ModelForm):
    class Meta:
        model = QualitySettings
        fields = ["dispute_window_days", "dispute_decision_days"]
