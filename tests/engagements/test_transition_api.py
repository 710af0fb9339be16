"""The transition API: gate evidence, go / no-go, planning actions, filters, validation and constant query counts."""

from datetime import timedelta

import pytest

from engagements.models import GateDecision, Milestone, ServiceLine, TransitionPhase
from tests import factories
from tests.api_errors import field_errors
from tests.engagements import transition_fixtures

pytestmark = pytest.mark.django_db
plan, started = transition_fixtures.plan, transition_fixtures.started


def ready(plan):
    target = plan.target()
    for start in plan.closed(target, 2):
        plan.kpi(target, start, 90)
    return plan.criterion(target)


class TestGate:
    def test_it_answers_ready_with_each_periods_evidence(self, api, world, started):
        ready(started)
        body = api.as_user(world.provider_staff).get(f"/api/v1/transition-phases/{started.first.pk}/gate/").json()
        assert body["ready"] is True and body["evaluated_on"] == started.today.isoformat()
        [criterion] = body["criteria"]
        assert criterion["metric"] == "service_level" and criterion["consecutive_periods"] == 2
        assert [p["status"] for p in criterion["periods"]] == ["met", "met"]
        assert criterion["periods"][0]["value"] == "90.0000"

    def test_a_gate_without_criteria_says_why_it_is_not_ready(self, api, world, started):
        body = api.as_user(world.practice_manager).get(f"/api/v1/transition-phases/{started.first.pk}/gate/").json()
        assert body["ready"] is False and "no criteria" in body["reason"]


