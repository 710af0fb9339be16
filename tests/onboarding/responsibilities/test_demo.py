"""The demo's responsibilities, seeded on their own (as when the earlier areas' demos add nothing): a ladder,
a live agent on scheduling, another suspended there because his HIPAA completion expired; seeding twice adds
nothing."""

import pytest

from onboarding import demo_responsibilities
from onboarding.models import Ladder, Responsibility
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_ladder_a_held_rung_and_one_suspended_for_an_expired_module(world):
    factories.make_agent(world.provider, full_name="Angelica Cruz", employee_ref="CV-1001")
    factories.make_agent(world.provider, full_name="Jose Ramirez", employee_ref="CV-1002")
    context = {
        "signal": {
            "engagements": {demo_responsibilities.ENGAGEMENT: world.engagement},
            "managers": {world.provider: world.provider_manager},
        }
    }
    demo_responsibilities.seed(context)
    assert Ladder.objects.get(engagement=world.engagement).rungs.count() == 5
    held = Responsibility.objects.get(agent__employee_ref="CV-1001", rung__position=1)
    suspended = Responsibility.objects.get(agent__employee_ref="CV-1002")
    assert held.is_held and suspended.is_suspended and "HIPAA" in suspended.suspension_reason
    assert context["ladder"].engagement == world.engagement
    before = list(Responsibility.objects.values_list("pk", "status"))
    demo_responsibilities.seed(context)
    assert list(Responsibility.objects.values_list("pk", "status")) == before
