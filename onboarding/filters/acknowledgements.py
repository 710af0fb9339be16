"""FilterSets of policy documents and signatures, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from engagements.filters import NOT_VISIBLE, EngagementScopedFilterSet, IdFilter
from engagements.models import Engagement, Provider
from onboarding.choices import DocumentKind
from onboarding.models import Acknowledgement, BusinessAssociateAgreement, PolicyDocument


@extend_schema_field(OpenApiTypes.INT)
class EngagementChoiceFilter(django_filters.ModelChoiceFilter):
    """An engagement id, filtered by a method of the FilterSet's own."""


class _EngagementMethodMixin:
    """The engagement filter offers only visible engagements (the mixin's doing) but keeps this FilterSet's own
    meaning of "on the engagement" (the mixin would make it a plain equality)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.engagement_method

        def method(queryset, name, value):
            return queryset.none() if value is NOT_VISIBLE else own(queryset, name, value)

        self.filters["engagement"].method = method


class PolicyDocumentFilterSet(_EngagementMethodMixin, EngagementScopedFilterSet):
    search_fields = ("title",)
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    engagement = EngagementChoiceFilter(
        queryset=Engagement.objects.all(),
        method="engagement_method",
        label="Engagement",
        help_text="The documents an agent on this engagement signs: its own and its provider's.",
    )
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all(), label="Provider's own")

    class Meta:
        model = PolicyDocument
        fields = ["q", "kind", "engagement", "provider"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["provider"].queryset = Provider.objects.for_user(user)

    def engagement_method(self, queryset, name, engagement):
        return queryset.filter(Q(engagement=engagement) | Q(provider_id=engagement.provider_id))


class AcknowledgementFilterSet(_EngagementMethodMixin, EngagementScopedFilterSet):
    search_fields = ("typed_name", "agent__full_name", "version__document__title")
    agent = IdFilter(field_name="agent_id", label="Agent")
    document = IdFilter(field_name="version__document_id", label="Document")
    version = IdFilter(field_name="version_id", label="Version")
    engagement = EngagementChoiceFilter(
        queryset=Engagement.objects.all(),
        method="engagement_method",
        label="Engagement",
        help_text="Signatures by agents on this engagement of its documents (its own and its provider's).",
    )
    signed_after = django_filters.DateFilter(field_name="signed_at", lookup_expr="date__gte", label="Signed from")
    signed_before = django_filters.DateFilter(field_name="signed_at", lookup_expr="date__lte", label="Signed by")

    class Meta:
        model = Acknowledgement
        fields = ["q", "agent", "document", "version", "engagement", "signed_after", "signed_before"]

    def engagement_method(self, queryset, name, engagement):
        return queryset.filter(
            Q(version__document__engagement=engagement) | Q(version__document__provider_id=engagement.provider_id),
            agent__onboardings__engagement=engagement,
        ).distinct()


class BusinessAssociateAgreementFilterSet(EngagementScopedFilterSet):
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.all(), label="Engagement")
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label="Signed from")

    class Meta:
        model = BusinessAssociateAgreement
        fields = ["engagement", "signed_after"]
