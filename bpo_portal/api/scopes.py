"""Integration tokens reach only the API areas their scopes name (engagements.choices.TokenScope).

A view declares what it needs as `token_scopes = {"read": (...), "write": (...)}`, any one of the named scopes
sufficing and `()` meaning none; a view that declares nothing needs `engagements:read` to read and
`engagements:write` to write. Sessions and personal tokens act as their person and are not limited here.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from engagements.choices import TokenScope
from engagements.models import ApiToken

DEFAULT_SCOPES = {"read": (TokenScope.READ_ENGAGEMENTS,), "write": (TokenScope.WRITE_ENGAGEMENTS,)}


def required_scopes(view, request) -> tuple[str, ...]:
    kind = "read" if request.method in SAFE_METHODS else "write"
    return (getattr(view, "token_scopes", None) or {}).get(kind, DEFAULT_SCOPES[kind])


class TokenScopePermission(BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = required_scopes(view, request)
        if token.allows(*needed):
            return True
        self.message = f"This token may not do this: it needs the scope {' or '.join(needed)}."
        return False
