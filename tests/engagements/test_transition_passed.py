"""A finished transition phase shows its gate passed, with the go decision's date, not "Gate not ready"."""

from datetime import date

import pytest
from django.urls import reverse

from engagements.models import TransitionPhase

pytestmark = pytest.mark.django_db


def test_a_done_phase_shows_its_gate_passed_with_the_go_date(client, world):
    TransitionPhase.objects.create(
        engagement=world.engagement,
        name="Scheduling",
        order=1,
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 4, 30),
        status=TransitionPhase.Status.DONE,
        actual_start=date(2026, 3, 1),
        actual_end=date(2026, 5, 4),
    )
    client.force_login(world.practice_manager)
    page = client.get(reverse("engagements:transition", args=[world.engagement.pk])).content.decode()
    assert "Gate passed · go on 4 May 2026" in page
    assert "Gate not ready" not in page
