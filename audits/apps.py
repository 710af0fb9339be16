from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Quality audits"

    def ready(self):
        from audits import (
            demo,  # noqa: F401 - adds quality-audit demo data when seed_demo runs
            registrations,
        )

        registrations.register()
