"""Change-request pages: the propose form reports problems on their field and saves nothing, decisions need what
they need, and pages show each role only the actions it may take."""

import pytest

from engagements.models import ChangeRequest, ContractVersion
from engagements.services import changes
from tests.engagements.changes_helpers import add_billing, signed_contract
from tests.test_access_matrix import ui_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(world):
    return signed_contract(world.engagement, world.practice_manager)


def test_a_proposal_that_does_not_fit_shows_the_error_on_its_field_and_saves_nothing(world, contract):
    response = ui_client(world, "provider_manager").post(
        f"/engagements/{world.engagement.pk}/change-requests/new/",
        {"kind": "remove_line", "service_line": "billing", "reason": "Not needed"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"service_line": ["Billing is not in the contract's scope."]}
    assert not ChangeRequest.objects.exists()


def test_a_proposal_without_a_reason_is_refused_on_the_form(world, contract):
    response = ui_client(world, "practice_manager").post(
        f"/engagements/{world.engagement.pk}/change-requests/new/", {"kind": "change_date", "notice_days": "90"}
    )
    assert "reason" in response.context["form"].errors
    assert not ChangeRequest.objects.exists()


def test_a_valid_proposal_leads_to_its_page_with_the_delta(world, contract):
    client = ui_client(world, "practice_manager")
    response = client.post(
        f"/engagements/{world.engagement.pk}/change-requests/new/",
        {"kind": "change_date", "notice_days": "90", "ends_on": "2027-03-31", "reason": "Align with the budget year"},
    )
    request = ChangeRequest.objects.get()
    assert response.url == request.get_absolute_url()
    assert (request.proposing_side, request.notice_days, str(request.ends_on)) == ("practice", 90, "2027-03-31")
    page = client.get(response.url).content.decode()
    assert "0.00" in page and 'data-testid="withdraw"' in page and 'data-testid="approve"' in page


def test_an_unsigned_contract_offers_no_proposal(world, contract):
    contract.signed_on = None
    contract.save()
    page = ui_client(world, "provider_manager").get(f"/engagements/{world.engagement.pk}/change-requests/")
    assert 'data-testid="propose-change"' not in page.content.decode()
    assert "not signed yet" in page.content.decode()


def test_rejecting_without_a_note_is_refused_with_a_message(world, contract):
    request = add_billing(world.engagement, world.provider_manager)
    client = ui_client(world, "practice_manager")
    response = client.post(f"/change-requests/{request.pk}/reject/", {"note": ""}, follow=True)
    assert "Say why the change is rejected" in response.content.decode()
    assert ChangeRequest.objects.get().status == "proposed"


def test_the_provider_sees_withdraw_but_not_approve(world, contract):
    request = add_billing(world.engagement, world.provider_manager)
    page = ui_client(world, "provider_manager").get(request.get_absolute_url()).content.decode()
    assert 'data-testid="withdraw"' in page and 'data-testid="approve"' not in page
    staff = ui_client(world, "practice_staff").get(request.get_absolute_url()).content.decode()
    assert 'data-testid="change-actions"' not in staff


def test_a_stale_request_shows_it_no_longer_applies_and_cannot_be_approved(world, contract):
    first = add_billing(world.engagement, world.provider_manager)
    second = add_billing(world.engagement, world.provider_manager, expected_monthly_volume=50)
    changes.approve_change_request(first, by=world.practice_manager)
    client = ui_client(world, "practice_manager")
    assert "No longer applies" in client.get(second.get_absolute_url()).content.decode()
    response = client.post(f"/change-requests/{second.pk}/approve/", follow=True)
    assert "out of date" in response.content.decode()
    assert ContractVersion.objects.count() == 2


def test_the_engagement_page_counts_pending_requests_and_shows_the_version(world, contract):
    add_billing(world.engagement, world.provider_manager)
    page = ui_client(world, "practice_staff").get(f"/engagements/{world.engagement.pk}/").content.decode()
    assert 'data-testid="pending-changes">1<' in page
    assert 'data-testid="contract-version">1<' in page


def test_the_versions_page_explains_version_1_before_any_change(world, contract):
    page = ui_client(world, "provider_staff").get(f"/engagements/{world.engagement.pk}/contract/versions/")
    assert "Version 1 is stored when the first change request is approved" in page.content.decode()


def test_a_renewal_term_over_two_years_is_called_out(world, contract):
    request = changes.propose_change_request(
        world.engagement, by=world.provider_manager, kind="change_date", reason="Lock in", renewal_term_months=36
    )
    page = ui_client(world, "practice_manager").get(request.get_absolute_url()).content.decode()
    assert 'data-testid="long-renewal"' in page and "36 months" in page
