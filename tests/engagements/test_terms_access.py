"""Every contract terms page, action and endpoint, tried by every persona (the shared access matrix).

Both sides read the contract, its checkpoints and its termination eligibility; only the practice's managers
(and portal admins) record a contract or a checkpoint outcome. Outsiders get 404, anonymous visitors the login
page or 401, and a refused request writes nothing.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta

from engagements import services
from engagements.models import Checkpoint, Contract
from tests import factories
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    PRACTICE_MANAGERS,
    READ,
    api_client,
    check,
    each_persona,
    expect,
    fill,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)


@pytest.fixture
def objects(world):
    """The home engagement's contract, eight months in (its first checkpoint is due), and a second engagement
    of the same pair with no contract yet."""
    contract = services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=factories_today() - relativedelta(months=8),
        ends_on=factories_today() + relativedelta(months=16),
        evaluation_months=12,
    )
    spare = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Spare")
    return {
        "engagement": world.engagement.pk,
        "contract": contract.pk,
        "checkpoint": contract.checkpoints.order_by("due_on").first().pk,
        "spare_engagement": spare.pk,
        "starts_on": factories_today().isoformat(),
        "ends_on": (factories_today() + timedelta(days=400)).isoformat(),
    }


def factories_today():
    from django.utils import timezone

    return timezone.localdate() - timedelta(days=1)  # yesterday everywhere, whatever the practice's zone


def state():
    return (
        LogEntry.objects.count(),
        sorted(Contract.objects.values_list("pk", "notice_days", "updated_at")),
        sorted(Checkpoint.objects.values_list("pk", "outcome", "notes")),
    )


UI_CASES = [
    ("get", "/engagements/{engagement}/contract/", None, READ),
    ("get", "/engagements/{spare_engagement}/contract/", None, READ),
    ("get", "/checkpoints/{checkpoint}/outcome/", None, PRACTICE_MANAGERS),
    ("post", "/checkpoints/{checkpoint}/outcome/", {"outcome": "continue"}, PRACTICE_WRITES),
    (
        "post",
        "/checkpoints/{checkpoint}/outcome/",
        {"outcome": "conditions", "notes": "Weekly call report"},
        PRACTICE_WRITES,
    ),
]

CREATE = {"engagement": "{spare_engagement}", "starts_on": "{starts_on}", "ends_on": "{ends_on}"}
API_CASES = [
    ("get", "/api/v1/contracts/{contract}/", None, READ),
    ("get", "/api/v1/contracts/{contract}/termination-eligibility/", None, READ),
    ("patch", "/api/v1/contracts/{contract}/", {"notice_days": 45}, PRACTICE_MANAGERS),
    ("put", "/api/v1/contracts/{contract}/", {"starts_on": "{starts_on}", "ends_on": "{ends_on}"}, PRACTICE_MANAGERS),
    # The outsider manages contracts elsewhere, so may try; the engagement they name is unknown to them.
    (
        "post",
        "/api/v1/contracts/",
        CREATE,
        {**PRACTICE_MANAGERS, "outsider": 400, "other_provider_manager": FORBIDDEN, "agent": FORBIDDEN},
    ),
    ("get", "/api/v1/checkpoints/{checkpoint}/", None, READ),
    ("post", "/api/v1/checkpoints/{checkpoint}/outcome/", {"outcome": "end", "notes": "Too slow"}, PRACTICE_MANAGERS),
]
MUST_WRITE = ("/outcome/", "/api/v1/contracts/")


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(
        PERSONAS, world, method, fill(url, objects), data, expected, api=False, state=state, must_write=method == "post"
    )


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        client = api_client(world, persona)
        before = state()
        payload = {key: fill(value, objects) for key, value in data.items()} if data else None
        if payload and "engagement" in payload:
            payload["engagement"] = int(payload["engagement"])
        call = getattr(client, method)
        response = call(fill(url, objects), payload, format="json") if payload else call(fill(url, objects))
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert state() == before, "a refused request wrote something"
        elif method != "get":
            assert state() != before, "an allowed request changed nothing"

    each_persona(API_PERSONAS, attempt)


@pytest.mark.parametrize("url", ["/api/v1/contracts/", "/api/v1/checkpoints/"])
def test_api_lists_never_show_another_tenants_rows(world, objects, url):
    services.save_contract(
        world.other_engagement,
        by=world.outsider,
        starts_on=factories_today(),
        ends_on=factories_today() + timedelta(days=400),
    )
    home = {row["id"] for row in api_client(world, "practice_manager").get(url).json()["results"]}
    outsider = {row["id"] for row in api_client(world, "outsider").get(url).json()["results"]}
    assert home and outsider and not home & outsider
    model = Contract if "contracts" in url else Checkpoint
    assert home == set(model.objects.for_user(world.practice_manager).values_list("pk", flat=True))


def test_the_contract_page_of_another_tenant_is_hidden(world, objects):
    assert ui_client(world, "outsider").get(f"/engagements/{world.engagement.pk}/contract/").status_code == HIDDEN
