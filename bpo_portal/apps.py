from django.apps import AppConfig


class BpoPortalConfig(AppConfig):
    name = "bpo_portal"
    verbose_name = "BPO Portal"

    def ready(self):
        from bpo_portal import checks  # noqa: F401 - registers the system checks
