"""Shapes of the engagements API. Serializers check shape and tenancy of what is sent; rules live in services."""

from django.contrib.auth import get_user_model
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bpo_portal.api.fields import EnumChoiceField, NullOnReadDecimalField, SummaryRelatedField, TimeZoneField
from engagements import services
from engagements.access import is_portal_admin, membership_of
from engagements.choices import AgentStatus, EngagementStatus, PracticeKind, Role, ServiceCategory, Side
from engagements.models import (
    Agent,
    AgentAssignment,
    Contract,
    Engagement,
    EngagementStatusChange,
    Location,
    Practice,
    Provider,
    ServiceLine,
)
from engagements.models.people import display_name


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- Summaries: how one object appears inside another ---------------------------------------------------------------


class PracticeSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="practice-detail")

    class Meta:
        model = Practice
        fields = ["id", "url", "name"]


class ProviderSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="provider-detail")

    class Meta:
        model = Provider
        fields = ["id", "url", "name"]


class AgentSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="agent-detail")

    class Meta:
        model = Agent
        fields = ["id", "url", "full_name"]


# --- Catalogue and directory ----------------------------------------------------------------------------------------


class ServiceLineSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="serviceline-detail", lookup_field="code")
    category = EnumChoiceField(ServiceCategory, read_only=True)

    class Meta:
        model = ServiceLine
        fields = ["code", "url", "name", "category", "description", "sort_order"]


class LocationSerializer(CountryFieldMixin, serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "city", "region", "postal_code", "country", "phone"]
        read_only_fields = fields


class PracticeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="practice-detail")
    kind = EnumChoiceField(PracticeKind, required=False)
    locations = LocationSerializer(many=True, read_only=True)
    timezone = TimeZoneField(required=False)
    in_house_monthly_cost = NullOnReadDecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=False,
        help_text="What the outsourceable work costs the practice in-house each month. Only the practice's own "
        "people and portal admins see it; it reads null for everyone else.",
    )

    class Meta:
        model = Practice
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "timezone",
            "monthly_patient_volume",
            "in_house_monthly_cost",
            "website",
            "locations",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, practice):
        data = super().to_representation(practice)
        if not practice.shows_costs_to(self.context["request"].user):
            data["in_house_monthly_cost"] = None
        return data


class ProviderSerializer(CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="provider-detail")

    class Meta:
        model = Provider
        fields = [
            "id",
            "url",
            "name",
            "headquarters_country",
            "delivery_countries",
            "languages",
            "coverage_24x7",
            "eye_care_experience_years",
            "eye_care_clients",
            "website",
            "description",
            "created_at",
            "updated_at",
        ]
        # django-countries builds a ListField for a multiple country field and drops the model's blank=True.
        extra_kwargs = {"delivery_countries": {"required": False}}


# --- Engagements ----------------------------------------------------------------------------------------------------


class ServiceLineCodeField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "“{value}” is not a service line. The catalogue is at /api/v1/service-lines/.",
        "invalid": "A service line is given by its code, e.g. “scheduling”.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=ServiceLine.objects.all(), **kwargs)


