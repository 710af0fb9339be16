"""Onboarding demo data, added when `seed_demo` runs: each area's `onboarding.demo_<area>.seed(context)` in the
order of onboarding.apps.AREAS, sharing one `context` dict (the rows an earlier area made that a later one builds
on). Everything goes through the services, so the demo shows what the UI and API produce."""

from importlib import import_module

from django.dispatch import receiver

from engagements.signals import demo_seeded


@receiver(demo_seeded, dispatch_uid="onboarding-demo")
def seed_onboarding_demo(sender, **kwargs):
    from onboarding.apps import AREAS

    context: dict = {"signal": kwargs}
    for area in AREAS:
        import_module(f"onboarding.demo_{area}").seed(context)
