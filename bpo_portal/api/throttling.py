"""API throttling, per token and per user, counted in the cache (Redis in production, so every worker process
shares the counts). Past its rate a request answers 429 with `Retry-After` (DRF's Throttled)."""

from rest_framework.throttling import SimpleRateThrottle

from engagements.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Each API token on its own: one busy integration cannot use up its person's or provider's allowance."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(SimpleRateThrottle):
    """Each signed-in user, over all their tokens and their browser session together."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
