"""Builders for the calibration, coaching and sampling tests (beside tests/audits/helpers.py)."""

from datetime import timedelta

from django.utils import timezone

from audits.services import calibration
from tests.audits.helpers import criteria


def agent_login(world):
    """The world's agent's own login (role agent, linked to their Agent record), made by the shared personas."""
    return world.agent_user


def session(world, version, participants=None, expert=None, **fields):
    expert = expert or world.practice_manager
    participants = participants or [world.provider_manager]
    defaults = {
        "title": "Calibration: call 1001",
        "interaction_ref": "CALL-1001",
        "interaction_date": timezone.localdate() - timedelta(days=2),
        "deadline": timezone.now() + timedelta(days=3),
    }
    defaults.update(fields)
    return calibration.create_session(
        engagement=world.engagement,
        version=version,
        expert=expert,
        participants=participants,
        by=world.practice_manager,
        **defaults,
    )


def marks(version, **by_name):
    """{criterion id: {"value": …}} for the helpers' four criteria; defaults to full marks."""
    names = {
        "greeting": "Greeting and identification",
        "tone": "Empathy and tone",
        "ids": "Two patient identifiers verified",
        "insurance": "Insurance captured",
    }
    values = {"greeting": 1, "tone": 5, "ids": 1, "insurance": 4, **by_name}
    found = criteria(version)
    return {found[names[k]].pk: ({"na": True} if v == "na" else {"value": v}) for k, v in values.items()}
