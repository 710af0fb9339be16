from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagements"

    def ready(self):
        from engagements import signals  # noqa: F401 - keeps group membership in step with Membership rows
        from engagements.auditing import register_audited_models

        register_audited_models()
