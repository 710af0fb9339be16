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

        # -- provider compliance audits --
        from audits import (
            compliance_tasks,  # noqa: F401 - registers the escalation e-mail task with Celery
            demo_compliance,  # noqa: F401 - adds compliance demo data when seed_demo runs
        )
        from audits.compliance_registry import register_compliance

        register_compliance()
