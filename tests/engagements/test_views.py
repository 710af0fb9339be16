import csv
import io

import pytest
from django.urls import reverse

from engagements.choices import Role
from engagements.models import Agent, Engagement, Location, ServiceLine
from tests import factories

pytestmark = pytest.mark.django_db


def engagement_list_names(response):
    return {row.record.name for row in response.context["table"].page.object_list}


class TestHome:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_each_role_sees_their_own_engagements_and_counts(self, client, world):
        client.force_login(world.provider_manager)
        response = client.get(reverse("home"))
        assert list(response.context["active_engagements"]) == [world.engagement]
        assert {s.value: n for s, _, n in response.context["status_counts"]}["vetting"] == 1
        assert b"Other front desk" not in response.content
        assert response.context["can_create_engagement"]

    def test_staff_get_no_start_button(self, client, world):
        client.force_login(world.practice_staff)
        response = client.get(reverse("home"))
        assert not response.context["can_create_engagement"]
        assert b'data-testid="start-engagement"' not in response.content

    def test_attention_lists_a_contract_to_record(self, client, world):
        from engagements import services

        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)
        client.force_login(world.practice_manager)
        texts = [item.text for item in client.get(reverse("home")).context["attention"]]
        assert any("record the contract" in text for text in texts)
        client.force_login(world.provider_manager)  # the provider cannot record it, so it is not their task
        texts = [item.text for item in client.get(reverse("home")).context["attention"]]
        assert not any("record the contract" in text for text in texts)


class TestEngagementList:
    def test_it_lists_only_what_the_user_may_see(self, client, world):
        client.force_login(world.practice_manager)
        assert engagement_list_names(client.get(reverse("engagements:engagement_list"))) == {"Front desk"}
        client.force_login(world.admin)
        assert engagement_list_names(client.get(reverse("engagements:engagement_list"))) == {
            "Front desk",
            "Other front desk",
        }

    def test_filters_search_and_sort(self, client, world):
        for i in range(3):
            factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name=f"Claims {i}")
        client.force_login(world.practice_manager)
        url = reverse("engagements:engagement_list")
        assert engagement_list_names(client.get(url, {"q": "claims"})) == {"Claims 0", "Claims 1", "Claims 2"}
        assert engagement_list_names(client.get(url, {"status": ["contracting"]})) == set()
        response = client.get(url, {"sort": "-name"})
        assert [r.record.name for r in response.context["table"].page.object_list][0] == "Front desk"

    def test_the_filter_offers_only_visible_practices(self, client, world):
        client.force_login(world.provider_manager)
        response = client.get(reverse("engagements:engagement_list"))
        choices = {str(label) for _, label in response.context["filter"].form.fields["practice"].choices}
        assert "Riverside Eye Care" in choices and "Summit Vision Center" not in choices

    def test_it_paginates_at_25(self, client, world):
        for i in range(30):
            factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name=f"E{i:02}")
        client.force_login(world.practice_manager)
        first = client.get(reverse("engagements:engagement_list"))
        assert len(first.context["table"].page.object_list) == 25
        second = client.get(reverse("engagements:engagement_list"), {"page": 2})
        assert len(second.context["table"].page.object_list) == 6

    def test_csv_export_holds_the_filtered_rows_only(self, client, world):
        factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
        client.force_login(world.practice_manager)
        response = client.get(reverse("engagements:engagement_list"), {"_export": "csv", "q": "front"})
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [row["Name"] for row in rows] == ["Front desk"]
        assert rows[0]["Status"] == "Vetting" and rows[0]["Provider"] == "ClearView Health Services"

    def test_list_queries_do_not_grow_with_rows(self, client, world, django_assert_max_num_queries):
        client.force_login(world.practice_manager)
        url = reverse("engagements:engagement_list")
        client.get(url)
        with django_assert_max_num_queries(14) as few:
            client.get(url)
        for _ in range(20):
            engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
            engagement.service_lines.set(ServiceLine.objects.all()[:3])
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)


