"""The API's filter backend: the apps' FilterSets, with query parameters checked as strictly as bodies."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import serializers

BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}
# Filters whose value is a number, a date, a choice or an id: an empty value is a mistake, not "any".
TYPED = (
    django_filters.NumberFilter,
    django_filters.DateFilter,
    django_filters.DateTimeFilter,
    django_filters.BooleanFilter,
    django_filters.ChoiceFilter,
    django_filters.MultipleChoiceFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend, with query parameters as strict as bodies: a typed parameter sent empty
    (`?period_from=`) or a boolean that is not true/false (`?is_active=null`) answers 400 `validation_failed`
    instead of being silently ignored. (An id filter naming an object you cannot see answers 400, exactly as an
    unknown id does, as it always has: ids cannot be probed.)"""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        return strictly_filtered(filterset, request)


def strictly_filtered(filterset, request):
    """The FilterSet's rows, or a 400 naming each bad parameter (also for views that apply a FilterSet
    themselves)."""
    errors = {}
    for name, filter_ in filterset.filters.items():
        for value in request.query_params.getlist(name):
            if isinstance(filter_, TYPED) and value.strip() == "":
                errors[name] = ["Leave the parameter out instead of sending it empty."]
            elif isinstance(filter_, django_filters.BooleanFilter) and value not in BOOLEAN_VALUES:
                errors[name] = ["Must be true or false."]
    if errors:
        raise serializers.ValidationError(errors)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.qs
