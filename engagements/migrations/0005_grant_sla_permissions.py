"""Engagements opened before the SLA engine get its permissions for the roles that now carry them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW_GRANTS = {
    ("provider", "manager"): ("submit_measurements", "answer_breaches"),
    ("provider", "integration"): ("submit_measurements",),
}


def grant(apps, schema_editor):
    # Permissions for new Meta.permissions are normally created after migrate; this one needs them now.
    app_config = apps.get_app_config("engagements")
    models_module = getattr(app_config, "models_module", None)  # a migration's app config stub has none
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module

    Engagement = apps.get_model("engagements", "Engagement")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPermission = apps.get_model("engagements", "EngagementGroupObjectPermission")
    for (side, role), codenames in NEW_GRANTS.items():
        permissions = list(Permission.objects.filter(content_type__app_label="engagements", codename__in=codenames))
        for engagement in Engagement.objects.only("pk", "provider_id"):
            group, _ = Group.objects.get_or_create(name=f"{side}:{engagement.provider_id}:{role}")
            for permission in permissions:
                GroupPermission.objects.get_or_create(group=group, permission=permission, content_object=engagement)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0004_notifications_and_sla_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
