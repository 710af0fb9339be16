"""The access log page: portal admins see every read of a sensitive record; each side's managers their side's."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from bpo_portal.views import ObjectListView
from engagements.access import is_portal_admin, membership_of
from engagements.filters.access_log import AccessEntryFilterSet
from engagements.models import AccessEntry
from engagements.tables.access_log import AccessEntryTable


def may_read_access_log(user) -> bool:
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and membership.is_manager)


class AccessLogView(ObjectListView):
    model = AccessEntry
    table_class = AccessEntryTable
    filterset_class = AccessEntryFilterSet
    select_related = ("engagement",)
    title = "Access log"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_read_access_log(request.user):
            raise PermissionDenied("The access log is for portal admins and each side's managers.")
        return super().dispatch(request, *args, **kwargs)


urlpatterns = [path("access-log/", AccessLogView.as_view(), name="access_log")]
