"""The REST API v1: what each role can read and do, the tenancy walls, bad input and query counts."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import AgentStatus, EngagementStatus, Role
from engagements.models import (
    Agent,
    AgentAssignment,
    Contract,
    Engagement,
    EngagementStatusChange,
    Practice,
    Provider,
    ServiceLine,
)
from tests import factories
from tests.api_errors import field_errors

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(name, args=args)


def ids(response):
    return {row["id"] for row in response.data["results"]}


CONTRACT_TERMS = {
    "starts_on": "2026-01-01",
    "ends_on": "2027-12-31",
    "evaluation_months": 6,
    "notice_days": 90,
    "auto_renew": True,
    "renewal_term_months": 12,
}


# --- Practices --------------------------------------------------------------------------------------------------------


class TestPractices:
    def test_a_practice_manager_sees_only_their_own_practice(self, api, world):
        response = api.as_user(world.practice_manager).get(url("practice-list"))

        assert response.status_code == 200
        assert ids(response) == {world.practice.pk}

    def test_a_provider_sees_the_practices_it_has_engagements_with(self, api, world):
        response = api.as_user(world.provider_staff).get(url("practice-list"))

        assert ids(response) == {world.practice.pk}

    def test_a_practice_shows_its_locations_and_a_link_to_itself(self, api, world):
        world.practice.locations.create(name="Downtown", city="Springfield")

        data = api.as_user(world.practice_staff).get(url("practice-detail", world.practice.pk)).data

        assert data["name"] == "Riverside Eye Care"
        assert data["url"].endswith(url("practice-detail", world.practice.pk))
        assert [location["name"] for location in data["locations"]] == ["Downtown"]

    def test_a_practice_manager_updates_their_own_practice(self, api, world):
        response = api.as_user(world.practice_manager).patch(
            url("practice-detail", world.practice.pk), {"monthly_patient_volume": 2400, "kind": "mixed"}
        )

        assert response.status_code == 200, response.data
        world.practice.refresh_from_db()
        assert (world.practice.monthly_patient_volume, world.practice.kind) == (2400, "mixed")

    def test_a_practice_manager_can_neither_create_nor_delete_practices(self, api, world):
        client = api.as_user(world.practice_manager)

        assert client.post(url("practice-list"), {"name": "New Vision"}).status_code == 403
        assert client.delete(url("practice-detail", world.practice.pk)).status_code == 403
        assert not Practice.objects.filter(name="New Vision").exists()

    def test_a_portal_admin_creates_and_deletes_a_practice(self, api, world):
        client = api.as_user(world.admin)

        created = client.post(url("practice-list"), {"name": "New Vision", "kind": "ophthalmology"})
        assert created.status_code == 201, created.data
        assert created.data["kind"] == "ophthalmology"

        assert client.delete(url("practice-detail", created.data["id"])).status_code == 204
        assert not Practice.objects.filter(name="New Vision").exists()

    def test_deleting_a_practice_that_has_engagements_is_a_conflict_not_a_crash(self, api, world):
        response = api.as_user(world.admin).delete(url("practice-detail", world.practice.pk))

        assert response.status_code == 409
        assert "engagements" in response.data["detail"]

    def test_a_duplicate_practice_name_is_refused(self, api, world):
        response = api.as_user(world.admin).post(url("practice-list"), {"name": world.other_practice.name})

        assert response.status_code == 400
        assert "name" in field_errors(response)


# --- Providers --------------------------------------------------------------------------------------------------------


class TestProviders:
    def test_every_signed_in_member_can_browse_the_provider_directory(self, api, world):
        response = api.as_user(world.outsider).get(url("provider-list"))

        assert ids(response) == {world.provider.pk, world.other_provider.pk}

    def test_the_directory_filters_by_experience(self, api, world):
        Provider.objects.filter(pk=world.provider.pk).update(eye_care_experience_years=8)

        response = api.as_user(world.outsider).get(url("provider-list"), {"eye_care_experience": "true"})

        assert ids(response) == {world.provider.pk}

    def test_a_provider_manager_updates_their_own_provider(self, api, world):
        response = api.as_user(world.provider_manager).patch(
            url("provider-detail", world.provider.pk), {"coverage_24x7": True, "delivery_countries": ["PH", "CO"]}
        )

        assert response.status_code == 200, response.data
        assert sorted(response.data["delivery_countries"]) == ["CO", "PH"]

    def test_a_provider_manager_cannot_update_another_provider(self, api, world):
        response = api.as_user(world.provider_manager).patch(
            url("provider-detail", world.other_provider.pk), {"coverage_24x7": True}
        )

        assert response.status_code == 403
        world.other_provider.refresh_from_db()
        assert not world.other_provider.coverage_24x7

    def test_only_a_portal_admin_adds_or_removes_providers(self, api, world):
        manager = api.as_user(world.provider_manager)
        assert manager.post(url("provider-list"), {"name": "Acme BPO"}).status_code == 403
        assert manager.delete(url("provider-detail", world.provider.pk)).status_code == 403

        admin = api.as_user(world.admin)
        created = admin.post(url("provider-list"), {"name": "Acme BPO", "headquarters_country": "PH"})
        assert created.status_code == 201, created.data
        assert admin.delete(url("provider-detail", created.data["id"])).status_code == 204


# --- Engagements ------------------------------------------------------------------------------------------------------


class TestEngagementReads:
    def test_each_side_lists_only_its_own_engagements(self, api, world):
        for person in (world.practice_manager, world.practice_staff, world.provider_manager, world.provider_staff):
            assert ids(api.as_user(person).get(url("engagement-list"))) == {world.engagement.pk}

    def test_an_engagement_shows_its_parties_as_summaries_and_its_service_lines_as_codes(self, api, world):
        world.engagement.service_lines.set(ServiceLine.objects.filter(code__in=["scheduling", "billing"]))

        data = api.as_user(world.provider_staff).get(url("engagement-detail", world.engagement.pk)).data

        assert data["practice"]["id"] == world.practice.pk
        assert data["practice"]["name"] == "Riverside Eye Care"
        assert data["provider"]["name"] == "ClearView Health Services"
        assert sorted(data["service_lines"]) == ["billing", "scheduling"]
        assert data["status"] == "vetting"
        assert data["allowed_next_statuses"] == ["contracting", "ended"]

    def test_the_list_filters_with_the_shared_filterset(self, api, world):
        second = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
        factories.approve_due_diligence(second, by=world.practice_manager)
        services.change_engagement_status(second, EngagementStatus.CONTRACTING, by=world.practice_manager)
        client = api.as_user(world.practice_manager)

        assert ids(client.get(url("engagement-list"), {"status": "contracting"})) == {second.pk}
        assert ids(client.get(url("engagement-list"), {"q": "front"})) == {world.engagement.pk}

    def test_the_list_orders_by_the_field_asked_for(self, api, world):
        factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")

        response = api.as_user(world.practice_manager).get(url("engagement-list"), {"ordering": "name"})

        assert [row["name"] for row in response.data["results"]] == ["Billing", "Front desk"]

    def test_the_history_lists_status_changes_newest_first(self, api, world):
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager, note="Signed NDA")

        response = api.as_user(world.provider_staff).get(url("engagement-history", world.engagement.pk))

        assert response.status_code == 200
        assert [(c["from_status"], c["to_status"]) for c in response.data] == [
            ("vetting", "contracting"),
            (None, "vetting"),
        ]
        assert response.data[0]["note"] == "Signed NDA"
        assert response.data[0]["changed_by"] == "Paula Manager"


class TestEngagementCreation:
    def test_a_practice_manager_starts_an_engagement_for_their_practice_with_any_provider(self, api, world):
        response = api.as_user(world.practice_manager).post(
            url("engagement-list"),
            {
                "name": "Revenue cycle",
                "practice": world.practice.pk,
                "provider": world.other_provider.pk,
                "service_lines": ["insurance_verification", "claims"],
                "target_go_live": "2026-09-01",
            },
        )

        assert response.status_code == 201, response.data
        assert response.data["status"] == "vetting"
        assert sorted(response.data["service_lines"]) == ["claims", "insurance_verification"]
        engagement = Engagement.objects.get(pk=response.data["id"])
        assert engagement.created_by == world.practice_manager
        # Through the service: both sides got their permissions and the opening step is on record.
        assert Engagement.objects.for_user(world.other_provider_manager).filter(pk=engagement.pk).exists()
        assert engagement.status_changes.count() == 1

    def test_a_bpo_account_manager_starts_an_engagement_for_their_provider_with_any_practice(self, api, world):
        response = api.as_user(world.provider_manager).post(
            url("engagement-list"),
            {"name": "Pilot", "practice": world.other_practice.pk, "provider": world.provider.pk},
        )

        assert response.status_code == 201, response.data
        assert Engagement.objects.for_user(world.outsider).filter(pk=response.data["id"]).exists()

    def test_a_practice_manager_cannot_start_one_for_another_practice(self, api, world):
        before = Engagement.objects.count()

        response = api.as_user(world.practice_manager).post(
            url("engagement-list"),
            {"name": "Sneaky", "practice": world.other_practice.pk, "provider": world.provider.pk},
        )

        assert response.status_code == 400
        assert field_errors(response)["practice"] == [
            f"There is no practice with id {world.other_practice.pk} that you can choose."
        ]
        assert Engagement.objects.count() == before

    def test_a_bpo_account_manager_cannot_start_one_for_another_provider(self, api, world):
        before = Engagement.objects.count()

        response = api.as_user(world.provider_manager).post(
            url("engagement-list"),
            {"name": "Sneaky", "practice": world.practice.pk, "provider": world.other_provider.pk},
        )

        assert response.status_code == 400
        assert field_errors(response)["provider"] == ["You can only start engagements for your own provider."]
        assert Engagement.objects.count() == before

    def test_a_counterpart_practice_a_provider_sees_is_still_not_a_practice_managers_to_choose(self, api, world):
        # The provider's manager sees the home practice; a practice manager of another practice who shares the
        # provider must still not be able to pick it.
        neighbour = factories.make_member(world.other_practice, Role.MANAGER)
        factories.make_engagement(world.other_practice, world.provider, by=neighbour, name="Shared provider")

        response = api.as_user(neighbour).post(
            url("engagement-list"), {"name": "Sneaky", "practice": world.practice.pk, "provider": world.provider.pk}
        )

        assert response.status_code == 400
        assert "practice" in field_errors(response)
        assert not Engagement.objects.filter(name="Sneaky").exists()

    def test_an_unknown_service_line_code_is_refused_and_nothing_is_written(self, api, world):
        before = Engagement.objects.count()

        response = api.as_user(world.practice_manager).post(
            url("engagement-list"),
            {
                "name": "Optical",
                "practice": world.practice.pk,
                "provider": world.provider.pk,
                "service_lines": ["scheduling", "frame_styling"],
            },
        )

        assert response.status_code == 400
        assert "“frame_styling” is not a service line" in field_errors(response)["service_lines"][0]
        assert Engagement.objects.count() == before

    def test_a_duplicate_name_for_the_same_pair_is_refused_with_the_constraint_message(self, api, world):
        response = api.as_user(world.practice_manager).post(
            url("engagement-list"), {"name": "Front desk", "practice": world.practice.pk, "provider": world.provider.pk}
        )

        assert response.status_code == 400
        assert "already have an engagement with that name" in str(response.data)

    def test_staff_cannot_start_engagements(self, api, world):
        response = api.as_user(world.practice_staff).post(
            url("engagement-list"), {"name": "Staff idea", "practice": world.practice.pk, "provider": world.provider.pk}
        )

        assert response.status_code == 403
        assert not Engagement.objects.filter(name="Staff idea").exists()


class TestEngagementUpdates:
    def test_either_sides_manager_updates_the_engagement_details(self, api, world):
        response = api.as_user(world.provider_manager).patch(
            url("engagement-detail", world.engagement.pk),
            {"name": "Front desk 2026", "summary": "Overflow calls first.", "service_lines": ["customer_service"]},
        )

        assert response.status_code == 200, response.data
        world.engagement.refresh_from_db()
        assert world.engagement.name == "Front desk 2026"
        assert list(world.engagement.service_lines.values_list("code", flat=True)) == ["customer_service"]

    def test_status_cannot_be_written_directly(self, api, world):
        response = api.as_user(world.practice_manager).patch(
            url("engagement-detail", world.engagement.pk), {"status": "ended"}
        )

        assert response.status_code == 200
        world.engagement.refresh_from_db()
        assert world.engagement.status == EngagementStatus.VETTING

    def test_an_engagement_cannot_be_moved_to_another_practice(self, api, world):
        response = api.as_user(world.admin).patch(
            url("engagement-detail", world.engagement.pk), {"practice": world.other_practice.pk}
        )

        assert response.status_code == 400
        assert "stays with its practice" in field_errors(response)["practice"][0]
        world.engagement.refresh_from_db()
        assert world.engagement.practice == world.practice

    def test_staff_see_but_cannot_change_an_engagement(self, api, world):
        for person in (world.practice_staff, world.provider_staff):
            response = api.as_user(person).patch(url("engagement-detail", world.engagement.pk), {"name": "Mine"})
            assert response.status_code == 403
        world.engagement.refresh_from_db()
        assert world.engagement.name == "Front desk"

    def test_managers_cannot_delete_an_engagement_but_a_portal_admin_can(self, api, world):
        assert (
            api.as_user(world.practice_manager).delete(url("engagement-detail", world.engagement.pk)).status_code == 405
        )
        assert Engagement.objects.filter(pk=world.engagement.pk).exists()

        assert api.as_user(world.admin).delete(url("engagement-detail", world.engagement.pk)).status_code == 204
        assert not Engagement.objects.filter(pk=world.engagement.pk).exists()

    def test_changes_made_with_a_token_are_audited_under_the_tokens_user(self, api, world):
        api.as_user(world.practice_manager).patch(url("engagement-detail", world.engagement.pk), {"summary": "New"})

        entry = LogEntry.objects.get_for_object(world.engagement).order_by("-timestamp").first()
        assert entry.actor == world.practice_manager
        assert "summary" in entry.changes_dict


class TestEngagementStatus:
    def test_a_manager_moves_the_engagement_along_its_lifecycle(self, api, world):
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        response = api.as_user(world.provider_manager).post(
            url("engagement-status", world.engagement.pk), {"status": "contracting", "note": "Vetting passed."}
        )

        assert response.status_code == 200, response.data
        assert response.data["status"] == "contracting"
        change = EngagementStatusChange.objects.filter(engagement=world.engagement).first()
        assert (change.to_status, change.changed_by, change.note) == (
            "contracting",
            world.provider_manager,
            "Vetting passed.",
        )

    def test_a_step_the_lifecycle_does_not_allow_is_refused_with_the_allowed_ones(self, api, world):
        response = api.as_user(world.practice_manager).post(
            url("engagement-status", world.engagement.pk), {"status": "steady"}
        )

        assert response.status_code == 400
        assert field_errors(response)["detail"] == [
            "An engagement in Vetting cannot move to Steady state. Allowed: Contracting, Ended."
        ]
        world.engagement.refresh_from_db()
        assert world.engagement.status == EngagementStatus.VETTING
        assert world.engagement.status_changes.count() == 1

    def test_the_transition_cannot_start_before_the_contract_is_recorded(self, api, world):
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)

        response = api.as_user(world.practice_manager).post(
            url("engagement-status", world.engagement.pk), {"status": "transitioning"}
        )

        assert response.status_code == 400
        assert field_errors(response)["detail"] == ["Record the contract before the transition starts."]

    def test_an_unknown_status_is_refused(self, api, world):
        response = api.as_user(world.practice_manager).post(
            url("engagement-status", world.engagement.pk), {"status": "paused"}
        )

        assert response.status_code == 400
        assert "status" in field_errors(response)

    def test_staff_cannot_change_the_status(self, api, world):
        response = api.as_user(world.practice_staff).post(
            url("engagement-status", world.engagement.pk), {"status": "contracting"}
        )

        assert response.status_code == 403
        world.engagement.refresh_from_db()
        assert world.engagement.status == EngagementStatus.VETTING


class TestContract:
    def test_there_is_no_contract_until_one_is_recorded(self, api, world):
        response = api.as_user(world.practice_manager).get(url("engagement-contract", world.engagement.pk))

        assert response.status_code == 404

    def test_the_practice_manager_records_and_amends_the_contract(self, api, world):
        client = api.as_user(world.practice_manager)

        created = client.put(url("engagement-contract", world.engagement.pk), CONTRACT_TERMS)
        assert created.status_code == 201, created.data
        assert created.data["evaluation_ends_on"] == "2026-07-01"
        assert created.data["notice_deadline"] == "2027-10-02"

        amended = client.patch(url("engagement-contract", world.engagement.pk), {"notice_days": 60})
        assert amended.status_code == 200, amended.data
        contract = Contract.objects.get(engagement=world.engagement)
        assert (contract.notice_days, contract.starts_on) == (60, date(2026, 1, 1))

    def test_both_sides_can_read_the_contract(self, api, world):
        services.save_contract(
            world.engagement, by=world.practice_manager, starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1)
        )

        response = api.as_user(world.provider_staff).get(url("engagement-contract", world.engagement.pk))

        assert response.status_code == 200
        assert response.data["ends_on"] == "2027-01-01"

    def test_the_provider_cannot_write_the_contract(self, api, world):
        response = api.as_user(world.provider_manager).put(
            url("engagement-contract", world.engagement.pk), CONTRACT_TERMS
        )

        assert response.status_code == 403
        assert not Contract.objects.filter(engagement=world.engagement).exists()

    def test_practice_staff_cannot_write_the_contract(self, api, world):
        response = api.as_user(world.practice_staff).put(
            url("engagement-contract", world.engagement.pk), CONTRACT_TERMS
        )

        assert response.status_code == 403

    def test_a_five_month_evaluation_period_is_refused_and_nothing_is_written(self, api, world):
        response = api.as_user(world.practice_manager).put(
            url("engagement-contract", world.engagement.pk), {**CONTRACT_TERMS, "evaluation_months": 5}
        )

        assert response.status_code == 400
        assert field_errors(response)["evaluation_months"] == ["The evaluation period must be between 6 and 12 months."]
        assert not Contract.objects.filter(engagement=world.engagement).exists()

    def test_a_contract_that_ends_before_it_starts_is_refused_and_nothing_is_written(self, api, world):
        response = api.as_user(world.practice_manager).put(
            url("engagement-contract", world.engagement.pk), {**CONTRACT_TERMS, "ends_on": "2025-06-30"}
        )

        assert response.status_code == 400
        assert field_errors(response)["detail"] == ["The contract must end after it starts."]
        assert not Contract.objects.filter(engagement=world.engagement).exists()

    def test_an_amendment_that_breaks_the_terms_leaves_the_contract_as_it_was(self, api, world):
        client = api.as_user(world.practice_manager)
        client.put(url("engagement-contract", world.engagement.pk), CONTRACT_TERMS)

        response = client.patch(url("engagement-contract", world.engagement.pk), {"ends_on": "2025-12-31"})

        assert response.status_code == 400
        assert Contract.objects.get(engagement=world.engagement).ends_on == date(2027, 12, 31)

    def test_patching_a_contract_that_was_never_recorded_answers_404(self, api, world):
        response = api.as_user(world.practice_manager).patch(
            url("engagement-contract", world.engagement.pk), {"notice_days": 30}
        )

        assert response.status_code == 404


class TestAgentAssignment:
    def test_both_sides_see_who_works_on_the_engagement(self, api, world):
        response = api.as_user(world.practice_staff).get(url("engagement-agents", world.engagement.pk))

        assert response.status_code == 200
        assert [a["agent"]["full_name"] for a in response.data] == ["Ana Reyes"]
        assert response.data[0]["assigned_by"] == "Bea Account"

    def test_the_provider_manager_assigns_and_unassigns_an_agent(self, api, world):
        agent = factories.make_agent(world.provider, full_name="Ben Cruz")
        client = api.as_user(world.provider_manager)

        assigned = client.post(url("engagement-agents", world.engagement.pk), {"agent": agent.pk})
        assert assigned.status_code == 201, assigned.data
        assert assigned.data["agent"]["id"] == agent.pk

        removed = client.delete(url("engagement-unassign-agent", world.engagement.pk, agent.pk))
        assert removed.status_code == 204
        assert not AgentAssignment.objects.filter(agent=agent).exists()

    def test_the_practice_cannot_staff_the_provider_s_account(self, api, world):
        agent = factories.make_agent(world.provider)

        response = api.as_user(world.practice_manager).post(
            url("engagement-agents", world.engagement.pk), {"agent": agent.pk}
        )

        assert response.status_code == 403
        assert not AgentAssignment.objects.filter(agent=agent).exists()

    def test_another_provider_s_agent_cannot_be_assigned(self, api, world):
        response = api.as_user(world.admin).post(
            url("engagement-agents", world.engagement.pk), {"agent": world.other_agent.pk}
        )

        assert response.status_code == 400
        assert field_errors(response)["agent"] == ["Only the engagement's provider's own agents can be assigned to it."]

    def test_an_agent_out_of_the_manager_s_sight_is_not_a_choice(self, api, world):
        response = api.as_user(world.provider_manager).post(
            url("engagement-agents", world.engagement.pk), {"agent": world.other_agent.pk}
        )

        assert response.status_code == 400
        assert not AgentAssignment.objects.filter(agent=world.other_agent).exists()

    def test_an_agent_already_on_the_engagement_is_refused(self, api, world):
        response = api.as_user(world.provider_manager).post(
            url("engagement-agents", world.engagement.pk), {"agent": world.agent.pk}
        )

        assert response.status_code == 400
        assert field_errors(response)["agent"] == ["Ana Reyes is already assigned to this engagement."]

    def test_unassigning_an_agent_who_is_not_on_the_engagement_answers_404(self, api, world):
        agent = factories.make_agent(world.provider)

        response = api.as_user(world.provider_manager).delete(
            url("engagement-unassign-agent", world.engagement.pk, agent.pk)
        )

        assert response.status_code == 404


# --- Agents -----------------------------------------------------------------------------------------------------------


class TestAgents:
    def test_a_provider_sees_all_its_agents_and_a_practice_only_those_on_its_engagements(self, api, world):
        bench = factories.make_agent(world.provider, full_name="Bench Agent")

        assert ids(api.as_user(world.provider_staff).get(url("agent-list"))) == {world.agent.pk, bench.pk}
        assert ids(api.as_user(world.practice_staff).get(url("agent-list"))) == {world.agent.pk}

    def test_agents_filter_by_engagement(self, api, world):
        factories.make_agent(world.provider, full_name="Bench Agent")

        response = api.as_user(world.provider_manager).get(url("agent-list"), {"engagement": world.engagement.pk})

        assert ids(response) == {world.agent.pk}

    def test_a_provider_manager_adds_an_agent_to_their_own_provider(self, api, world):
        response = api.as_user(world.provider_manager).post(
            url("agent-list"), {"full_name": "Carla Diaz", "employee_ref": "CV-101", "country": "PH"}
        )

        assert response.status_code == 201, response.data
        assert response.data["provider"]["id"] == world.provider.pk
        assert response.data["status"] == AgentStatus.CANDIDATE
        assert Agent.objects.get(pk=response.data["id"]).provider == world.provider

    def test_a_provider_manager_cannot_add_an_agent_to_another_provider(self, api, world):
        response = api.as_user(world.provider_manager).post(
            url("agent-list"), {"full_name": "Carla Diaz", "provider": world.other_provider.pk}
        )

        assert response.status_code == 400
        assert field_errors(response)["provider"] == ["You can only add agents to your own provider."]
        assert not Agent.objects.filter(full_name="Carla Diaz").exists()

    def test_a_portal_admin_must_say_which_provider_an_agent_works_for(self, api, world):
        admin = api.as_user(world.admin)

        assert admin.post(url("agent-list"), {"full_name": "Dee"}).status_code == 400
        created = admin.post(url("agent-list"), {"full_name": "Dee", "provider": world.other_provider.pk})
        assert created.status_code == 201, created.data

    def test_an_employee_id_is_unique_within_a_provider(self, api, world):
        Agent.objects.filter(pk=world.agent.pk).update(employee_ref="CV-001")

        response = api.as_user(world.provider_manager).post(
            url("agent-list"), {"full_name": "Copy", "employee_ref": "CV-001"}
        )

        assert response.status_code == 400
        assert "already has that employee ID" in str(response.data)

    def test_a_provider_manager_updates_and_removes_their_agents(self, api, world):
        client = api.as_user(world.provider_manager)

        updated = client.patch(url("agent-detail", world.agent.pk), {"status": "live", "languages": "English"})
        assert updated.status_code == 200, updated.data
        # The stage is read-only here: it moves per engagement through POST /api/v1/agents/{id}/stage/.
        assert updated.data["languages"] == "English" and updated.data["status"] == "candidate"

        newcomer = factories.make_agent(world.provider, full_name="Never assigned")
        assert client.delete(url("agent-detail", newcomer.pk)).status_code == 204
        assert not Agent.objects.filter(pk=newcomer.pk).exists()

    def test_an_agent_cannot_move_to_another_provider(self, api, world):
        response = api.as_user(world.admin).patch(
            url("agent-detail", world.agent.pk), {"provider": world.other_provider.pk}
        )

        assert response.status_code == 400
        world.agent.refresh_from_db()
        assert world.agent.provider == world.provider

    def test_a_practice_sees_an_assigned_agent_but_cannot_change_or_remove_them(self, api, world):
        client = api.as_user(world.practice_manager)

        assert client.get(url("agent-detail", world.agent.pk)).status_code == 200
        assert client.patch(url("agent-detail", world.agent.pk), {"full_name": "X"}).status_code == 403
        assert client.delete(url("agent-detail", world.agent.pk)).status_code == 403

    def test_provider_staff_cannot_add_agents(self, api, world):
        response = api.as_user(world.provider_staff).post(url("agent-list"), {"full_name": "Eve"})

        assert response.status_code == 403


# --- The catalogue and who am I ---------------------------------------------------------------------------------------


class TestServiceLinesAndMe:
    def test_the_service_line_catalogue_is_read_by_code(self, api, world):
        client = api.as_user(world.outsider)

        listing = client.get(url("serviceline-list"))
        assert listing.data["count"] == 9
        assert listing.data["results"][0]["code"] == "scheduling"

        detail = client.get(url("serviceline-detail", "claims"))
        assert (detail.data["name"], detail.data["category"]) == ("Claims processing", "revenue_cycle")

    def test_the_catalogue_is_read_only(self, api, world):
        assert api.as_user(world.admin).post(url("serviceline-list"), {"code": "x", "name": "X"}).status_code == 405

    def test_me_tells_a_practice_manager_who_they_are(self, api, world):
        data = api.as_user(world.practice_manager).get(url("api-me")).data

        assert data["full_name"] == "Paula Manager"
        assert (data["side"], data["role"], data["role_label"]) == ("practice", "manager", "Practice manager")
        assert data["organization"]["name"] == "Riverside Eye Care"
        assert data["organization"]["url"].endswith(url("practice-detail", world.practice.pk))
        assert data["token"]["kind"] == "personal"
        assert data["is_portal_admin"] is False

    def test_me_tells_an_integration_which_provider_and_token_it_is(self, api, world):
        data = api.as_token(world.integration_raw_token).get(url("api-me")).data

        assert (data["side"], data["role"]) == ("provider", "integration")
        assert data["organization"]["name"] == "ClearView Health Services"
        assert data["token"] == {
            "id": world.integration_token.pk,
            "name": "Call-centre feed",
            "kind": "integration",
            "prefix": world.integration_token.prefix,
        }

    def test_me_tells_a_portal_admin_they_have_no_side(self, api, world):
        data = api.as_user(world.admin).get(url("api-me")).data

        assert data["is_portal_admin"] is True
        assert (data["side"], data["organization"], data["role_label"]) == (None, None, "Portal admin")


# --- Query counts -----------------------------------------------------------------------------------------------------


def _grow(world, rows):
    """`rows` more engagements (with service lines and an assigned agent each), agents, practices, providers."""
    lines = list(ServiceLine.objects.all()[:3])
    for n in range(rows):
        practice = factories.make_practice()
        practice.locations.create(name="Main", city="Springfield")
        provider = factories.make_provider(delivery_countries=["PH"])
        engagement = factories.make_engagement(
            world.practice, world.provider, by=world.practice_manager, service_lines=lines, name=f"Row {n}"
        )
        factories.make_engagement(practice, world.provider, by=world.provider_manager, name=f"Pair {n}")
        agent = factories.make_agent(world.provider)
        services.assign_agent(engagement, agent, by=world.provider_manager)
        factories.make_agent(provider)


# Token lookup, its last-use stamp, the caller's membership, then the page: count, rows and one query per
# prefetch (service lines, locations). Measured: 5 to 7 depending on the endpoint, the same at 3 and 30 rows.
LIST_QUERY_BUDGET = 7


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(
    "list_name, persona",
    [
        ("engagement-list", "practice_manager"),
        ("engagement-list", "provider_staff"),
        ("engagement-list", "admin"),
        ("agent-list", "provider_manager"),
        ("agent-list", "practice_staff"),
        ("practice-list", "provider_manager"),
        ("practice-list", "admin"),
        ("provider-list", "outsider"),
    ],
)
def test_list_endpoints_run_a_constant_number_of_queries(
    api, world, django_assert_max_num_queries, rows, list_name, persona
):
    _grow(world, rows)
    client = api.as_user(getattr(world, persona))

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(url(list_name))

    assert response.status_code == 200
    assert response.data["count"] >= rows


@pytest.mark.parametrize("name", ["engagement-list", "agent-list", "practice-list"])
def test_the_browsable_api_renders_its_forms_for_a_signed_in_manager(world, name):
    client = APIClient()
    client.force_login(world.practice_manager)

    response = client.get(url(name), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"<form" in response.content
