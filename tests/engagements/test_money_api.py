"""The money API: rules answered as 400s on the field, the signed-contract lock, credits, costs and what the
provider may not see."""

from datetime import date
from decimal import Decimal

import pytest

from engagements import costs
from engagements.choices import PricingBasis
from engagements.models import Contract, ContractScope, VolumeTier
from tests.api_errors import field_errors
from tests.engagements.money_helpers import breach, contract_for, line, push_volumes, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(world):
    world.practice.in_house_monthly_cost = Decimal("9000")
    world.practice.save()
    contract = contract_for(world, account_management_fee=Decimal("500"))
    line(contract, "claims", expected_monthly_volume=1500, tiers=[(1000, "1.50")])
    line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    return contract


def test_the_practice_manager_adds_a_per_unit_line_and_a_tier(api, world, priced):
    client = api.as_user(world.practice_manager)
    body = {"contract": priced.pk, "service_line": "billing", "basis": "per_unit", "unit_rate": "3.00"}
    created = client.post("/api/v1/contract-scope/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["projected_monthly_cost"] == "0.00"
    tier = client.post(
        "/api/v1/volume-tiers/", {"scope": created.json()["id"], "from_volume": 500, "unit_rate": "2.50"}
    )
    assert tier.status_code == 201, tier.json()
    patched = client.patch(f"/api/v1/contract-scope/{created.json()['id']}/", {"expected_monthly_volume": 600})
    # 500 × 3.00 + 100 × 2.50
    assert patched.json()["projected_monthly_cost"] == "1750.00"
    assert patched.json()["tiers"] == [{"id": tier.json()["id"], "from_volume": 500, "unit_rate": "2.50"}]


def test_a_rule_is_refused_on_its_field_and_writes_nothing(api, world, priced):
    client = api.as_user(world.practice_manager)
    before = ContractScope.objects.count()
    response = client.post(
        "/api/v1/contract-scope/", {"contract": priced.pk, "service_line": "billing", "basis": "per_unit"}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"unit_rate": ["A line charged per unit needs a rate per unit."]}
    claims = ContractScope.objects.get(service_line__code="claims")
    response = client.post("/api/v1/volume-tiers/", {"scope": claims.pk, "from_volume": 1000, "unit_rate": "1"})
    assert response.status_code == 400 and "from_volume" in field_errors(response)
    response = client.patch(f"/api/v1/contract-pricing/{priced.pk}/", {"pricing_model": "hourly"})
    assert response.status_code == 400 and "pricing_model" in field_errors(response)
    assert ContractScope.objects.count() == before and VolumeTier.objects.count() == 1
    assert Contract.objects.get(pk=priced.pk).pricing_model == "hybrid"


def test_a_signed_contract_is_amended_only_by_change_request(api, world, priced):
    Contract.objects.filter(pk=priced.pk).update(signed_on=date(2026, 1, 1))
    client = api.as_user(world.practice_manager)
    response = client.patch(f"/api/v1/contract-pricing/{priced.pk}/", {"account_management_fee": "1.00"})
    assert response.status_code == 400
    assert "only through an approved change request" in field_errors(response)["detail"][0]
    claims = ContractScope.objects.get(service_line__code="claims")
    assert client.delete(f"/api/v1/contract-scope/{claims.pk}/").status_code == 400
    assert ContractScope.objects.filter(pk=claims.pk).exists()


def test_credits_list_their_breach_target_month_percent_and_amount(api, world, priced):
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 1000)])  # January fees 2000 + 1600 + 500
    earned = breach(target(world, percent="5"), date(2026, 1, 1), date(2026, 1, 31))
    breach(target(world, "csat", percent="5"), date(2026, 1, 1), date(2026, 1, 31), severity="warning")
    body = api.as_user(world.provider_staff).get("/api/v1/service-credits/").json()
    assert body["count"] == 1
    credit = body["results"][0]
    assert credit["id"] == earned.pk and credit["breach_url"].endswith(f"/api/v1/breaches/{earned.pk}/")
    assert (credit["month"], credit["percent"], credit["fees"], credit["amount"]) == (
        "2026-01-01",
        "5.00",
        "4100.00",
        "205.00",
    )
    assert api.as_user(world.practice_manager).get("/api/v1/service-credits/?metric=csat").json()["count"] == 0
    assert api.as_user(world.outsider).get(f"/api/v1/service-credits/{earned.pk}/").status_code == 404


