"""Every change-request and contract-version page, action and endpoint, tried by every persona (the shared access
matrix of tests/test_access_matrix.py, extended).

Both sides' managers propose; the practice's managers approve and reject; only the proposing side withdraws;
staff read. The outsider and the other provider's manager never see the home engagement's requests or versions:
404, or 400 "No engagement with id" where the id travels in a body. A refused request writes nothing.
"""

import pytest
from auditlog.models import LogEntry

from engagements.models import ChangeRequest, ContractVersion, Notification, ServiceLine
from engagements.services import changes
from tests.api_errors import field_errors
from tests.engagements.changes_helpers import add_billing, signed_contract
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    OK,
    PERSONAS,
    READ,
    api_client,
    check,
    each_persona,
    expect,
    fill,
    run,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

MANAGERS_WRITE = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN)
MANAGERS_POST = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)
PRACTICE_POST = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)
PROVIDER_POST = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK)
EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK)
# Filtering by an engagement out of sight answers an empty page, exactly as for one that does not exist.
FILTERED = expect(OK, outsider=OK, other_provider_manager=OK, agent=OK)
PROPOSAL = {
    "kind": "add_line",
    "service_line": "billing",
    "basis": "per_unit",
    "expected_monthly_volume": "300",
    "unit_rate": "2.00",
    "reason": "Statements too",
}


@pytest.fixture
def objects(world):
    """A signed contract at version 2 (one approved volume change) and a provider's proposal still pending."""
    signed_contract(world.engagement, world.practice_manager)
    approved = changes.propose_change_request(
        world.engagement,
        by=world.provider_manager,
        kind="change_volume",
        reason="More claims",
        service_line=ServiceLine.objects.get(code="claims"),
        expected_monthly_volume=1200,
    )
    changes.approve_change_request(approved, by=world.practice_manager)
    pending = add_billing(world.engagement, world.provider_manager)
    return {
        "engagement": world.engagement.pk,
        "pending": pending.pk,
        "approved": approved.pk,
        "version": 2,
        "version_id": ContractVersion.objects.get(number=2).pk,
    }


def state():
    return (
        LogEntry.objects.count(),
        sorted(ChangeRequest.objects.values_list("pk", "status", "decision_note")),
        ContractVersion.objects.count(),
        Notification.objects.count(),
    )


