from django.apps import AppConfig

# Onboarding's areas, in the order their hooks are registered and their demo data is seeded (later areas build on
# the earlier ones' demo rows).
AREAS = ("pipeline", "vetting", "interviews", "training", "acknowledgements", "ramp", "responsibilities")


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self):
        from importlib import import_module

        from onboarding import (
            auditing,
            demo,  # noqa: F401 - adds onboarding demo data when seed_demo runs
        )

        auditing.register_audited_models()

        for area in AREAS:
            import_module(f"onboarding.hooks.{area}").register()
