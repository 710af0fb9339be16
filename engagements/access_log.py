"""`record_access(request, kind, obj, …)`: leave an access entry for a read of a sensitive record.

Call it wherever such a record is shown or downloaded — the UI view or the API view, after the access check has
passed — with the side(s) the record belongs to. The quality-audit and onboarding areas call it for audit results
and assessment results (`AccessKind.AUDIT_RESULT`, `AccessKind.ASSESSMENT_RESULT`).
"""

from collections.abc import Iterable

from engagements.models.access_log import AccessEntry, AccessKind
from engagements.models.people import display_name

__all__ = ["AccessKind", "record_access", "record_accesses"]


def _client_address(request) -> str | None:
    # REMOTE_ADDR is the peer; behind the proxy, gunicorn's forwarded_allow_ips sets it to the client's.
    return request.META.get("REMOTE_ADDR") or None


def _entry(request, kind: str, obj, *, engagement=None, practice=None, provider=None) -> AccessEntry:
    if engagement is not None:
        practice = practice or engagement.practice_id
        provider = provider or engagement.provider_id
    user = request.user
    token = getattr(request, "auth", None)
    return AccessEntry(
        user=user if user.is_authenticated else None,
        user_label=f"{display_name(user)} <{user.email}>"[:200] if user.is_authenticated else "anonymous",
        token_prefix=getattr(token, "prefix", "") or "",
        kind=kind,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        practice_id=getattr(practice, "pk", practice),
        provider_id=getattr(provider, "pk", provider),
        engagement_id=getattr(engagement, "pk", engagement),
        ip_address=_client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        path=request.get_full_path()[:300],
    )


def record_access(request, kind: str, obj, *, engagement=None, practice=None, provider=None) -> AccessEntry:
    """One read of `obj`, belonging to `engagement` (both its sides) or to `practice` and/or `provider`."""
    entry = _entry(request, kind, obj, engagement=engagement, practice=practice, provider=provider)
    entry.save()
    return entry


def record_accesses(request, kind: str, objects: Iterable, *, engagement_of) -> None:
    """One entry per object of a list that was read (an API list page); `engagement_of(obj)` names its engagement."""
    entries = [_entry(request, kind, obj, engagement=engagement_of(obj)) for obj in objects]
    AccessEntry.objects.bulk_create(entries)


class AccessLoggedViewSetMixin:
    """For an API viewset of sensitive records: each object a GET returns (one, or a page of a list) is logged.
    Declare `access_kind`; `engagement_of(obj)` names the engagement the record belongs to."""

    access_kind: str = ""

    def engagement_of(self, obj):
        return obj.engagement

    def get_object(self):
        obj = super().get_object()
        if self.request.method == "GET":
            record_access(self.request, self.access_kind, obj, engagement=self.engagement_of(obj))
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.request.method == "GET" and page is not None:
            record_accesses(self.request, self.access_kind, page, engagement_of=self.engagement_of)
        return page