class TestEngagementForms:
    def test_a_practice_manager_starts_an_engagement_with_a_provider(self, client, world):
        client.force_login(world.practice_manager)
        form = client.get(reverse("engagements:engagement_create")).context["form"]
        assert "practice" not in form.fields  # their own side is fixed
        scheduling = ServiceLine.objects.get(code="scheduling")
        response = client.post(
            reverse("engagements:engagement_create"),
            {
                "provider": world.other_provider.pk,
                "name": "Overflow calls",
                "service_lines": [scheduling.pk],
            },
        )
        engagement = Engagement.objects.get(name="Overflow calls")
        assert response.status_code == 302 and response.url == engagement.get_absolute_url()
        assert engagement.practice == world.practice and engagement.created_by == world.practice_manager
        assert list(engagement.service_lines.all()) == [scheduling]
        assert engagement in Engagement.objects.for_user(world.other_provider_manager)

    def test_posting_a_practice_field_cannot_pick_another_practice(self, client, world):
        client.force_login(world.practice_manager)
        client.post(
            reverse("engagements:engagement_create"),
            {
                "practice": world.other_practice.pk,
                "provider": world.provider.pk,
                "name": "Smuggled",
            },
        )
        assert Engagement.objects.get(name="Smuggled").practice == world.practice

    def test_an_empty_name_shows_an_error_and_writes_nothing(self, client, world):
        client.force_login(world.provider_manager)
        before = Engagement.objects.count()
        response = client.post(reverse("engagements:engagement_create"), {"practice": world.practice.pk, "name": ""})
        assert response.status_code == 200 and "name" in response.context["form"].errors
        assert Engagement.objects.count() == before

    def test_a_duplicate_name_is_a_form_error_not_a_crash(self, client, world):
        client.force_login(world.practice_manager)
        response = client.post(
            reverse("engagements:engagement_create"), {"provider": world.provider.pk, "name": "Front desk"}
        )
        assert response.status_code == 200
        assert "already have an engagement" in str(response.context["form"].errors)

    def test_staff_cannot_open_the_form(self, client, world):
        client.force_login(world.practice_staff)
        assert client.get(reverse("engagements:engagement_create")).status_code == 403

    def test_the_status_form_moves_the_engagement_and_refuses_a_skip(self, client, world):
        client.force_login(world.provider_manager)
        url = reverse("engagements:engagement_status", args=[world.engagement.pk])
        response = client.post(url, {"status": "steady"}, follow=True)
        assert "Choose one of the statuses" in response.content.decode()
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        client.post(url, {"status": "contracting", "note": "Due diligence done"})
        world.engagement.refresh_from_db()
        assert world.engagement.status == "contracting"
        assert world.engagement.status_changes.first().note == "Due diligence done"

    def test_only_the_practice_records_the_contract(self, client, world):
        url = reverse("engagements:contract_edit", args=[world.engagement.pk])
        client.force_login(world.provider_manager)
        assert client.get(url).status_code == 403
        client.force_login(world.practice_manager)
        bad = client.post(
            url, {"starts_on": "2026-01-01", "ends_on": "2025-01-01", "evaluation_months": 5, "notice_days": 60}
        )
        assert bad.status_code == 200
        errors = bad.context["form"].errors
        assert "ends_on" in errors and "evaluation_months" in errors
        good = client.post(
            url,
            {
                "starts_on": "2026-01-01",
                "ends_on": "2027-01-01",
                "evaluation_months": 9,
                "notice_days": 60,
                "checkpoint_interval_months": 3,
                "termination_breach_count": 3,
                "termination_window_months": 6,
            },
        )
        assert good.status_code == 302
        assert good.url == reverse("engagements:contract_detail", args=[world.engagement.pk])
        world.engagement.refresh_from_db()
        assert world.engagement.contract.evaluation_months == 9


