from bpo_portal.navigation import menu_for
from engagements.access import is_portal_admin, membership_of
from engagements.models import Notification


def portal(request):
    """The signed-in person's side and role, for the navigation and the per-role home page, and their unread
    notification count for the navbar's bell, and the grouped main menu they may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = membership_of(user)
    return {
        "membership": membership,
        "is_portal_admin": is_portal_admin(user),
        "is_manager": bool(membership and membership.is_manager),
        "is_provider_manager": bool(membership and membership.manages_provider),
        "unread_notifications": unread_notifications(request, user),
        "menu": menu_for(request),
    }


def unread_notifications(request, user) -> int:
    """Counted once per request: tables and includes that render with a fresh RequestContext run this again."""
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = Notification.objects.for_user(user).unread().count()
    return request._unread_notifications