UI_CASES = [
    ("get", "/engagements/{engagement}/change-requests/", None, READ),
    ("get", "/engagements/{engagement}/change-requests/?_export=csv", None, READ),
    ("get", "/engagements/{engagement}/change-requests/?status=proposed&kind=add_line", None, READ),
    ("get", "/engagements/{engagement}/change-requests/new/", None, MANAGERS_WRITE),
    ("post", "/engagements/{engagement}/change-requests/new/", PROPOSAL, MANAGERS_POST),
    ("get", "/change-requests/{pending}/", None, READ),
    ("get", "/change-requests/{approved}/", None, READ),
    ("post", "/change-requests/{pending}/approve/", None, PRACTICE_POST),
    ("post", "/change-requests/{pending}/reject/", {"note": "Not now"}, PRACTICE_POST),
    ("post", "/change-requests/{pending}/withdraw/", None, PROVIDER_POST),
    ("get", "/engagements/{engagement}/contract/versions/", None, READ),
    ("get", "/engagements/{engagement}/contract/versions/{version}/", None, READ),
    ("get", "/engagements/{engagement}/contract/versions/1/", None, READ),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(
        PERSONAS, world, method, fill(url, objects), data, expected, api=False, state=state, must_write=method == "post"
    )


API_CASES = [
    ("get", "/api/v1/change-requests/", None, EVERYONE),
    ("get", "/api/v1/change-requests/?engagement={engagement}&status=proposed&kind=add_line", None, FILTERED),
    ("get", "/api/v1/change-requests/{pending}/", None, READ),
    (
        "post",
        "/api/v1/change-requests/",
        {**PROPOSAL, "engagement": "{engagement}"},
        {**MANAGERS_WRITE, "outsider": 400, "other_provider_manager": 400, "agent": FORBIDDEN},
    ),
    ("post", "/api/v1/change-requests/{pending}/approve/", {}, expect(FORBIDDEN, practice_manager=OK)),
    ("post", "/api/v1/change-requests/{pending}/reject/", {"note": "No"}, expect(FORBIDDEN, practice_manager=OK)),
    ("post", "/api/v1/change-requests/{pending}/withdraw/", {}, expect(FORBIDDEN, provider_manager=OK)),
    ("get", "/api/v1/contract-versions/", None, EVERYONE),
    ("get", "/api/v1/contract-versions/?engagement={engagement}", None, FILTERED),
    ("get", "/api/v1/contract-versions/{version_id}/", None, READ),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        client = api_client(world, persona)
        before = state()
        if data is not None:
            data = {key: int(fill(value, objects)) if value == "{engagement}" else value for key, value in data.items()}
        response = run(client, method, fill(url, objects), data, api=True)
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert state() == before, "a refused request wrote something"

    each_persona(API_PERSONAS, attempt)


@pytest.mark.parametrize("persona", ["outsider", "other_provider_manager"])
def test_lists_never_show_another_tenants_requests_or_versions(world, objects, persona):
    for url in ("/api/v1/change-requests/", "/api/v1/contract-versions/"):
        assert api_client(world, persona).get(url).json()["count"] == 0
    assert api_client(world, "practice_manager").get("/api/v1/change-requests/").json()["count"] == 2


def test_the_api_reports_the_monthly_cost_delta_and_the_diff(world, objects, api):
    client = api.as_user(world.practice_manager)
    pending = client.get(f"/api/v1/change-requests/{objects['pending']}/").json()
    assert (pending["monthly_cost_delta"], pending["status"], pending["proposing_side"]) == (
        "2000.00",
        "proposed",
        "provider",
    )
    listed = client.get("/api/v1/change-requests/?status=approved").json()["results"]
    assert [(row["id"], row["monthly_cost_delta"], row["resulting_version"]) for row in listed] == [
        (objects["approved"], "500.00", 2)
    ]
    approved = client.post(f"/api/v1/change-requests/{objects['pending']}/approve/", {}, format="json").json()
    assert (approved["status"], approved["monthly_cost_delta"], approved["resulting_version"]) == (
        "approved",
        "2000.00",
        3,
    )
    version = client.get("/api/v1/contract-versions/?engagement={}".format(objects["engagement"])).json()["results"][0]
    assert version["number"] == 3
    detail = client.get(version["url"]).json()
    assert detail["diff"]["lines"][0]["service_line"] == "billing" and detail["diff"]["lines"][0]["change"] == "added"
    assert [line["service_line"] for line in detail["terms"]["lines"]] == ["scheduling", "claims", "billing"]


def test_the_api_refuses_a_change_that_does_not_fit_on_its_field(world, objects, api):
    response = api.as_user(world.provider_manager).post(
        "/api/v1/change-requests/",
        {"engagement": world.engagement.pk, "kind": "remove_line", "service_line": "billing", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "not in the contract's scope" in field_errors(response)["service_line"][0]


def test_rejecting_through_the_api_needs_a_note(world, objects, api):
    response = api.as_user(world.practice_manager).post(
        f"/api/v1/change-requests/{objects['pending']}/reject/", {}, format="json"
    )
    assert response.status_code == 400 and "note" in field_errors(response)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_endpoint_costs_the_same_queries_whatever_the_rows(
    world, objects, api, rows, django_assert_max_num_queries
):
    for n in range(rows):
        add_billing(world.engagement, world.provider_manager, expected_monthly_volume=n + 1)
    client = api.as_user(world.practice_manager)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/change-requests/?page_size=100")
    assert response.json()["count"] == rows + 2


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_page_and_export_cost_the_same_queries_whatever_the_rows(
    world, objects, rows, django_assert_max_num_queries
):
    for n in range(rows):
        add_billing(world.engagement, world.provider_manager, expected_monthly_volume=n + 1)
    client = ui_client(world, "practice_manager")
    with django_assert_max_num_queries(17):
        page = client.get(f"/engagements/{world.engagement.pk}/change-requests/")
    assert page.status_code == 200
    with django_assert_max_num_queries(17):
        export = client.get(f"/engagements/{world.engagement.pk}/change-requests/?_export=csv")
    lines = export.content.decode().strip().splitlines()
    assert len(lines) == rows + 3  # header, the pending and the approved request, and the new ones
    assert "+2,000.00" not in export.content.decode() and "2000.00" in export.content.decode()
