"""Builders for the communication tests: a contact, an escalation path, a cadence, a meeting with action items,
and an SLA breach whose remediation can fall overdue."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from engagements.choices import Side
from engagements.models import ActionItem, Contact, EscalationLevel, Meeting, MeetingCadence

TODAY = date(2026, 3, 16)  # a Monday


def make_contact(engagement, side=Side.PROVIDER, user=None, **fields):
    fields.setdefault("name", f"{side.title()} contact")
    fields.setdefault("role", "Account manager")
    fields.setdefault("email", f"{side}-{fields['name'].lower().replace(' ', '.')}@contact.test")
    return Contact.objects.create(engagement=engagement, side=side, user=user, **fields)


def make_meeting(engagement, held_on=TODAY, cadence=None, **fields):
    fields.setdefault("attendees", "Paula Manager, Bea Account")
    return Meeting.objects.create(engagement=engagement, held_on=held_on, cadence=cadence, **fields)


def make_action_item(meeting, due_on, side=Side.PROVIDER, **fields):
    fields.setdefault("title", "Send the call recordings sample")
    fields.setdefault("owner", "Bea Account")
    return ActionItem.objects.create(meeting=meeting, due_on=due_on, side=side, **fields)


def make_breach(engagement, opened_on=TODAY - timedelta(days=30), metric="csat"):
    from slas.models import Breach, Metric, SLATarget

    target = SLATarget.objects.create(
        engagement=engagement,
        metric=Metric.objects.get(code=metric),
        threshold=Decimal("90"),
        effective_from=date(2025, 1, 1),
    )
    return Breach.objects.create(
        target=target,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        severity="breach",
        value=Decimal("80"),
        threshold=Decimal("90"),
        opened_at=datetime.combine(opened_on, datetime.min.time(), tzinfo=ZoneInfo("UTC")) + timedelta(hours=15),
    )


def make_plan(breach, due_on, status="accepted"):
    from slas.models import RemediationPlan

    return RemediationPlan.objects.create(breach=breach, actions="Retrain", owner="Bea", due_on=due_on, status=status)


@pytest.fixture
def comms(world):
    """An escalation path of two levels on the shared engagement: level 1 the provider's account manager (a
    portal user, 24 h), level 2 the provider's director (no portal account, 48 h)."""
    first = make_contact(world.engagement, Side.PROVIDER, user=world.provider_manager, name="Bea Account")
    second = make_contact(world.engagement, Side.PROVIDER, name="Dana Director", email="dana@clearview.test")
    level1 = EscalationLevel.objects.create(engagement=world.engagement, level=1, contact=first, response_hours=24)
    level2 = EscalationLevel.objects.create(engagement=world.engagement, level=2, contact=second, response_hours=48)
    return SimpleNamespace(world=world, first=first, second=second, level1=level1, level2=level2)


@pytest.fixture
def cadence(world):
    return MeetingCadence.objects.create(
        engagement=world.engagement, kind="weekly_check_in", interval=1, unit="weeks", starts_on=date(2026, 1, 5)
    )