def test_the_cost_report_hides_the_in_house_cost_and_savings_from_the_provider(api, world, priced):
    push_volumes(world, [("calls_handled", date(2026, 1, 6), 50), ("claims_processed", date(2026, 1, 6), 50)])
    url = f"/api/v1/costs/{world.engagement.pk}/"
    practice = api.as_user(world.practice_manager).get(url).json()
    january = practice["months"][0]
    assert january["month"] == "2026-01-01" and january["in_house"] == "9000.00"
    assert Decimal(january["savings"]) == Decimal("9000") - Decimal(january["net"])
    assert practice["unagreed_scope"][0]["service_line"] == "customer_service"
    for who in (api.as_user(world.provider_manager), api.as_token(world.integration_raw_token)):
        months = who.get(url).json()["months"]
        assert {(m["in_house"], m["savings"]) for m in months} == {(None, None)}
    assert api.as_user(world.outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/api/v1/contract-scope/", "/api/v1/volume-tiers/", "/api/v1/service-credits/", "/api/v1/contract-pricing/"]
)
def test_lists_take_the_same_number_of_queries_for_more_rows(api, world, priced, url, django_assert_max_num_queries):
    client = api.as_user(world.practice_manager)
    sla_target = target(world)
    breach(sla_target, date(2026, 1, 1), date(2026, 1, 31))
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for code in ("billing", "accounts_receivable", "medical_coding", "data_entry"):
        line(priced, code, tiers=[(100, "1.00"), (200, "0.50")])
    for month in range(2, 10):
        breach(sla_target, date(2026, month, 1), date(2026, month, 28))
    push_volumes(world, [("claims_processed", date(2026, m, 3), 10) for m in range(1, 10)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_an_sla_target_carries_a_service_credit_through_the_api(api, world):
    from tests.engagements.money_helpers import target

    sla_target = target(world, percent="0")
    url = f"/api/v1/sla-targets/{sla_target.pk}/"
    client = api.as_user(world.practice_manager)
    response = client.patch(url, {"service_credit_percent": "7.50"}, format="json")
    assert response.status_code == 200 and response.json()["service_credit_percent"] == "7.50"
    assert client.patch(url, {"service_credit_percent": "150"}, format="json").status_code == 400
    assert api.as_user(world.provider_manager).patch(url, {"service_credit_percent": "1"}).status_code == 403


def test_the_cost_api_and_csv_say_no_data_and_month_to_date_and_total_only_whole_months_with_data(
    api, client, world, priced, monkeypatch
):
    push_volumes(world, [("claims_processed", date(2026, 1, 6), 1000), ("claims_processed", date(2026, 3, 6), 500)])
    monkeypatch.setattr(costs, "local_today", lambda practice: date(2026, 3, 20))
    body = api.as_user(world.practice_manager).get(f"/api/v1/costs/{world.engagement.pk}/").json()
    months = [(m["month"], m["state"], m["actual"], m["net"], m["savings"]) for m in body["months"]]
    assert months == [
        ("2026-01-01", "closed", "4100.00", "4100.00", "4900.00"),
        ("2026-02-01", "no data", None, None, None),
        ("2026-03-01", "month to date", "3100.00", "3100.00", "5900.00"),
    ]
    assert body["totals"] == {
        "months": 1,
        "projected": "4850.00",
        "actual": "4100.00",
        "credits": "0.00",
        "net": "4100.00",
        "in_house": "9000.00",
        "savings": "4900.00",
    }
    client.force_login(world.practice_manager)
    rows = client.get(f"/engagements/{world.engagement.pk}/costs/?_export=csv").content.decode().splitlines()
    assert rows[2].split(",") == ["2026-02", "4850.00", "", "0", "", "9000.00", "", "0", "no data"]
    assert rows[3].endswith(",month to date")
