import logging
import sys
import time

from django import db
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.template import loader

try:
    from psycopg2 import errors as psycopg2_errors
except ImportError:  # pragma: no cover - psycopg2 is a dependency; SQLite-only installs still start
    psycopg2_errors = None

logger = logging.getLogger(__name__)

SESSION_STARTED_KEY = "_session_started_at"


class SessionLifetimeMiddleware:
    """End a signed-in session 12 hours after login however active it is (idle expiry is the cookie's age)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "Your session reached its 12-hour limit. Please sign in again.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class ApiErrorMiddleware:
    """Under /api/, every error is the API's JSON error object, also where Django answers before DRF does (a
    path no route matches, such as `/api/v1/agents/1.5/`) or a failure no view caught."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return self._json_error(response.status_code)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if database_is_away(exception):
            return unavailable_response(request)
        logger.exception("Unhandled error at %s", request.path, exc_info=exception)
        return self._json_error(500)

    @staticmethod
    def _json_error(status: int):
        from bpo_portal.api.exceptions import ERROR_CODES, code_for_status

        code = code_for_status(status)
        return JsonResponse({"code": code, "detail": ERROR_CODES[code][1]}, status=status)


# --- The database away: 503, never 500 -------------------------------------------------------------------------------

unavailable_logger = logging.getLogger("bpo_portal.unavailable")
RETRY_AFTER_SECONDS = 5


def database_is_away(error: BaseException | None) -> bool:
    """A connection-level failure (the database restarting, unreachable, or SQLite locked), as opposed to the
    request's own conflict with another one (a deadlock or serialisation failure), which is answered elsewhere."""
    if isinstance(error, db.InterfaceError):
        return True
    if not isinstance(error, db.OperationalError):
        return False
    cause = error.__cause__
    return not (
        psycopg2_errors and isinstance(cause, psycopg2_errors.TransactionRollbackError | psycopg2_errors.QueryCanceled)
    )


@receiver(got_request_exception, dispatch_uid="bpo_portal.mark_database_away")
def _mark_database_away(sender, request=None, **kwargs):
    """Django turns an exception from any layer into a 500 response before an outer middleware sees it; this
    receiver, called with the exception in hand, marks the request so the outermost middleware answers 503."""
    error = sys.exc_info()[1]
    if request is not None and database_is_away(error):
        request.database_away = error


class DatabaseUnavailableMiddleware:
    """First in MIDDLEWARE: a request that met a database that is restarting or unreachable answers 503 with
    Retry-After (the API in its error shape, the UI with the product's own page), never 500, and is logged as such.
    The request body is read before answering, so a client still sending it sees the answer, not a reset."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_away", None)
        if error is None or response.status_code == 503:
            return response  # all well, or handler500 already answered 503 (and Django logged it as such)
        # Under DEBUG, Django answers with its debug page instead of calling handler500.
        unavailable_logger.error(
            "Service Unavailable: %s %s met the database away (%s: %s)",
            request.method,
            request.path,
            error.__class__.__name__,
            (str(error).strip().splitlines() or [""])[0],
        )
        return unavailable_response(request)


def unavailable_response(request) -> HttpResponse:
    _drain(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "service_unavailable",
                "detail": f"The database is not answering (it may be restarting). Nothing was lost that was "
                f"acknowledged; send the request again in {RETRY_AFTER_SECONDS} seconds.",
            },
            status=503,
        )
    else:
        # Rendered without the request: context processors and the menu would ask the database again.
        response = HttpResponse(
            loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _drain(request) -> None:
    """Read what the client sent and the view did not, so the connection is not reset under a sending client."""
    try:
        request.body  # noqa: B018 - reading it is the point
    except (RawPostDataException, RequestDataTooBig):
        stream = getattr(request, "_stream", None)
        while stream is not None and stream.read(64 * 1024):
            pass
    except OSError:
        pass  # the client went away: nothing to answer
