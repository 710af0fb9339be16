from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Pages of 50 rows by default, up to 500 with `page_size`. Both parameters are checked strictly: a value
    that is not a whole number in range answers 400 (it is not silently replaced by the default), and a page past
    the last one answers 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()  # `page` is a whole number, as documented

    def paginate_queryset(self, queryset, request, view=None):
        self._check_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def _check_parameters(self, request) -> None:
        errors = {}
        for name, maximum in ((self.page_query_param, None), (self.page_size_query_param, self.max_page_size)):
            if name not in request.query_params:
                continue
            field = serializers.IntegerField(min_value=1, max_value=maximum)
            try:
                field.run_validation(request.query_params[name])
            except serializers.ValidationError as error:
                errors[name] = error.detail
        if errors:
            raise serializers.ValidationError(errors)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Which page, from 1. A page past the last one answers 404 (`not_found`); the last "
                "page has `next: null`.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page: {self.page_size} unless you ask, at most {self.max_page_size}. "
                "A value out of range, or not a whole number, answers 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
