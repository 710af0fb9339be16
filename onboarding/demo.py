"""Onboarding demo data, added when `seed_demo` runs: each area's `onboarding.demo_<area>.seed(context)` in the
order of onboarding.apps.AREAS, sharing one `context` dict (the rows an earlier area made that a later one builds
on). Everything goes through the services, so the demo shows what the UI and API produce. It adds one login, for
the agent in training (the live agent's, agent@clearview.example, is the audits demo's), and prints the demo's
typing-test link."""

from importlib import import_module

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from engagements.choices import Role
from engagements.models import Agent, Membership
from engagements.signals import demo_seeded

TRAINEE = ("CV-1004", "trainee@clearview.example")  # Mark Villanueva, in training on Front desk 2026


def _trainee_login(password):
    agent = Agent.objects.filter(employee_ref=TRAINEE[0], provider__name="ClearView Health Services").first()
    if agent is None:
        return []
    if not Membership.objects.filter(agent=agent).exists():
        first, _, last = agent.full_name.partition(" ")
        user, _ = get_user_model().objects.get_or_create(
            username=TRAINEE[1], defaults={"email": TRAINEE[1], "first_name": first, "last_name": last}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        Membership.objects.create(user=user, provider=agent.provider, role=Role.AGENT, agent=agent)
    login = Membership.objects.get(agent=agent).user.email
    return [("Agent in training", agent.provider.name, login)]


@receiver(demo_seeded, dispatch_uid="onboarding-demo")
def seed_onboarding_demo(sender, **kwargs):
    from onboarding.apps import AREAS

    context: dict = {"signal": kwargs}
    for area in AREAS:
        import_module(f"onboarding.demo_{area}").seed(context)
    link = context.get("typing_link_url")
    message = f"Onboarding: a candidate's typing-test link (valid 7 days, one use): {link}" if link else None
    return {"message": message, "logins": _trainee_login(kwargs.get("password") or "")}
