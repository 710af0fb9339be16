"""The transition pages: the timeline and the engagement card flag overdue milestones, forms show errors on their
field, the standard plan button plans phases, and pages keep a constant number of queries as the plan grows."""

from datetime import timedelta

import pytest
from django.test import Client

from engagements.models import GateCriterion, Milestone, ServiceLine, TransitionPhase
from tests.engagements import transition_fixtures

pytestmark = pytest.mark.django_db
plan, started = transition_fixtures.plan, transition_fixtures.started


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_timeline_flags_an_overdue_milestone_and_shows_today(world, started):
    Milestone.objects.create(
        phase=started.first, title="Scripts signed off", owner_name="Bea", due_on=started.today - timedelta(days=1)
    )
    Milestone.objects.create(phase=started.first, title="Due today", owner_name="Bea", due_on=started.today)
    page = client_for(world.practice_staff).get(f"/engagements/{world.engagement.pk}/transition/").content.decode()
    assert 'data-testid="overdue-milestones"' in page and "1 overdue milestone:" in page
    assert page.count('data-testid="milestone-overdue"') == 1
    assert 'class="tl-today"' in page and 'data-status="active"' in page
    assert "Add phase" not in page and "Mark done" not in page  # staff read only
    card = client_for(world.practice_staff).get(f"/engagements/{world.engagement.pk}/").content.decode()
    assert 'data-testid="card-overdue-milestone"' in card and "Scripts signed off" in card


def test_a_done_milestone_is_not_overdue(world, started):
    from django.utils import timezone

    Milestone.objects.create(
        phase=started.first, title="Old", owner_name="Bea", due_on=started.today - timedelta(9), done_at=timezone.now()
    )
    page = client_for(world.practice_manager).get(f"/engagements/{world.engagement.pk}/transition/").content.decode()
    assert "overdue-milestones" not in page


def test_the_standard_plan_button_plans_the_engagements_lines(world):
    world.engagement.service_lines.set(ServiceLine.objects.filter(code__in=["customer_service", "claims"]))
    client = client_for(world.practice_manager)
    page = client.get(f"/engagements/{world.engagement.pk}/transition/").content.decode()
    assert "Start from the standard plan" in page
    response = client.post(f"/engagements/{world.engagement.pk}/transition/standard-plan/")
    assert response.status_code == 302
    assert list(TransitionPhase.objects.values_list("name", flat=True)) == [
        "Scheduling and customer service",
        "Revenue cycle",
    ]


def test_a_phase_form_shows_an_end_before_the_start_on_its_field(world):
    response = client_for(world.practice_manager).post(
        f"/engagements/{world.engagement.pk}/transition/phases/new/",
        {"name": "X", "planned_start": "2026-05-01", "planned_end": "2026-04-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["planned_end"] == ["A phase cannot end before it starts."]
    assert not TransitionPhase.objects.exists()


def test_the_criterion_form_offers_only_this_engagements_targets(world, plan):
    own, foreign = plan.target(), plan.target(engagement=world.other_engagement)
    client = client_for(world.practice_manager)
    form = client.get(f"/transition/phases/{plan.first.pk}/criteria/new/").context["form"]
    assert list(form.fields["target"].queryset) == [own]
    response = client.post(
        f"/transition/phases/{plan.first.pk}/criteria/new/", {"target": foreign.pk, "consecutive_periods": 2}
    )
    assert response.status_code == 200 and "target" in response.context["form"].errors
    assert not GateCriterion.objects.exists()


def test_the_gate_page_shows_the_decision_form_only_to_the_practice_on_the_active_phase(world, started):
    url = f"/transition/phases/{started.first.pk}/gate/"
    assert 'data-testid="gate-decision-form"' in client_for(world.practice_manager).get(url).content.decode()
    assert 'data-testid="gate-decision-form"' not in client_for(world.provider_manager).get(url).content.decode()
    second = f"/transition/phases/{started.second.pk}/gate/"
    assert 'data-testid="gate-decision-form"' not in client_for(world.practice_manager).get(second).content.decode()


def grow(plan, n):
    first = TransitionPhase.objects.count()
    for i in range(first, first + n):
        phase = TransitionPhase.objects.create(
            engagement=plan.engagement, name=f"P{i}", order=10 + i, planned_start=plan.today, planned_end=plan.today
        )
        phase.service_lines.set(ServiceLine.objects.all()[:2])
        for day in range(3):
            Milestone.objects.create(
                phase=phase, title=f"M{i}-{day}", owner_name="Bea", due_on=plan.today - timedelta(day)
            )
        target = plan.target()
        plan.kpi(target, plan.closed(target, 1)[0], 90)
        plan.criterion(target, k=1, phase=phase)


@pytest.mark.parametrize(
    "url",
    [
        "/engagements/{engagement}/transition/",
        "/engagements/{engagement}/",
        "/transition/milestones/",
        "/transition/milestones/?_export=csv",
    ],
)
def test_pages_take_the_same_number_of_queries_whatever_the_plans_size(world, plan, url, django_assert_max_num_queries):
    client = client_for(world.practice_manager)
    url = url.format(engagement=world.engagement.pk)
    grow(plan, 2)
    with django_assert_max_num_queries(60) as small:
        assert client.get(url).status_code == 200
    grow(plan, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
