"""Small builders for test data. They go through the services, so tests see rows exactly as users make them."""

import itertools

from django.contrib.auth import get_user_model

from engagements import services
from engagements.choices import Role
from engagements.models import Agent, Membership, Practice, Provider

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def make_practice(name=None, **fields) -> Practice:
    return Practice.objects.create(name=name or f"Practice {next(_seq)}", **fields)


def make_provider(name=None, **fields) -> Provider:
    return Provider.objects.create(name=name or f"Provider {next(_seq)}", **fields)


def make_member(organization, role=Role.MANAGER, email=None, **user_fields):
    email = email or f"person{next(_seq)}@example.test"
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **user_fields)
    side = {"practice": organization} if isinstance(organization, Practice) else {"provider": organization}
    Membership.objects.create(user=user, role=role, **side)
    return user


def make_agent_login(agent, email=None, **user_fields):
    """A login for an agent (role `agent`, linked to their Agent record), as accepting an invitation makes it."""
    email = email or f"agent{next(_seq)}@example.test"
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **user_fields)
    Membership.objects.create(user=user, role=Role.AGENT, provider=agent.provider, agent=agent)
    return user


def make_engagement(practice, provider, by=None, name=None, **fields):
    by = by or make_member(practice, Role.MANAGER)
    return services.create_engagement(
        practice=practice, provider=provider, name=name or f"Engagement {next(_seq)}", by=by, **fields
    )


def make_agent(provider, **fields) -> Agent:
    fields.setdefault("full_name", f"Agent {next(_seq)}")
    return Agent.objects.create(provider=provider, **fields)


def approve_due_diligence(engagement, by=None, rating=4):
    """Rate every checklist item and approve, so the engagement may leave vetting (the rule in
    change_engagement_status)."""
    from engagements.models import DueDiligenceReview
    from engagements.services import diligence

    by = by or engagement.created_by
    review = DueDiligenceReview.objects.filter(engagement=engagement).first()
    review = review or diligence.start_due_diligence(engagement, by=by)
    diligence.update_due_diligence_items(review, {item.key: {"rating": rating} for item in review.items.all()}, by=by)
    return diligence.decide_due_diligence(review, "approve", by=by)
