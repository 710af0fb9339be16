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
ID_FILTERS = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend with two rules of the API's own.

    - A typed parameter sent empty (`?period_from=`) or a boolean that is not true/false (`?is_active=null`)
      answers 400 `validation_failed`, instead of being silently ignored.
    - An id filter naming an object you cannot see (or that does not exist) matches nothing: the list is empty,
      as the object's own URL would answer 404. Ids cannot be probed either way.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        self._check_values(request, filterset)
        if filterset.is_valid():
            return filterset.qs
        if self._only_unknown_ids(request, filterset):
            return queryset.none()
        raise translate_validation(filterset.errors)

    @staticmethod
    def _check_values(request, filterset) -> None:
        errors = {}
        for name, filter_ in filterset.filters.items():
            for value in request.query_params.getlist(name):
                if isinstance(filter_, TYPED) and value.strip() == "":
                    errors[name] = ["Leave the parameter out instead of sending it empty."]
                elif isinstance(filter_, django_filters.BooleanFilter) and value not in BOOLEAN_VALUES:
                    errors[name] = ["Must be true or false."]
        if errors:
            raise serializers.ValidationError(errors)

    @staticmethod
    def _only_unknown_ids(request, filterset) -> bool:
        for name, problems in filterset.form.errors.as_data().items():
            filter_ = filterset.filters.get(name)
            if not isinstance(filter_, ID_FILTERS):
                return False
            if any(problem.code != "invalid_choice" for problem in problems):
                return False
            if not all(value.strip().isdigit() for value in request.query_params.getlist(name)):
                return False
        return True
