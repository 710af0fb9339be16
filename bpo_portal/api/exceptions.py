"""One error object for every 4xx and 5xx the API answers.

    {"code": "validation_failed", "detail": "…", "errors": [{"field": "status", "code": "invalid_choice",
     "message": "…"}]}

`code` is stable and machine-readable (the list is `ERROR_CODES`, published in the schema and the integrator
guide); `detail` is always one sentence for a person; `errors` lists each problem where a body or a query
parameter was at fault, with `field` (dotted for nested input: `scopes.0.rate`) and, for row-based input such as
the measurement ingest, `row`. The shape grew from the ingest's `{detail, errors: [{row, field, message}]}`, so
integrations written against that keep working.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from bpo_portal.errors import LOCK_CONFLICT_MESSAGE, DomainError, is_lock_conflict
from bpo_portal.middleware import database_is_away, unavailable_response

logger = logging.getLogger(__name__)

# code -> (HTTP status, what it means). Codes are a public contract: add, never rename.
ERROR_CODES = {
    "validation_failed": (400, "The body or a query parameter is invalid, or the request breaks a business rule."),
    "malformed_request": (400, "The body is not valid JSON (or CSV where CSV is accepted)."),
    "ingest_rejected": (400, "A measurement batch had bad rows; `errors` lists each by row and field."),
    "not_authenticated": (401, "No credentials were sent: send `Authorization: Token <token>`."),
    "authentication_failed": (401, "The token is unknown, malformed or revoked."),
    "own_session_required": (403, "A signature is made in the agent's own signed-in session, never with an API token."),
    "forbidden": (403, "You can see this object but may not do this to it."),
    "not_found": (404, "No such object, or not yours to see; also a page past the last one."),
    "method_not_allowed": (405, "This path does not answer that HTTP method."),
    "not_acceptable": (406, "The API cannot answer in the media type the Accept header asks for."),
    "conflict": (
        409,
        "The request conflicts with the current state: other records depend on this one, another request changed "
        "the same rows at the same moment, or an idempotency key was reused with another body. Resend once the "
        "state allows it.",
    ),
    "too_large": (413, "The body is larger than this operation accepts; split it and resend."),
    "unsupported_media_type": (415, "The Content-Type is not one this operation accepts (JSON; CSV on ingest)."),
    "rate_limited": (429, "Too many requests: wait for the number of seconds in the `Retry-After` header."),
    "server_error": (500, "Something failed on our side; nothing you sent was saved. Retry later."),
    "service_unavailable": (
        503,
        "The database is not answering for a moment (it may be restarting); nothing acknowledged was lost. Resend "
        "after the number of seconds in the `Retry-After` header.",
    ),
}

_CODE_OF = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def code_for_status(status: int) -> str:
    """The code of an error known only by its HTTP status (one Django answered before the API could)."""
    for code, (code_status, _meaning) in ERROR_CODES.items():
        if code_status == status and code not in ("malformed_request", "ingest_rejected", "authentication_failed"):
            return code
    return "server_error" if status >= 500 else "validation_failed"


class ApiError(exceptions.APIException):
    """An error answered in the common shape with a code of our own (`conflict`, `too_large`, …).

    `errors` is a list of {field, code, message} (and `row` for row-based input), or None.
    """

    def __init__(self, code: str, detail: str, *, errors: list[dict] | None = None, status_code: int | None = None):
        self.status_code = status_code or ERROR_CODES[code][0]
        self.error_code = code
        self.errors = errors
        super().__init__(detail, code)


class Conflict(ApiError):
    def __init__(self, detail: str = "This cannot be done while other records depend on it."):
        super().__init__("conflict", detail)


def error_response(code: str, detail: str, *, errors=None, status_code=None, headers=None) -> Response:
    body = {"code": code, "detail": str(detail)}
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code or ERROR_CODES[code][0], headers=headers)


RETRY_AFTER_SECONDS = 1


def exception_handler(exc, context):
    """Answer every exception a view raises in the common shape; a refused business rule is a 400."""
    if is_lock_conflict(exc):
        set_rollback()
        return error_response("conflict", LOCK_CONFLICT_MESSAGE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if database_is_away(exc):  # the database restarting or unreachable: 503 with Retry-After, never 500
        return unavailable_response(context["request"]._request)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, ProtectedError):
        # History is protected (on_delete=PROTECT): say what stands in the way instead of failing with a 500.
        exc = Conflict(_blocked_by(exc.protected_objects))
    elif isinstance(exc, RestrictedError):
        exc = Conflict(_blocked_by(exc.restricted_objects))

    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        set_rollback()
        return error_response("server_error", ERROR_CODES["server_error"][1])

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    code, detail, errors = _describe(exc)
    return error_response(code, detail, errors=errors, status_code=exc.status_code, headers=headers)


def _describe(exc) -> tuple[str, str, list[dict] | None]:
    if isinstance(exc, ApiError):
        return exc.error_code, str(exc.detail), exc.errors
    if isinstance(exc, exceptions.ValidationError):
        errors = list(_flatten(exc.detail, None))
        return "validation_failed", _summary(errors), errors
    for kind, code in _CODE_OF.items():
        if isinstance(exc, kind):
            return code, _text(exc.detail), None
    return code_for_status(exc.status_code), _text(exc.detail), None


def _flatten(detail, field):
    """DRF's nested {field: [ErrorDetail]} (lists for many=True, dicts for nested) as flat {field, code, message}."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("detail", "non_field_errors") else key
            yield from _flatten(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        nested = any(isinstance(item, dict | list) for item in detail)
        for index, item in enumerate(detail):
            if nested:
                yield from _flatten(item, f"{field}.{index}" if field else str(index))
            else:
                yield from _flatten(item, field)
    else:
        yield {"field": field, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}


def _summary(errors: list[dict]) -> str:
    if not errors:
        return "The request is invalid."
    first = errors[0]
    if len(errors) == 1:
        return first["message"]
    where = f" ({first['field']})" if first["field"] else ""
    return f"{len(errors)} problems; the first{where}: {first['message']}"


def _text(detail) -> str:
    if isinstance(detail, list | dict):
        return _summary(list(_flatten(detail, None)))
    return str(detail)


def _blocked_by(objects) -> str:
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
    return f"This cannot be deleted while it has {', '.join(kinds)}."
