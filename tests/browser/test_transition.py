"""The transition in the browser: the practice manager opens a ready gate, records go, and sees the next phase
become active on the timeline while the provider's manager marks a milestone done."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from engagements.models import Milestone, TransitionPhase
from tests.engagements import transition_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
plan, started = transition_fixtures.plan, transition_fixtures.started


def test_the_practice_manager_opens_a_ready_gate_and_the_next_phase_becomes_active(world, started, log_in, live_server):
    target = started.target()
    for start in started.closed(target, 2):
        started.kpi(target, start, 90)
    started.criterion(target)
    Milestone.objects.create(
        phase=started.first, title="Scripts signed off", owner_name="Bea", due_on=started.today - timedelta(days=1)
    )

    practice = log_in(world.practice_manager)
    errors = []
    practice.on("pageerror", lambda error: errors.append(str(error)))
    practice.goto(f"/engagements/{world.engagement.pk}/")
    card = practice.get_by_test_id("transition-summary")
    expect(card.get_by_test_id("card-overdue-milestone")).to_contain_text("Scripts signed off")
    card.get_by_role("link", name="Open timeline").click()

    expect(practice).to_have_url(re.compile(rf"/engagements/{world.engagement.pk}/transition/$"))
    expect(practice.get_by_test_id("overdue-milestones")).to_contain_text("Scripts signed off")
    rows = practice.get_by_test_id("timeline-phase")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-status", "active")
    expect(rows.nth(1)).to_have_attribute("data-status", "planned")

    first = practice.get_by_test_id("phase").nth(0)
    first.get_by_test_id("gate-status").click()
    expect(practice.get_by_test_id("gate-verdict")).to_contain_text("Ready")
    expect(practice.get_by_test_id("gate-criterion")).to_contain_text("Met")
    practice.get_by_label("Go", exact=True).check()
    practice.get_by_test_id("record-decision").click()
    expect(practice.get_by_role("alert").filter(has_text="Go recorded")).to_contain_text("“Claims” is now active")
    expect(practice.get_by_test_id("gate-decisions")).to_contain_text("Go")

    practice.get_by_role("link", name="Transition").click()
    expect(rows.nth(0)).to_have_attribute("data-status", "done")
    expect(rows.nth(1)).to_have_attribute("data-status", "active")
    assert TransitionPhase.objects.get(pk=started.second.pk).is_active
    assert world.engagement.service_lines.filter(code="claims").exists()
    assert errors == []

    # The provider's manager sees the same plan and ticks the overdue milestone off; the flag goes.
    provider = log_in(world.provider_manager)
    provider.goto(f"/engagements/{world.engagement.pk}/transition/")
    expect(provider.get_by_test_id("add-phase")).to_have_count(0)
    provider.get_by_test_id("milestone").filter(has_text="Scripts signed off").get_by_role(
        "button", name="Mark done"
    ).click()
    expect(provider.get_by_role("alert").filter(has_text="marked done")).to_be_visible()
    expect(provider.get_by_test_id("overdue-milestones")).to_have_count(0)


def test_a_gate_that_is_not_ready_refuses_go_with_the_reason(world, started, log_in):
    target = started.target()
    started.kpi(target, started.closed(target, 1)[0], 50)
    started.criterion(target, k=1)

    practice = log_in(world.practice_manager)
    practice.goto(f"/transition/phases/{started.first.pk}/gate/")
    expect(practice.get_by_test_id("gate-verdict")).to_contain_text("Not ready")
    practice.get_by_label("Go", exact=True).check()
    practice.get_by_test_id("record-decision").click()
    expect(practice.get_by_role("alert").filter(has_text="cannot be a go")).to_be_visible()
    assert TransitionPhase.objects.get(pk=started.first.pk).is_active
