from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Quality audits"

    def ready(self):
        from audits import registrations

        registrations.register()