class EngagementSerializer(serializers.ModelSerializer):
    """An engagement. `status` changes only through `POST …/status/`, so its lifecycle is always recorded."""

    url = serializers.HyperlinkedIdentityField(view_name="engagement-detail")
    practice = SummaryRelatedField(
        PracticeSummarySerializer,
        queryset=Practice.objects.none(),
        help_text="The practice; fixed once the engagement exists. A practice manager can only choose their own.",
    )
    provider = SummaryRelatedField(
        ProviderSummarySerializer,
        queryset=Provider.objects.none(),
        help_text="The provider; fixed once the engagement exists. A BPO account manager can only choose their own.",
    )
    status = EnumChoiceField(EngagementStatus, read_only=True)
    allowed_next_statuses = serializers.SerializerMethodField()
    service_lines = ServiceLineCodeField(many=True, required=False, help_text="Service line codes.")
    sla_grace_days = serializers.IntegerField(
        read_only=True,
        help_text="Days after an SLA period's last day during which late data may still arrive: a period is judged "
        "(breaches, service credits, termination evidence) only once they have passed. Default 2; set by a portal "
        "admin.",
    )

    class Meta:
        model = Engagement
        fields = [
            "id",
            "url",
            "name",
            "practice",
            "provider",
            "status",
            "allowed_next_statuses",
            "service_lines",
            "target_go_live",
            "summary",
            "sla_grace_days",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["practice"].queryset = self._practice_choices(user)
            self.fields["provider"].queryset = Provider.objects.for_user(user)

    @staticmethod
    def _practice_choices(user):
        """A BPO account manager may approach any practice; everyone else chooses among the practices they see."""
        membership = membership_of(user)
        if is_portal_admin(user) or (membership and membership.is_manager and membership.side == Side.PROVIDER):
            return Practice.objects.all()
        return Practice.objects.for_user(user)

    @extend_schema_field(serializers.ListField(child=EnumChoiceField(EngagementStatus)))
    def get_allowed_next_statuses(self, engagement) -> list[str]:
        return [status.value for status in engagement.allowed_next_statuses()]

    # Tenancy is checked field by field, before the uniqueness validators run, so that nobody can probe for
    # engagement names between a practice and a provider that are not theirs.
    def validate_practice(self, practice):
        if self.instance is not None:
            if practice != self.instance.practice:
                raise serializers.ValidationError("An engagement stays with its practice; start a new one instead.")
        elif self._creator_side() == Side.PRACTICE and practice.pk != membership_of(_request_user(self)).practice_id:
            raise serializers.ValidationError("You can only start engagements for your own practice.")
        return practice

    def validate_provider(self, provider):
        if self.instance is not None:
            if provider != self.instance.provider:
                raise serializers.ValidationError("An engagement stays with its provider; start a new one instead.")
        elif self._creator_side() == Side.PROVIDER and provider.pk != membership_of(_request_user(self)).provider_id:
            raise serializers.ValidationError("You can only start engagements for your own provider.")
        return provider

    def _creator_side(self) -> str | None:
        """The side whose own organisation a new engagement must involve; None for portal admins."""
        user = _request_user(self)
        if is_portal_admin(user):
            return None
        membership = membership_of(user)
        if membership is None or not membership.is_manager:
            raise serializers.ValidationError("Only a practice manager or a BPO account manager can start one.")
        return membership.side

    def create(self, validated_data):
        return services.create_engagement(by=_request_user(self), **validated_data)


class EngagementStatusChangeSerializer(serializers.ModelSerializer):
    """One step of an engagement's lifecycle."""

    from_status = EnumChoiceField(EngagementStatus, read_only=True, allow_null=True, help_text="Null at the opening.")
    to_status = EnumChoiceField(EngagementStatus, read_only=True)
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = EngagementStatusChange
        fields = ["id", "from_status", "to_status", "changed_by", "changed_at", "note"]
        read_only_fields = fields

    def get_changed_by(self, change) -> str | None:
        return display_name(change.changed_by)


class StatusChangeSerializer(serializers.Serializer):
    """Move the engagement to another status of its lifecycle."""

    status = EnumChoiceField(EngagementStatus)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why; no patient details.")


class ContractSerializer(serializers.ModelSerializer):
    """The contract of an engagement. The dates and the 6–12 month evaluation period are checked on save."""

    evaluation_months = serializers.IntegerField(
        min_value=6,
        max_value=12,
        default=6,
        error_messages={
            "min_value": "The evaluation period must be between 6 and 12 months.",
            "max_value": "The evaluation period must be between 6 and 12 months.",
        },
        help_text="6 to 12 months during which either side can judge the service before committing.",
    )
    evaluation_ends_on = serializers.DateField(read_only=True)
    notice_deadline = serializers.DateField(
        read_only=True, help_text="The last day notice can be given for the contract to end on its end date."
    )
    has_long_renewal = serializers.BooleanField(
        read_only=True, help_text="Auto-renews for more than two years at a time: worth a second look."
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "starts_on",
            "ends_on",
            "evaluation_months",
            "notice_days",
            "auto_renew",
            "renewal_term_months",
            "signed_on",
            "evaluation_ends_on",
            "notice_deadline",
            "has_long_renewal",
            "updated_at",
        ]

    # Contracts are recorded and amended only through the service, which checks the terms as a whole.
    def create(self, validated_data):
        return services.save_contract(self.context["engagement"], by=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        return services.save_contract(instance.engagement, by=_request_user(self), **validated_data)


class AgentAssignmentSerializer(serializers.ModelSerializer):
    agent = AgentSummarySerializer(read_only=True)
    assigned_by = serializers.SerializerMethodField()

    class Meta:
        model = AgentAssignment
        fields = ["agent", "assigned_on", "assigned_by"]
        read_only_fields = fields

    def get_assigned_by(self, assignment) -> str | None:
        user = assignment.assigned_by
        return (user.get_full_name() or user.get_username()) if user else None


class AssignAgentSerializer(serializers.Serializer):
    """Put one of the provider's agents on the engagement."""

    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.none(), help_text="The agent's id.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["agent"].queryset = Agent.objects.for_user(user)


# --- Agents ---------------------------------------------------------------------------------------------------------


class CallersProvider:
    """Default for an agent's provider: the provider the caller works for."""

    requires_context = True

    def __call__(self, field):
        membership = membership_of(_request_user(field))
        if membership is None or membership.provider is None:
            raise serializers.SkipField()  # a portal admin has no provider: they must name one
        return membership.provider


class AgentSerializer(CountryFieldMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="agent-detail")
    provider = SummaryRelatedField(
        ProviderSummarySerializer,
        queryset=Provider.objects.none(),
        default=CallersProvider(),
        help_text="Defaults to your own provider; only a portal admin chooses another. Fixed once created.",
    )
    status = EnumChoiceField(
        AgentStatus,
        read_only=True,
        help_text=(
            "The most advanced stage of the agent's onboardings; it moves per engagement with "
            "POST /api/v1/agents/{id}/stage/."
        ),
    )

    class Meta:
        model = Agent
        fields = [
            "id",
            "url",
            "provider",
            "full_name",
            "employee_ref",
            "email",
            "country",
            "languages",
            "status",
            "hired_on",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None and user.is_authenticated:
            self.fields["provider"].queryset = Provider.objects.for_user(user)

    def validate_provider(self, provider):
        if self.instance is not None:
            if provider != self.instance.provider:
                raise serializers.ValidationError("An agent stays with their provider.")
            return provider
        user = _request_user(self)
        membership = membership_of(user)
        if not is_portal_admin(user) and (membership is None or membership.provider_id != provider.pk):
            raise serializers.ValidationError("You can only add agents to your own provider.")
        return provider


# --- Who am I -------------------------------------------------------------------------------------------------------


class OrganizationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    name = serializers.CharField()


class TokenSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    prefix = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    """The caller: who they are, which side and organisation they belong to, and their role there."""

    email = serializers.CharField(read_only=True, help_text="The caller's e-mail address; empty when none is set.")

    full_name = serializers.SerializerMethodField()
    is_portal_admin = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    role_label = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "is_portal_admin",
            "side",
            "organization",
            "role",
            "role_label",
            "token",
        ]
        read_only_fields = fields

    def get_full_name(self, user) -> str:
        return user.get_full_name()

    def get_is_portal_admin(self, user) -> bool:
        return is_portal_admin(user)

    @extend_schema_field(EnumChoiceField(Side, allow_null=True))
    def get_side(self, user):
        membership = membership_of(user)
        return membership.side if membership else None

    @extend_schema_field(OrganizationSummarySerializer(allow_null=True))
    def get_organization(self, user):
        membership = membership_of(user)
        if membership is None:
            return None
        summary = PracticeSummarySerializer if membership.side == Side.PRACTICE else ProviderSummarySerializer
        return summary(membership.organization, context=self.context).data

    @extend_schema_field(EnumChoiceField(Role, allow_null=True))
    def get_role(self, user):
        membership = membership_of(user)
        return membership.role if membership else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_role_label(self, user):
        membership = membership_of(user)
        if membership is not None:
            return membership.role_label
        return "Portal admin" if is_portal_admin(user) else None

    @extend_schema_field(TokenSummarySerializer(allow_null=True))
    def get_token(self, user):
        """The API token this request came with, if any (an integration sees which one it is using)."""
        request = self.context.get("request")
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "prefix"):
            return None
        return {"id": token.pk, "name": token.name, "kind": token.kind, "prefix": token.prefix}
