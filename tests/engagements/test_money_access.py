"""Every money page and endpoint, tried by every persona (the shared access matrix, extended).

Both sides read scope, pricing, credits and costs; only the practice's managers (and portal admins) change
scope, pricing and fees. The outsider and the other provider's manager never see the home engagement's rows:
404 on a page or an object, 400 "No … with id" where an id travels in a body. A refused request writes nothing.
"""

from datetime import date
from decimal import Decimal

import pytest

from engagements.choices import PricingBasis
from engagements.models import OneOffFee
from tests.engagements.money_helpers import breach, contract_for, line, push_volumes, target
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    OK,
    PERSONAS,
    READ,
    api_client,
    expect,
    fill,
    try_each,
)

pytestmark = pytest.mark.django_db

INVALID = 400
PRACTICE_MANAGERS = expect(FORBIDDEN, practice_manager=OK)
PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)
API_CREATE = expect(FORBIDDEN, practice_manager=OK, outsider=INVALID, other_provider_manager=FORBIDDEN)


@pytest.fixture
def objects(world):
    contract = contract_for(world, account_management_fee=Decimal("300"))
    claims = line(contract, "claims", expected_monthly_volume=1200, tiers=[(1000, "1.50")])
    scheduling = line(contract, "scheduling", basis=PricingBasis.HOURLY, fte=Decimal("1"))
    fee = OneOffFee.objects.create(contract=contract, kind="implementation", amount=Decimal("2500"))
    push_volumes(world, [("claims_processed", date(2026, 1, 5), 900), ("calls_handled", date(2026, 1, 6), 50)])
    credit_breach = breach(target(world), date(2026, 1, 1), date(2026, 1, 31))
    return {
        "engagement": world.engagement.pk,
        "contract": contract.pk,
        "claims": claims.pk,
        "scheduling": scheduling.pk,
        "tier": claims.tiers.get().pk,
        "fee": fee.pk,
        "breach": credit_breach.pk,
    }


BASE = "/engagements/{engagement}/contract/scope"
UI_CASES = [
    ("get", f"{BASE}/", None, READ),
    ("get", f"{BASE}/pricing/", None, PRACTICE_MANAGERS),
    (
        "post",
        f"{BASE}/pricing/",
        {"pricing_model": "hybrid", "hourly_rate": "11", "fte_hours_per_month": "160", "account_management_fee": "0"},
        PRACTICE_WRITES,
    ),
    ("get", f"{BASE}/lines/new/", None, PRACTICE_MANAGERS),
    (
        "post",
        f"{BASE}/lines/new/",
        {
            "service_line": "billing",
            "basis": "per_unit",
            "expected_monthly_volume": "100",
            "fte": "0",
            "unit_rate": "3",
            "tiers-TOTAL_FORMS": "0",
            "tiers-INITIAL_FORMS": "0",
        },
        PRACTICE_WRITES,
    ),
    ("get", f"{BASE}/lines/{{claims}}/", None, PRACTICE_MANAGERS),
    ("post", f"{BASE}/lines/{{scheduling}}/delete/", None, PRACTICE_WRITES),
    ("get", f"{BASE}/fees/new/", None, PRACTICE_MANAGERS),
    ("post", f"{BASE}/fees/new/", {"kind": "training", "amount": "400"}, PRACTICE_WRITES),
    ("get", f"{BASE}/fees/{{fee}}/", None, PRACTICE_MANAGERS),
    ("post", f"{BASE}/fees/{{fee}}/delete/", None, PRACTICE_WRITES),
    ("get", "/engagements/{engagement}/credits/", None, READ),
    ("get", "/engagements/{engagement}/credits/?_export=csv", None, READ),
    ("get", "/engagements/{engagement}/costs/", None, READ),
    ("get", "/engagements/{engagement}/costs/?_export=csv", None, READ),
]

API_CASES = [
    ("get", "/api/v1/contract-scope/{claims}/", None, READ),
    (
        "post",
        "/api/v1/contract-scope/",
        {"contract": "{contract}", "service_line": "billing", "basis": "per_unit", "unit_rate": "3.00"},
        API_CREATE,
    ),
    ("patch", "/api/v1/contract-scope/{claims}/", {"expected_monthly_volume": 900}, PRACTICE_MANAGERS),
    ("delete", "/api/v1/contract-scope/{scheduling}/", None, PRACTICE_MANAGERS),
    ("get", "/api/v1/volume-tiers/{tier}/", None, READ),
    ("post", "/api/v1/volume-tiers/", {"scope": "{claims}", "from_volume": 5000, "unit_rate": "1.00"}, API_CREATE),
    ("patch", "/api/v1/volume-tiers/{tier}/", {"unit_rate": "1.25"}, PRACTICE_MANAGERS),
    ("delete", "/api/v1/volume-tiers/{tier}/", None, PRACTICE_MANAGERS),
    ("get", "/api/v1/one-off-fees/{fee}/", None, READ),
    ("post", "/api/v1/one-off-fees/", {"contract": "{contract}", "kind": "training", "amount": "400"}, API_CREATE),
    ("patch", "/api/v1/one-off-fees/{fee}/", {"amount": "2000"}, PRACTICE_MANAGERS),
    ("delete", "/api/v1/one-off-fees/{fee}/", None, PRACTICE_MANAGERS),
    ("get", "/api/v1/contract-pricing/{contract}/", None, READ),
    ("patch", "/api/v1/contract-pricing/{contract}/", {"hourly_rate": "12.00"}, PRACTICE_MANAGERS),
    ("get", "/api/v1/service-credits/{breach}/", None, READ),
    ("get", "/api/v1/costs/{engagement}/", None, READ),
]


def _fill_body(data, objects):
    if not data:
        return data
    return {
        key: int(fill(value, objects)) if value in ("{contract}", "{claims}") else value for key, value in data.items()
    }


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), data, expected, api=False)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), _fill_body(data, objects), expected, api=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contract-scope/",
        "/api/v1/volume-tiers/",
        "/api/v1/one-off-fees/",
        "/api/v1/contract-pricing/",
        "/api/v1/service-credits/",
    ],
)
def test_lists_show_the_home_rows_to_both_sides_and_nothing_to_outsiders(world, objects, url):
    assert api_client(world, "outsider").get(url).json()["results"] == []
    assert api_client(world, "provider_staff").get(url).json()["results"] != []