class TestGateDecision:
    def url(self, plan):
        return f"/api/v1/transition-phases/{plan.first.pk}/gate-decision/"

    def test_go_starts_the_next_phase_and_widens_the_live_scope(self, api, world, started):
        ready(started)
        world.engagement.service_lines.clear()
        response = api.as_user(world.practice_manager).post(self.url(started), {"outcome": "go"}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["outcome"] == "go" and response.json()["evidence"]["ready"] is True
        started.second.refresh_from_db()
        assert started.second.is_active
        assert set(world.engagement.service_lines.values_list("code", flat=True)) == {"claims"}
        decisions = api.get(f"/api/v1/transition-phases/{started.first.pk}/decisions/").json()
        assert [d["outcome"] for d in decisions] == ["go"]

    def test_go_on_a_gate_that_is_not_ready_is_refused_with_the_reason(self, api, world, started):
        response = api.as_user(world.practice_manager).post(self.url(started), {"outcome": "go"}, format="json")
        assert response.status_code == 400
        assert "not ready" in field_errors(response)["detail"][0]
        started.first.refresh_from_db()
        assert started.first.is_active and not GateDecision.objects.exists()

    def test_no_go_needs_a_note(self, api, world, started):
        client = api.as_user(world.practice_manager)
        response = client.post(self.url(started), {"outcome": "no_go"}, format="json")
        assert response.status_code == 400 and "note" in field_errors(response)
        response = client.post(self.url(started), {"outcome": "no_go", "note": "Two more weeks"}, format="json")
        assert response.status_code == 201 and response.json()["note"] == "Two more weeks"

    def test_an_unknown_outcome_is_refused(self, api, world, started):
        response = api.as_user(world.practice_manager).post(self.url(started), {"outcome": "maybe"}, format="json")
        assert response.status_code == 400 and "outcome" in field_errors(response)


class TestPlanning:
    def test_a_phase_ending_before_it_starts_is_refused_on_the_field(self, api, world):
        response = api.as_user(world.practice_manager).post(
            "/api/v1/transition-phases/",
            {
                "engagement": world.engagement.pk,
                "name": "X",
                "planned_start": "2026-05-01",
                "planned_end": "2026-04-01",
            },
            format="json",
        )
        assert response.status_code == 400 and "planned_end" in field_errors(response)
        assert not TransitionPhase.objects.exists()

    def test_a_phase_is_created_last_with_its_service_lines(self, api, world, plan):
        response = api.as_user(world.practice_manager).post(
            "/api/v1/transition-phases/",
            {
                "engagement": world.engagement.pk,
                "name": "A/R",
                "planned_start": "2026-05-01",
                "planned_end": "2026-06-01",
                "service_lines": ["accounts_receivable"],
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["order"] == 3 and response.json()["service_lines"] == ["accounts_receivable"]
        assert response.json()["status"] == "planned"

    def test_status_cannot_be_set_directly(self, api, world, plan):
        response = api.as_user(world.practice_manager).patch(
            f"/api/v1/transition-phases/{plan.second.pk}/", {"status": "active"}, format="json"
        )
        assert response.status_code == 200
        plan.second.refresh_from_db()
        assert plan.second.is_planned

    def test_standard_plan_then_start(self, api, world):
        transition_fixtures.make_transitioning(world)
        world.engagement.service_lines.set(ServiceLine.objects.filter(code__in=["scheduling", "billing"]))
        client = api.as_user(world.practice_manager)
        response = client.post("/api/v1/transition-phases/standard-plan/", {"engagement": world.engagement.pk})
        assert response.status_code == 200, response.content
        assert [p["name"] for p in response.json()] == ["Scheduling and customer service", "Revenue cycle"]
        response = client.post("/api/v1/transition-phases/start/", {"engagement": world.engagement.pk})
        assert response.status_code == 200 and response.json()[0]["status"] == "active"
        response = client.post("/api/v1/transition-phases/start/", {"engagement": world.engagement.pk})
        assert response.status_code == 400 and "already started" in field_errors(response)["detail"][0]

    def test_the_provider_cannot_use_the_plan_actions(self, api, world):
        response = api.as_user(world.provider_manager).post(
            "/api/v1/transition-phases/standard-plan/", {"engagement": world.engagement.pk}
        )
        assert response.status_code == 403

    def test_a_started_phase_cannot_be_deleted(self, api, world, started):
        response = api.as_user(world.practice_manager).delete(f"/api/v1/transition-phases/{started.first.pk}/")
        assert response.status_code == 400
        assert TransitionPhase.objects.filter(pk=started.first.pk).exists()

    def test_phases_filter_by_engagement(self, api, world, plan):
        other = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
        TransitionPhase.objects.create(
            engagement=other, name="Elsewhere", order=1, planned_start=plan.today, planned_end=plan.today
        )
        client = api.as_user(world.practice_manager)
        names = [p["name"] for p in client.get(f"/api/v1/transition-phases/?engagement={other.pk}").json()["results"]]
        assert names == ["Elsewhere"]


class TestCriteriaAndMilestones:
    def test_a_target_of_another_engagement_is_refused(self, api, world, plan):
        foreign = plan.target(engagement=world.other_engagement)
        body = {"phase": plan.first.pk, "target": foreign.pk, "consecutive_periods": 2}
        response = api.as_user(world.practice_manager).post("/api/v1/gate-criteria/", body, format="json")
        assert response.status_code == 400 and "No SLA target" in str(response.json())  # not even visible
        response = api.as_user(world.admin).post("/api/v1/gate-criteria/", body, format="json")
        assert response.status_code == 400 and "target of this engagement" in str(response.json())

    def test_a_milestone_is_marked_done_once(self, api, world, plan):
        milestone = Milestone.objects.create(phase=plan.first, title="X", owner_name="Bea", due_on=plan.today)
        client = api.as_user(world.provider_manager)
        response = client.post(f"/api/v1/milestones/{milestone.pk}/done/")
        assert response.status_code == 200 and response.json()["done"] is True
        assert response.json()["done_by"] == "Bea Account"
        assert client.post(f"/api/v1/milestones/{milestone.pk}/done/").status_code == 400

    def test_overdue_milestones_are_a_filter(self, api, world, plan):
        Milestone.objects.create(phase=plan.first, title="Late", owner_name="Bea", due_on=plan.today - timedelta(9))
        Milestone.objects.create(phase=plan.first, title="Later", owner_name="Bea", due_on=plan.today + timedelta(9))
        results = api.as_user(world.practice_manager).get("/api/v1/milestones/?overdue=true").json()["results"]
        assert [m["title"] for m in results] == ["Late"]

    def test_an_owner_from_outside_the_engagement_is_unknown(self, api, world, plan):
        response = api.as_user(world.practice_manager).post(
            "/api/v1/milestones/",
            {"phase": plan.first.pk, "title": "X", "owner_user": world.outsider.pk, "due_on": "2026-01-01"},
            format="json",
        )
        assert response.status_code == 400 and "owner_user" in field_errors(response)


def grow(plan, n):
    first = TransitionPhase.objects.count()
    for i in range(first, first + n):
        phase = TransitionPhase.objects.create(
            engagement=plan.engagement, name=f"P{i}", order=10 + i, planned_start=plan.today, planned_end=plan.today
        )
        phase.service_lines.set(ServiceLine.objects.all()[:2])
        Milestone.objects.create(phase=phase, title=f"M{i}", owner_name="Bea", due_on=plan.today)
        plan.criterion(plan.target(), phase=phase)


@pytest.mark.parametrize("url", ["/api/v1/transition-phases/", "/api/v1/milestones/", "/api/v1/gate-criteria/"])
def test_lists_take_the_same_number_of_queries_whatever_their_size(
    api, world, plan, url, django_assert_max_num_queries
):
    client = api.as_user(world.practice_manager)
    grow(plan, 2)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    grow(plan, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
