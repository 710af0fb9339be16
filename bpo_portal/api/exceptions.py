from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler as drf_exception_handler

from bpo_portal.errors import LOCK_CONFLICT_MESSAGE, DomainError, is_lock_conflict


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This cannot be done while other records depend on it."
    default_code = "conflict"


RETRY_AFTER_SECONDS = 1


class LockConflict(Conflict):
    default_detail = LOCK_CONFLICT_MESSAGE
    default_code = "lock_conflict"


def exception_handler(exc, context):
    """Turn a refused business rule into a 400 whose message the caller can act on."""
    if is_lock_conflict(exc):
        response = drf_exception_handler(LockConflict(), context)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, DomainError):
        exc = serializers.ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, ProtectedError):
        # History is protected (on_delete=PROTECT): say what stands in the way instead of failing with a 500.
        exc = Conflict(_blocked_by(exc.protected_objects))
    elif isinstance(exc, RestrictedError):
        exc = Conflict(_blocked_by(exc.restricted_objects))
    return drf_exception_handler(exc, context)


def _blocked_by(objects) -> str:
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
    return f"This cannot be deleted while it has {', '.join(kinds)}."
