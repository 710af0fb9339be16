from django import forms
from django.contrib.auth.forms import AuthenticationForm

from engagements.access import is_portal_admin, membership_of
from engagements.choices import AgentStatus, EngagementStatus, Role, Side, TokenKind, TokenScope
from engagements.models import Agent, Contract, Engagement, Location, Practice, Provider, ServiceLine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserFormMixin:
    """Forms receive the signed-in user, so that their choices offer only what that user may pick."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    """People sign in with their e-mail address, which is their username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "E-mail"
        self.fields["username"].widget.attrs["autocomplete"] = "email"


class PracticeForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["name", "kind", "timezone", "monthly_patient_volume", "in_house_monthly_cost", "website"]


class LocationForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address", "city", "region", "postal_code", "country", "phone"]


class ProviderForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "name",
            "headquarters_country",
            "delivery_countries",
            "languages",
            "coverage_24x7",
            "eye_care_experience_years",
            "eye_care_clients",
            "website",
            "description",
        ]
        widgets = {"delivery_countries": forms.SelectMultiple(attrs={"size": 6})}


class EngagementForm(UserFormMixin, forms.ModelForm):
    """Create: a practice manager picks the provider, an account manager the practice; their own side is fixed."""

    service_lines = forms.ModelMultipleChoiceField(
        queryset=ServiceLine.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Engagement
        fields = ["practice", "provider", "name", "service_lines", "target_go_live", "summary"]
        widgets = {"target_go_live": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = membership_of(self.user)
        if self.instance.pk:
            # The two sides of an engagement never change; a new pair is a new engagement.
            del self.fields["practice"], self.fields["provider"]
        elif not is_portal_admin(self.user) and membership is not None:
            own = "practice" if membership.side == Side.PRACTICE else "provider"
            del self.fields[own]
            self.own_side = (own, membership.organization)
            # The counterpart is picked from the directory by name only.
            counterpart = "provider" if own == "practice" else "practice"
            self.fields[counterpart].queryset = self.fields[counterpart].queryset.model.objects.order_by("name")

    def side_values(self) -> dict:
        values = {k: self.cleaned_data[k] for k in ("practice", "provider") if k in self.cleaned_data}
        if hasattr(self, "own_side"):
            values[self.own_side[0]] = self.own_side[1]
        return values


class EngagementStatusForm(forms.Form):
    """No step is pre-selected, so one click cannot move an engagement; a step back to an earlier stage needs a
    reason and an explicit confirmation."""

    status = forms.ChoiceField(label="Move to")
    note = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "Why (needed to go back)"}))
    confirm_back = forms.BooleanField(required=False, label="Yes, move the engagement back to an earlier stage")

    def __init__(self, *args, engagement: Engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        steps = [
            (s.value, s.label + (" (back)" if self.is_back(s.value) else ""))
            for s in engagement.allowed_next_statuses()
        ]
        self.fields["status"].choices = [("", "Choose a stage…"), *steps] if steps else []

    def is_back(self, status: str) -> bool:
        order = list(EngagementStatus.values)
        return status in order and order.index(status) < order.index(self.engagement.status)

    def clean(self):
        data = super().clean()
        if self.is_back(data.get("status", "")):
            if not data.get("note", "").strip():
                self.add_error("note", "Say why the engagement goes back to an earlier stage.")
            if not data.get("confirm_back"):
                self.add_error("confirm_back", "Confirm the step back.")
        return data


class ContractForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "starts_on",
            "ends_on",
            "evaluation_months",
            "notice_days",
            "auto_renew",
            "renewal_term_months",
            "signed_on",
            "checkpoint_interval_months",
            "termination_breach_count",
            "termination_window_months",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "signed_on": DATE}


class AgentForm(UserFormMixin, forms.ModelForm):
    class Meta:
        model = Agent
        fields = ["provider", "full_name", "employee_ref", "email", "country", "languages", "hired_on"]
        widgets = {"hired_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_portal_admin(self.user):
            # An account manager manages their own provider's agents only.
            del self.fields["provider"]

    def _post_clean(self):
        if "provider" not in self.fields and not self.instance.provider_id and membership_of(self.user):
            self.instance.provider = membership_of(self.user).provider
        super()._post_clean()

    def _get_validation_exclusions(self):
        # The provider is set by us, not typed in, but the per-provider employee-ID rule must still be checked.
        return super()._get_validation_exclusions() - {"provider"}


class AssignAgentForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=Agent.objects.none())

    def __init__(self, *args, engagement: Engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = (
            Agent.objects.filter(provider_id=engagement.provider_id)
            .exclude(status=AgentStatus.OFFBOARDED)
            .exclude(assignments__engagement=engagement)
        )


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.for_people(), initial=Role.STAFF)
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        required=False,
        help_text="For an agent's own login: the agent record it is linked to.",
    )

    def __init__(self, *args, provider=None, **kwargs):
        """A provider's managers may also invite their agents, each linked to an agent record without a login."""
        super().__init__(*args, **kwargs)
        if provider is None:
            del self.fields["agent"]
            return
        self.fields["role"].choices = Role.for_invitations()
        self.fields["agent"].queryset = Agent.objects.filter(provider=provider, login__isnull=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.AGENT and not cleaned.get("agent"):
            self.add_error("agent", "Choose the agent this login is for.")
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.for_people())


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 10 characters, not a common password.")
    password_again = forms.CharField(widget=forms.PasswordInput, label="Password again")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return cleaned


class ApiTokenForm(UserFormMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “Call-centre KPI feed”.")
    kind = forms.ChoiceField(choices=TokenKind.choices, widget=forms.RadioSelect, initial=TokenKind.PERSONAL)
    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="What the integration may do",
        help_text="For an integration token; a personal token acts as you. Fixed once the token is made.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = membership_of(self.user)
        if not (membership and membership.manages_provider):
            # Only a provider's managers create integration tokens, and always for their own provider.
            self.fields["kind"].choices = [(TokenKind.PERSONAL.value, TokenKind.PERSONAL.label)]
            del self.fields["scopes"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == TokenKind.INTEGRATION and not cleaned.get("scopes"):
            self.add_error("scopes", "Choose what the integration may do.")
        cleaned.setdefault("scopes", [])
        return cleaned
