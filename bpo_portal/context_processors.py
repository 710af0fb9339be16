from engagements.access import is_portal_admin, membership_of


def portal(request):
    """The signed-in person's side and role, for the navigation and the per-role home page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = membership_of(user)
    return {
        "membership": membership,
        "is_portal_admin": is_portal_admin(user),
        "is_manager": bool(membership and membership.is_manager),
        "is_provider_manager": bool(membership and membership.manages_provider),
    }
