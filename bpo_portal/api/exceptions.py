from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler

from bpo_portal.errors import DomainError


def exception_handler(exc, context):
    """Turn a refused business rule into a 400 whose message the caller can act on."""
    if isinstance(exc, DomainError):
        exc = serializers.ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)
