from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Quality audits"

    def ready(self):
        # -- provider compliance audits --
        from audits import compliance_tasks  # noqa: F401 - registers the escalation e-mail task with Celery
        from audits.compliance_registry import register_compliance
        from audits.demo import compliance as compliance_demo  # noqa: F401 - adds demo data when seed_demo runs

        register_compliance()
