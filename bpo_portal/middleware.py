import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

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
        logger.exception("Unhandled error at %s", request.path, exc_info=exception)
        return self._json_error(500)

    @staticmethod
    def _json_error(status: int):
        from bpo_portal.api.exceptions import ERROR_CODES, code_for_status

        code = code_for_status(status)
        return JsonResponse({"code": code, "detail": ERROR_CODES[code][1]}, status=status)
