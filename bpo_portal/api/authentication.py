from auditlog.context import auditlog_value
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from engagements.models import ApiToken

LAST_USED_GRANULARITY_SECONDS = 60


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token bpo_<prefix>_<secret>` (or `Bearer`). Only a hash of the secret is stored."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <token>'.")
        raw = header[1].decode(errors="replace")
        prefix = ApiToken.prefix_of(raw)
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
        if token is None or not token.matches(raw):
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        now = timezone.now()
        # Record use at most once a minute, so a busy integration does not write on every request.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_GRANULARITY_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        attribute_changes_to(token.user)
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


def attribute_changes_to(user) -> None:
    """Name the token's user as the actor of the audit log entries this request writes.

    auditlog's middleware captures `request.user` before DRF has authenticated the token, so without this every
    change made through the API would be logged with no actor. Its context for this request is a dict we may
    fill in; a nested `set_actor()` would replace it and leave the middleware's signal receiver connected.
    """
    try:
        context = auditlog_value.get()
    except LookupError:  # outside a request (management commands, tests calling the class directly)
        return
    if context.get("actor") is None:
        context["actor"] = user


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "bpo_portal.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token bpo_xxxxxxxx_…` — create one under API tokens in the portal; it is shown once.",
        }
