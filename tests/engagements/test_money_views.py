"""The money pages: scope editing with errors on the field, the signed-contract lock, credits, the cost page and
what the provider may not see."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from engagements.choices import PricingBasis
from engagements.models import Contract, ContractScope, VolumeTier
from tests.engagements.money_helpers import breach, contract_for, line, push_volumes, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(world):
    world.practice.in_house_monthly_cost = Decimal("18250.00")
    world.practice.save()
    contract = contract_for(world, account_management_fee=Decimal("500"))
    line(contract, "claims", expected_monthly_volume=1500, tiers=[(1000, "1.50")])
    line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    return contract


def scope_url(world, rest=""):
    return f"/engagements/{world.engagement.pk}/contract/scope/{rest}"


LINE = {"basis": "per_unit", "expected_monthly_volume": "100", "fte": "0", "tiers-TOTAL_FORMS": "3"}
LINE |= {"tiers-INITIAL_FORMS": "0"}


def test_both_sides_read_the_scope_with_each_lines_projected_cost(client, world, priced):
    client.force_login(world.provider_staff)
    page = client.get(scope_url(world)).content.decode()
    # claims 1000 × 2.00 + 500 × 1.50; scheduling 1 × 160 × 10.00; total adds the 500 fee
    assert "$2,750.00" in page and "$1,600.00" in page and "$4,850.00" in page
    assert "Add a service line" not in page and "Edit pricing" not in page


def test_a_line_that_breaks_a_rule_shows_the_error_on_its_field_and_writes_nothing(client, world, priced):
    client.force_login(world.practice_manager)
    response = client.post(scope_url(world, "lines/new/"), {**LINE, "service_line": "billing"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"unit_rate": ["A line charged per unit needs a rate per unit."]}
    tiers = {"tiers-0-from_volume": "500", "tiers-0-unit_rate": "1", "tiers-1-from_volume": "200"}
    tiers["tiers-1-unit_rate"] = "0.5"
    response = client.post(
        scope_url(world, "lines/new/"), {**LINE, "service_line": "billing", "unit_rate": "2", **tiers}
    )
    assert "Tiers must ascend" in response.content.decode()
    assert not ContractScope.objects.filter(service_line__code="billing").exists()


def test_the_practice_manager_adds_a_line_with_tiers(client, world, priced):
    client.force_login(world.practice_manager)
    tiers = {"tiers-0-from_volume": "50", "tiers-0-unit_rate": "1.50"}
    response = client.post(
        scope_url(world, "lines/new/"), {**LINE, "service_line": "billing", "unit_rate": "2", **tiers}
    )
    assert response.status_code == 302
    billing = ContractScope.objects.get(service_line__code="billing")
    assert list(VolumeTier.objects.filter(scope=billing).values_list("from_volume", "unit_rate")) == [
        (50, Decimal("1.50"))
    ]
    edit = client.get(scope_url(world, f"lines/{billing.pk}/")).content.decode()
    assert 'value="billing" selected' in edit and 'value="50"' in edit


def test_a_signed_contract_shows_its_terms_read_only_and_says_how_to_change_them(client, world, priced):
    Contract.objects.filter(pk=priced.pk).update(signed_on=date(2026, 1, 1))
    client.force_login(world.practice_manager)
    page = client.get(scope_url(world)).content.decode()
    assert "only through an approved change request" in page and "Add a service line" not in page
    assert f'href="{reverse("engagements:change_request_list", args=[world.engagement.pk])}"' in page
    response = client.get(scope_url(world, "pricing/"))
    assert response.status_code == 302 and response.url == scope_url(world)
    assert "only through an approved change request" in str(list(get_messages(response.wsgi_request))[0])
    client.post(
        scope_url(world, "pricing/"), {"pricing_model": "hybrid", "hourly_rate": "99", "fte_hours_per_month": "1"}
    )
    assert Contract.objects.get(pk=priced.pk).hourly_rate == Decimal("10.00")


def test_the_cost_page_shows_in_house_cost_and_savings_to_the_practice_only(client, world, priced):
    url = f"/engagements/{world.engagement.pk}/costs/"
    client.force_login(world.practice_manager)
    page = client.get(url).content.decode()
    assert "18,250.00" in page and "Savings" in page and 'id="cost-chart"' in page
    csv = client.get(url + "?_export=csv").content.decode()
    assert csv.splitlines()[0].endswith("In-house cost,Savings,Units measured,Status") and "18250.00" in csv
    for who in (world.provider_manager, world.provider_staff):
        client.force_login(who)
        page = client.get(url).content.decode()
        assert "18,250" not in page and "Savings" not in page and '"in_house"' not in page
        csv = client.get(url + "?_export=csv").content.decode()
        assert "In-house" not in csv and "18250" not in csv and "Savings" not in csv


def test_the_cost_page_takes_the_same_number_of_queries_for_more_months(
    client, world, priced, django_assert_max_num_queries
):
    client.force_login(world.practice_manager)
    Contract.objects.filter(pk=priced.pk).update(starts_on=date(2026, 10, 1))
    sla_target = target(world)
    breach(sla_target, date(2026, 10, 1), date(2026, 10, 31))
    with django_assert_max_num_queries(40) as few:
        client.get(f"/engagements/{world.engagement.pk}/costs/")
    Contract.objects.filter(pk=priced.pk).update(starts_on=date(2025, 1, 1))
    push_volumes(world, [("claims_processed", date(2025, m, 3), 10) for m in range(1, 13)])
    for month in range(1, 12):
        breach(sla_target, date(2025, month, 1), date(2025, month, 28))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"/engagements/{world.engagement.pk}/costs/").context["report"].months) >= 22


def test_credits_list_links_each_breach_and_exports_csv(client, world, priced):
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 1000)])
    earned = breach(target(world, percent="5"), date(2026, 1, 1), date(2026, 1, 31))
    client.force_login(world.provider_manager)
    url = f"/engagements/{world.engagement.pk}/credits/"
    page = client.get(url).content.decode()
    assert f'href="/breaches/{earned.pk}/"' in page and "$205.00" in page and "5%" in page
    csv = client.get(url + "?_export=csv").content.decode()
    assert "205.00" in csv.splitlines()[1]
    assert "205.00" not in client.get(url + "?month_from=2026-02-01").content.decode()


def test_the_engagement_page_flags_volume_outside_the_scope(client, world, priced):
    from engagements.costs import local_today

    push_volumes(world, [("calls_handled", local_today(world.practice), 40)])
    client.force_login(world.provider_staff)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert "Possible unagreed scope" in page and "Customer service" in page


def test_the_sla_target_form_takes_a_service_credit(client, world):
    client.force_login(world.practice_manager)
    page = client.get(f"/engagements/{world.engagement.pk}/slas/targets/new/").content.decode()
    assert 'name="service_credit_percent"' in page
