"""One FilterSet per model, used by the UI list pages and the API alike."""

import django_filters
from django import forms
from django.db.models import Q
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from engagements.choices import AgentStatus, EngagementStatus, PracticeKind, Role
from engagements.models import (
    Agent,
    Contract,
    Engagement,
    Membership,
    Notification,
    Practice,
    Provider,
    ServiceLine,
)


def yes_no_filter(**kwargs):
    """A boolean filter that reads "Any / Yes / No" rather than the default "Unknown"."""
    choices = (("", "Any"), ("true", "Yes"), ("false", "No"))
    return django_filters.BooleanFilter(widget=forms.Select(choices=choices), **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    """Adds `q`, a case-insensitive search over the fields a person would type."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label="Search")

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id: documented as an integer, not a decimal number."""


NOT_VISIBLE = object()  # an id the user cannot see (or that does not exist): it matches no row


class VisibleChoiceField(forms.ModelChoiceField):
    """A choice among the visible rows where any other whole-number id is not an error but NOT_VISIBLE."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            if str(value).strip().isdigit():
                return NOT_VISIBLE
            raise


def _visible_only(choice_filter):
    def method(queryset, name, value):
        if value is NOT_VISIBLE:
            return queryset.none()
        return type(choice_filter).filter(choice_filter, queryset, value)

    return method


class VisibleEngagementsMixin:
    """The `engagement`, `contract` and `agent` filters offer only what the user can see, so the filter form itself
    leaks nothing. An id outside that (another tenant's, or none at all) is not a 400: it answers an empty page, the
    same for a hidden id as for an unknown one (ids cannot be probed), on every list, UI and API alike. Something
    that is not a whole number is still a 400."""

    @classmethod
    def get_filters(cls):
        """Says so in the API schema, once for every FilterSet with these filters."""
        filters = super().get_filters()
        for name in ("engagement", "contract", "agent"):
            if isinstance(filters.get(name), django_filters.ModelChoiceFilter):
                filters[name].extra.setdefault(
                    "help_text", f"A {name} id. One you cannot see, or that does not exist, gives an empty page."
                )
        return filters

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is None:
            return
        scoped = {
            "engagement": lambda: Engagement.objects.for_user(user).select_related("practice", "provider"),
            "contract": lambda: Contract.objects.for_user(user),
            "agent": lambda: Agent.objects.for_user(user),
        }
        for name, visible in scoped.items():
            choice_filter = self.filters.get(name)
            if isinstance(choice_filter, django_filters.ModelChoiceFilter):
                choice_filter.queryset = visible()
                choice_filter.field_class = VisibleChoiceField
                choice_filter.__dict__.pop("_field", None)  # built again with the class above
                choice_filter.method = _visible_only(choice_filter)


class EngagementScopedFilterSet(VisibleEngagementsMixin, SearchFilterSet):
    """For the rows of an engagement: search, and engagement filters limited to the user's engagements."""


class EngagementFilterSet(SearchFilterSet):
    search_fields = ("name", "practice__name", "provider__name")
    status = django_filters.MultipleChoiceFilter(choices=EngagementStatus.choices, widget=forms.CheckboxSelectMultiple)
    practice = django_filters.ModelChoiceFilter(queryset=Practice.objects.all())
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    service_line = django_filters.ModelChoiceFilter(
        field_name="service_lines", queryset=ServiceLine.objects.all(), to_field_name="code", label="Service line"
    )

    class Meta:
        model = Engagement
        fields = ["q", "status", "practice", "provider", "service_line"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            # Offer only the practices and providers the user can see, so the form itself leaks nothing.
            self.filters["practice"].queryset = Practice.objects.for_user(user)
            self.filters["provider"].queryset = Provider.objects.for_user(user)


class PracticeFilterSet(SearchFilterSet):
    search_fields = ("name", "locations__city")
    kind = django_filters.ChoiceFilter(choices=PracticeKind.choices)

    class Meta:
        model = Practice
        fields = ["q", "kind"]


class ProviderFilterSet(SearchFilterSet):
    search_fields = ("name", "languages", "description")
    delivery_country = django_filters.ChoiceFilter(
        field_name="delivery_countries", lookup_expr="icontains", choices=list(countries), label="Delivers from"
    )
    coverage_24x7 = yes_no_filter(label="24x7 coverage")
    eye_care_experience = yes_no_filter(method="filter_eye_care_experience", label="Eye-care experience")

    class Meta:
        model = Provider
        fields = ["q", "delivery_country", "coverage_24x7", "eye_care_experience"]

    def filter_eye_care_experience(self, queryset, name, value):
        return (
            queryset.filter(eye_care_experience_years__gt=0) if value else queryset.filter(eye_care_experience_years=0)
        )


class AgentFilterSet(VisibleEngagementsMixin, SearchFilterSet):
    search_fields = ("full_name", "employee_ref", "email")
    status = django_filters.MultipleChoiceFilter(choices=AgentStatus.choices, widget=forms.CheckboxSelectMultiple)
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    engagement = django_filters.ModelChoiceFilter(
        field_name="assignments__engagement", queryset=Engagement.objects.all(), label="Engagement"
    )

    class Meta:
        model = Agent
        fields = ["q", "status", "provider", "engagement"]


class MemberFilterSet(SearchFilterSet):
    search_fields = ("user__first_name", "user__last_name", "user__email", "job_title")
    role = django_filters.ChoiceFilter(choices=Role.for_people())
    active = yes_no_filter(field_name="user__is_active", label="Active")

    class Meta:
        model = Membership
        fields = ["q", "role", "active"]


class NotificationFilterSet(VisibleEngagementsMixin, django_filters.FilterSet):
    """The notification list: by what it is about (the key's first part) and by engagement."""

    kind = django_filters.ChoiceFilter(label="About", method="about", empty_label="Anything")
    engagement = django_filters.ModelChoiceFilter(queryset=Engagement.objects.none(), empty_label="Any engagement")
    unread = yes_no_filter(field_name="read_at", lookup_expr="isnull", label="Unread")

    class Meta:
        model = Notification
        fields = ["kind", "engagement", "unread"]

    def __init__(self, *args, **kwargs):
        from engagements.notifications import KINDS

        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["choices"] = list(KINDS.items())

    def about(self, queryset, name, value):
        return queryset.filter(key__startswith=f"{value}:")
