from django.apps import AppConfig


class SlasConfig(AppConfig):
    name = "slas"
    verbose_name = "SLAs and KPIs"

    def ready(self):
        from bpo_portal import navigation
        from slas import demo  # noqa: F401 - adds SLA demo data when seed_demo runs

        navigation.register("work", "SLAs", "slas:portfolio", namespaces=("slas",), order=20)
