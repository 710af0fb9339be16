from django.core.checks import Error, Tags, register
from django.db import DatabaseError

TENANT_APPS = ("engagements", "slas", "audits", "onboarding")


def global_permission_holders():
    """Non-admin users and groups that hold a model-level permission on a tenant model.

    Such a permission would let guardian's get_objects_for_user return every row; the portal grants object
    permissions only, so this should always be empty.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users = (
        get_user_model()
        .objects.filter(is_superuser=False, is_staff=False, user_permissions__content_type__app_label__in=TENANT_APPS)
        .distinct()
    )
    groups = Group.objects.filter(permissions__content_type__app_label__in=TENANT_APPS, user__is_staff=False).distinct()
    return list(users), list(groups)


@register(Tags.database)
def check_no_global_tenant_permissions(app_configs, databases=None, **kwargs):
    if not databases:
        return []
    try:
        users, groups = global_permission_holders()
    except DatabaseError:  # not migrated yet: nothing can hold a permission
        return []
    return [
        Error(
            f"{kind} {holder} holds a model-level permission on a tenant model.",
            hint="Grant object permissions on engagements instead (guardian); remove the global permission.",
            id="bpo_portal.E001",
        )
        for kind, holders in (("User", users), ("Group", groups))
        for holder in holders
    ]