class TestOtherPages:
    def test_a_provider_manager_adds_an_agent_to_their_own_provider_only(self, client, world):
        client.force_login(world.provider_manager)
        form = client.get(reverse("engagements:agent_create")).context["form"]
        assert "provider" not in form.fields
        response = client.post(reverse("engagements:agent_create"), {"full_name": "Rosa Diaz"})
        assert response.status_code == 302
        assert Agent.objects.get(full_name="Rosa Diaz").provider == world.provider

    def test_a_duplicate_employee_id_is_a_form_error(self, client, world):
        world.agent.employee_ref = "CV-001"
        world.agent.save()
        client.force_login(world.provider_manager)
        response = client.post(reverse("engagements:agent_create"), {"full_name": "Twin", "employee_ref": "CV-001"})
        assert response.status_code == 200 and "employee ID" in str(response.context["form"].errors)

    def test_assigning_and_removing_an_agent(self, client, world):
        agent = factories.make_agent(world.provider, full_name="Luz Mar")
        client.force_login(world.provider_manager)
        client.post(reverse("engagements:assignment_add", args=[world.engagement.pk]), {"agent": agent.pk})
        assignment = world.engagement.assignments.get(agent=agent)
        client.post(reverse("engagements:assignment_remove", args=[world.engagement.pk, assignment.pk]))
        assert not world.engagement.assignments.filter(agent=agent).exists()

    def test_a_practice_sees_agents_on_its_engagements_only(self, client, world):
        client.force_login(world.practice_manager)
        response = client.get(reverse("engagements:agent_list"))
        assert [row.record for row in response.context["table"].page.object_list] == [world.agent]

    def test_a_practice_manager_manages_locations(self, client, world):
        client.force_login(world.practice_manager)
        client.post(
            reverse("engagements:location_create", args=[world.practice.pk]),
            {"name": "Downtown", "city": "Albany", "country": "US"},
        )
        location = Location.objects.get(name="Downtown")
        assert location.practice == world.practice
        client.post(reverse("engagements:location_delete", args=[location.pk]))
        assert not Location.objects.filter(pk=location.pk).exists()

    def test_the_provider_directory_is_open_but_editing_is_not(self, client, world):
        client.force_login(world.practice_manager)
        assert client.get(world.other_provider.get_absolute_url()).status_code == 200
        assert client.get(reverse("engagements:provider_edit", args=[world.provider.pk])).status_code == 403

    def test_missing_pages_use_the_friendly_404(self, client, world):
        client.force_login(world.practice_manager)
        response = client.get("/engagements/999999/")
        assert response.status_code == 404
        assert "We couldn’t find that page" in response.content.decode()


class TestPeopleAndTokens:
    def test_a_manager_invites_and_the_link_is_shown_once(self, client, world):
        client.force_login(world.practice_manager)
        response = client.post(
            reverse("engagements:invite"), {"email": "joiner@example.test", "role": "staff"}, follow=True
        )
        message = str(list(response.context["messages"])[0])
        assert "joiner@example.test" in message and "/invitations/inv_" in message

    def test_the_invitation_page_creates_the_account_and_signs_in(self, client, world):
        from engagements import services

        _, link = services.invite_member(
            organization=world.provider, email="va@example.test", role=Role.STAFF, by=world.provider_manager
        )
        path = link.replace("http://127.0.0.1:8000", "")
        mismatch = client.post(
            path,
            {
                "first_name": "V",
                "last_name": "A",
                "password": "lens-and-frames-42",
                "password_again": "lens-and-frames-4",
            },
        )
        assert "differ" in str(mismatch.context["form"].errors)
        response = client.post(
            path,
            {
                "first_name": "V",
                "last_name": "A",
                "password": "lens-and-frames-42",
                "password_again": "lens-and-frames-42",
            },
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).context["user"].email == "va@example.test"
        assert client.get(path).context["invitation"].status == "accepted"

    def test_staff_cannot_reach_manager_actions(self, client, world):
        client.force_login(world.practice_staff)
        assert (
            client.post(reverse("engagements:invite"), {"email": "a@example.test", "role": "staff"}).status_code == 403
        )
        url = reverse("engagements:member_deactivate", args=[world.practice_manager.membership.pk])
        assert client.post(url).status_code == 403

    def test_a_deactivated_person_is_signed_out_on_their_next_request(self, client, world):
        client.force_login(world.practice_staff)
        from engagements import services

        services.deactivate_member(world.practice_staff.membership, by=world.practice_manager)
        response = client.get(world.engagement.get_absolute_url())
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_creating_a_token_shows_the_secret_once_and_uncached(self, client, world):
        client.force_login(world.provider_manager)
        body = {"name": "EHR sync", "kind": "integration", "scopes": ["measurements:push"]}
        response = client.post(reverse("engagements:token_create"), body)
        raw = response.context["raw"]
        assert raw.startswith("bpo_") and "no-store" in response["Cache-Control"]
        listing = client.get(reverse("engagements:token_list")).content.decode()
        assert "EHR sync" in listing and raw not in listing

    def test_a_practice_manager_cannot_create_integration_tokens(self, client, world):
        client.force_login(world.practice_manager)
        response = client.post(reverse("engagements:token_create"), {"name": "X", "kind": "integration"}, follow=True)
        assert "integration" in str(list(response.context["messages"])[0]).lower()


