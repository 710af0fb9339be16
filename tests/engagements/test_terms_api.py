"""The contract terms API and contract page: recording terms, the computed dates, checkpoint outcomes, the
termination evidence, filters, and a constant number of queries whatever the data size."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from engagements import services
from engagements.models import Checkpoint, Contract
from tests import factories
from tests.api_errors import field_errors
from tests.engagements.test_terms_services import make_breach

pytestmark = pytest.mark.django_db

TERMS = {
    "starts_on": "2026-01-31",
    "ends_on": "2027-01-31",
    "evaluation_months": 6,
    "notice_days": 60,
    "auto_renew": True,
    "renewal_term_months": 36,
}


def today():
    return timezone.localdate() - timedelta(days=1)  # yesterday: already past in every practice's zone


@pytest.fixture
def running(world):
    """A contract ten months in: its evaluation is over and both checkpoints are due."""
    return services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=today() - relativedelta(months=10),
        ends_on=today() + relativedelta(months=14),
        termination_breach_count=2,
        termination_window_months=3,
    )


class TestContracts:
    def test_the_practice_manager_records_a_contract_and_reads_its_computed_dates(self, api, world):
        client = api.as_user(world.practice_manager)
        response = client.post(reverse("contract-list"), {**TERMS, "engagement": world.engagement.pk}, format="json")

        assert response.status_code == 201, response.data
        data = response.json()
        assert data["evaluation_ends_on"] == "2026-07-31"
        assert data["long_renewal"] is True
        contract = Contract.objects.get(engagement=world.engagement)
        local_today = contract.local_today()
        assert data["current_term_ends_on"] == contract.current_term_ends_on(local_today).isoformat()
        assert data["notice_deadline"] == contract.notice_deadline_on(local_today).isoformat()
        assert data["days_to_notice_deadline"] == (contract.notice_deadline_on(local_today) - local_today).days
        assert contract.checkpoints.count() == 2

    def test_an_engagement_has_one_contract(self, api, world, running):
        response = api.as_user(world.practice_manager).post(
            reverse("contract-list"), {**TERMS, "engagement": world.engagement.pk}, format="json"
        )
        assert response.status_code == 400
        assert "already has a contract" in str(field_errors(response)["engagement"])

    def test_bad_terms_are_refused_with_a_message_and_change_nothing(self, api, world, running):
        client = api.as_user(world.practice_manager)
        url = reverse("contract-detail", args=[running.pk])
        short = client.patch(url, {"evaluation_months": 5}, format="json")
        assert short.status_code == 400
        assert field_errors(short)["evaluation_months"] == ["The evaluation period must be between 6 and 12 months."]
        backwards = client.patch(url, {"ends_on": "2020-01-01"}, format="json")
        assert backwards.status_code == 400
        assert field_errors(backwards)["detail"] == ["The contract must end after it starts."]
        assert Contract.objects.get(pk=running.pk).ends_on == running.ends_on

    def test_computed_fields_are_read_only_and_the_engagement_stays(self, api, world, running):
        client = api.as_user(world.practice_manager)
        url = reverse("contract-detail", args=[running.pk])
        response = client.patch(url, {"notice_deadline": "2020-01-01", "notice_days": 30}, format="json")
        assert response.status_code == 200
        assert response.data["notice_deadline"] != "2020-01-01" and response.data["notice_days"] == 30
        moved = client.patch(url, {"engagement": world.other_engagement.pk}, format="json")
        assert moved.status_code == 400

    def test_contracts_filter_by_engagement(self, api, world, running):
        other = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Second")
        services.save_contract(other, by=world.practice_manager, starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1))
        client = api.as_user(world.provider_staff)
        rows = client.get(reverse("contract-list"), {"engagement": other.pk}).json()["results"]
        assert [row["engagement"] for row in rows] == [other.pk]

    def test_termination_eligibility_shows_the_breaches_as_evidence(self, api, world, running):
        first = make_breach(world.engagement, today() - timedelta(days=20))
        second = make_breach(world.engagement, today() - timedelta(days=10))
        make_breach(world.engagement, today() - timedelta(days=5), severity="warning")

        response = api.as_user(world.provider_staff).get(reverse("contract-termination-eligibility", args=[running.pk]))

        assert response.status_code == 200
        data = response.json()
        assert data["eligible"] is True and data["found"] == 2 and data["required"] == 2
        assert [row["id"] for row in data["breaches"]] == [second.pk, first.pk]
        assert data["breaches"][0]["url"].endswith(f"/api/v1/breaches/{second.pk}/")
        assert data["breaches"][0]["metric"] == "service_level"


class TestCheckpoints:
    def test_the_practice_records_an_outcome(self, api, world, running):
        checkpoint = running.checkpoints.order_by("due_on").first()
        response = api.as_user(world.practice_manager).post(
            reverse("checkpoint-outcome", args=[checkpoint.pk]),
            {"outcome": "conditions", "notes": "A daily call report"},
            format="json",
        )
        assert response.status_code == 200, response.data
        assert response.data["outcome"] == "conditions"
        assert response.data["recorded_by"] == "Paula Manager"

    def test_conditions_without_notes_and_a_future_checkpoint_are_refused(self, api, world):
        contract = services.save_contract(
            world.engagement,
            by=world.practice_manager,
            starts_on=today() - relativedelta(months=4),
            ends_on=today() + relativedelta(months=20),
        )
        first, second = contract.checkpoints.order_by("due_on")
        client = api.as_user(world.practice_manager)
        bare = client.post(reverse("checkpoint-outcome", args=[first.pk]), {"outcome": "conditions"}, format="json")
        assert bare.status_code == 400 and "conditions" in str(field_errors(bare)["notes"])
        early = client.post(reverse("checkpoint-outcome", args=[second.pk]), {"outcome": "continue"}, format="json")
        assert early.status_code == 400 and "on or after that day" in str(early.data["detail"])
        pending = client.post(reverse("checkpoint-outcome", args=[first.pk]), {"outcome": "pending"}, format="json")
        assert pending.status_code == 400
        assert set(Checkpoint.objects.values_list("outcome", flat=True)) == {"pending"}

    def test_checkpoints_filter_by_engagement_contract_and_outcome(self, api, world, running):
        first = running.checkpoints.order_by("due_on").first()
        client = api.as_user(world.practice_manager)
        client.post(reverse("checkpoint-outcome", args=[first.pk]), {"outcome": "continue"}, format="json")
        url = reverse("checkpoint-list")
        assert [r["id"] for r in client.get(url, {"outcome": "continue"}).json()["results"]] == [first.pk]
        assert len(client.get(url, {"contract": running.pk}).json()["results"]) == 2
        assert len(client.get(url, {"engagement": world.engagement.pk, "outcome": "pending"}).json()["results"]) == 1

    def test_checkpoints_cannot_be_created_by_hand(self, api, world, running):
        response = api.as_user(world.practice_manager).post(reverse("checkpoint-list"), {}, format="json")
        assert response.status_code == 405


class TestContractPage:
    def test_it_shows_the_terms_the_eligibility_with_its_breaches_and_the_outcome_forms(self, client, world, running):
        breaches = [make_breach(world.engagement, today() - timedelta(days=d)) for d in (7, 14)]
        client.force_login(world.practice_manager)
        html = client.get(reverse("engagements:contract_detail", args=[world.engagement.pk])).content.decode()
        assert "may end the contract without penalty" in html
        for breach in breaches:
            assert breach.get_absolute_url() in html
        assert html.count('data-testid="outcome-form"') == 2
        assert "{# -- scope" not in html  # the placeholders are template comments

    def test_the_provider_reads_the_page_without_the_forms(self, client, world, running):
        client.force_login(world.provider_manager)
        html = client.get(reverse("engagements:contract_detail", args=[world.engagement.pk])).content.decode()
        assert 'data-testid="checkpoints"' in html and 'data-testid="outcome-form"' not in html

    def test_an_invalid_outcome_shows_the_error_on_the_field(self, client, world, running):
        checkpoint = running.checkpoints.order_by("due_on").first()
        client.force_login(world.practice_manager)
        response = client.post(
            reverse("engagements:checkpoint_outcome", args=[checkpoint.pk]), {"outcome": "conditions"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["notes"] == ["Write down the conditions of continuing."]

    def test_a_recorded_outcome_shows_in_the_engagements_change_history(self, client, world, running):
        checkpoint = running.checkpoints.order_by("due_on").first()
        client.force_login(world.practice_manager)
        url = reverse("engagements:checkpoint_outcome", args=[checkpoint.pk])
        client.post(url, {"outcome": "end", "notes": "Slow"})
        history = client.get(world.engagement.get_absolute_url()).context["history"]
        assert any(
            item.kind == "Checkpoint" and any(change.label == "Outcome" for change in item.changes)
            for group in history
            for item in group.items
        )

    def test_the_notice_deadline_and_a_long_renewal_are_called_out(self, client, world):
        local = today()
        services.save_contract(
            world.engagement,
            by=world.practice_manager,
            starts_on=local - relativedelta(months=11),
            ends_on=local + timedelta(days=70),
            notice_days=60,
            auto_renew=True,
            renewal_term_months=36,
        )
        client.force_login(world.provider_staff)
        html = client.get(reverse("engagements:contract_detail", args=[world.engagement.pk])).content.decode()
        assert 'data-testid="notice-deadline-near"' in html and 'data-testid="long-renewal"' in html


# --- Query counts ----------------------------------------------------------------------------------------------------


def grow(world, count):
    for _ in range(count):
        engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
        services.save_contract(
            engagement,
            by=world.practice_manager,
            starts_on=today() - relativedelta(months=10),
            ends_on=today() + relativedelta(months=14),
        )


@pytest.mark.parametrize("url", ["/api/v1/contracts/", "/api/v1/checkpoints/"])
def test_list_endpoints_take_the_same_queries_at_any_size(api, world, running, url, django_assert_max_num_queries):
    client = api.as_user(world.provider_manager)
    grow(world, 2)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    grow(world, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_contract_page_takes_the_same_queries_at_any_size(client, world, running, django_assert_max_num_queries):
    client.force_login(world.practice_manager)
    url = reverse("engagements:contract_detail", args=[world.engagement.pk])
    make_breach(world.engagement, today() - timedelta(days=3))
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    for days in range(10, 80, 7):
        make_breach(world.engagement, today() - timedelta(days=days), metric="abandonment_rate")
    services.save_contract(
        world.engagement, by=world.practice_manager, evaluation_months=12, checkpoint_interval_months=1
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
