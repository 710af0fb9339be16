from django.apps import AppConfig


class SlasConfig(AppConfig):
    name = "slas"
    verbose_name = "SLAs and KPIs"

    def ready(self):
        from bpo_portal import navigation
        from engagements.registries import sees_workspace
        from slas import demo  # noqa: F401 - adds SLA demo data when seed_demo runs
        from slas.auditing import register_audited_models

        register_audited_models()
        navigation.register("work", "SLAs", "slas:portfolio", namespaces=("slas",), visible=sees_workspace, order=20)
