"""A signed contract's terms change only through an approved change request: the contract form and the
contracts API refuse direct edits (and write nothing), and the pages point to change requests instead."""

from datetime import date

import pytest
from django.urls import reverse

from bpo_portal.errors import DomainError
from engagements import services
from engagements.models import Contract
from tests.test_access_matrix import api_client, ui_client

pytestmark = pytest.mark.django_db

TERMS = {"starts_on": date(2026, 1, 1), "ends_on": date(2027, 1, 1), "evaluation_months": 6, "notice_days": 60}


def record(world, **extra):
    return services.save_contract(world.engagement, by=world.practice_manager, **TERMS, **extra)


def stored(contract):
    return Contract.objects.filter(pk=contract.pk).values("ends_on", "notice_days", "updated_at").get()


def test_an_unsigned_contract_is_edited_directly(world):
    contract = record(world)
    services.save_contract(world.engagement, by=world.practice_manager, notice_days=90)
    contract.refresh_from_db()
    assert contract.notice_days == 90


def test_a_signed_contract_refuses_a_direct_edit_and_keeps_its_terms(world):
    contract = record(world, signed_on=date(2026, 1, 1))
    before = stored(contract)
    with pytest.raises(DomainError, match="only through a change request"):
        services.save_contract(world.engagement, by=world.practice_manager, ends_on=date(2028, 1, 1))
    assert stored(contract) == before


def test_saving_a_signed_contract_unchanged_is_allowed(world):
    """Seeding the demo twice saves the same terms again; that is not an amendment."""
    contract = record(world, signed_on=date(2026, 1, 1))
    record(world, signed_on=date(2026, 1, 1))
    assert Contract.objects.get(pk=contract.pk).ends_on == TERMS["ends_on"]


def test_the_api_answers_400_for_a_direct_edit_of_a_signed_contract(world):
    contract = record(world, signed_on=date(2026, 1, 1))
    before = stored(contract)
    response = api_client(world, "practice_manager").patch(
        f"/api/v1/contracts/{contract.pk}/", {"notice_days": 30}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "change request" in str(response.data)
    assert stored(contract) == before


def test_the_contract_page_offers_a_change_request_instead_of_the_edit_form(world):
    record(world, signed_on=date(2026, 1, 1))
    page = ui_client(world, "practice_manager").get(reverse("engagements:contract_detail", args=[world.engagement.pk]))
    html = page.content.decode()
    assert 'data-testid="propose-change"' in html and 'data-testid="edit-contract"' not in html
    assert reverse("engagements:change_request_list", args=[world.engagement.pk]) in html


def test_an_unsigned_contract_page_still_offers_the_edit_form(world):
    record(world)
    page = ui_client(world, "practice_manager").get(reverse("engagements:contract_detail", args=[world.engagement.pk]))
    assert 'data-testid="edit-contract"' in page.content.decode()