class TestDirectoryAndPeopleFilters:
    def test_providers_filter_by_coverage_country_and_experience(self, client, world):
        world.provider.coverage_24x7 = True
        world.provider.delivery_countries = ["PH"]
        world.provider.eye_care_experience_years = 6
        world.provider.save()
        client.force_login(world.practice_manager)
        url = reverse("engagements:provider_list")

        def names(params):
            return {row.record.name for row in client.get(url, params).context["table"].page.object_list}

        assert names({"coverage_24x7": "true"}) == {"ClearView Health Services"}
        assert names({"delivery_country": "PH"}) == {"ClearView Health Services"}
        assert names({"eye_care_experience": "false"}) == {"Northstar Revenue Partners"}

    def test_people_filter_by_role_and_activity_and_stay_on_my_side(self, client, world):
        from engagements import services

        services.deactivate_member(world.practice_staff.membership, by=world.practice_manager)
        client.force_login(world.practice_manager)
        url = reverse("engagements:people")

        def emails(params):
            return {row.record.user.email for row in client.get(url, params).context["table"].page.object_list}

        assert emails({}) == {world.practice_manager.email, world.practice_staff.email}
        assert emails({"active": "false"}) == {world.practice_staff.email}
        assert emails({"role": "manager"}) == {world.practice_manager.email}


class TestSignInAndRobustness:
    def test_the_sign_in_form_asks_for_an_e_mail(self, client):
        page = client.get(reverse("login")).content.decode()
        assert 'for="id_username">E-mail</label>' in page

    def test_an_invitation_stands_and_shows_its_link_when_the_e_mail_cannot_be_queued(
        self, client, world, monkeypatch, django_capture_on_commit_callbacks
    ):
        from engagements import tasks
        from engagements.models import Invitation

        def broker_down(*args, **kwargs):
            raise ConnectionError("broker unreachable")

        monkeypatch.setattr(tasks.send_invitation_email, "delay", broker_down)
        client.force_login(world.practice_manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("engagements:invite"), {"email": "q@example.test", "role": "staff"})
        assert response.status_code == 302
        assert Invitation.objects.get(email="q@example.test").sent_at is None
        message = str(list(client.get(reverse("engagements:people")).context["messages"])[0])
        assert "/invitations/inv_" in message


def test_a_change_made_in_the_ui_is_recorded_with_who_made_it(client, world):
    from auditlog.models import LogEntry

    client.force_login(world.provider_manager)
    client.post(
        reverse("engagements:engagement_edit", args=[world.engagement.pk]),
        {"name": "Front desk and recalls", "summary": "Recall calls added"},
    )
    entry = LogEntry.objects.get_for_object(world.engagement).latest("timestamp")
    assert entry.actor == world.provider_manager
    assert entry.changes_dict["name"] == ["Front desk", "Front desk and recalls"]
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert "Bea Account" in page and "Front desk and recalls" in page
