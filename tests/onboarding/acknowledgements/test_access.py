"""Every acknowledgements page and endpoint, tried by every persona (the shared access matrix, extended).

Both sides of an engagement read its documents, versions and BAA, and the signatures of its agents; the practice's
managers write an engagement's documents, the provider's managers the provider's own; either side's managers record
the BAA. The agent has no workspace (404) but their own documents page, the signing page and their own signatures;
only they sign, in their own session — with a token, anyone is refused (403 `own_session_required`). Outsiders get
404, files included. A refused request writes nothing.
"""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from engagements import services as engagement_services
from engagements.choices import AgentStatus
from onboarding.choices import DocumentKind
from onboarding.models import Acknowledgement
from onboarding.services import acknowledgements as services
from tests import factories
from tests.onboarding.acknowledgements.conftest import pdf, sign
from tests.onboarding.factories import make_onboarding
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    READ,
    api_client,
    check,
    each_persona,
    expect,
    fill,
    fill_form,
    run,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK)  # lists: each sees their own rows, maybe none
LISTS = {**EVERYONE, "agent": HIDDEN}
OWN_TOO = {**READ, "agent": OK}
AGENT_ONLY = expect(HIDDEN, agent=OK, admin=HIDDEN)
CREATE_PAGE = expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, outsider=OK, other_provider_manager=OK)
PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=OK)
PROVIDER_WRITES = expect(FORBIDDEN, provider_manager=OK)
TODAY = str(timezone.localdate())


@pytest.fixture
def objects(world, docs):
    signature = sign(docs.aup_v1, world.agent_user)
    baa = services.record_baa(world.engagement, signed_on=timezone.localdate(), file=pdf(), by=world.practice_manager)
    return {
        "engagement": world.engagement.pk,
        "nda": docs.nda.pk,
        "aup": docs.aup.pk,
        "nda_v1": docs.nda_v1.pk,
        "aup_v1": docs.aup_v1.pk,
        "signature": signature.pk,
        "baa": baa.pk,
    }


UI_CASES = [
    ("get", "/documents/", None, LISTS),
    ("get", "/documents/?_export=csv", None, LISTS),
    ("get", "/documents/?engagement={engagement}&kind=nda&q=dis", None, LISTS),
    ("get", "/documents/new/", None, {**CREATE_PAGE, "agent": HIDDEN}),
    (
        "post",
        "/documents/new/",
        {"owner": "engagement:{engagement}", "kind": "nda", "title": "Second NDA"},
        {
            **CREATE_PAGE,
            "practice_manager": FORM_OK,
            "admin": FORM_OK,
            "provider_manager": 200,
            "outsider": 200,
            "other_provider_manager": 200,
            "agent": HIDDEN,
        },
    ),
    ("get", "/documents/{nda}/", None, READ),
    ("get", "/documents/{aup}/", None, READ),
    ("get", "/documents/{nda}/versions/new/", None, PRACTICE_WRITES),
    ("get", "/documents/{aup}/versions/new/", None, PROVIDER_WRITES),
    (
        "post",
        "/documents/{nda}/versions/new/",
        {"effective_on": TODAY, "text": "Version two."},
        {**PRACTICE_WRITES, "practice_manager": FORM_OK, "admin": FORM_OK},
    ),
    ("get", "/documents/versions/{aup_v1}/file/", None, OWN_TOO),
    ("get", "/documents/versions/{nda_v1}/sign/", None, AGENT_ONLY),
    (
        "post",
        "/documents/versions/{nda_v1}/sign/",
        {"typed_name": "Ana Reyes", "agree": "on"},
        {**AGENT_ONLY, "agent": FORM_OK},
    ),
    ("get", "/documents/signatures/", None, {**EVERYONE, "agent": OK}),
    ("get", "/documents/signatures/?_export=csv&agent=1", None, {**EVERYONE, "agent": OK}),
    ("get", "/me/documents/", None, {**EVERYONE, "agent": OK}),
    ("get", "/engagements/{engagement}/baa/", None, READ),
    ("get", "/baa/{baa}/file/", None, READ),
]

API_CASES = [
    ("get", "/api/v1/policy-documents/", None, {**EVERYONE, "agent": OK}),
    ("get", "/api/v1/policy-documents/?engagement={engagement}&kind=nda", None, {**EVERYONE, "agent": OK}),
    ("get", "/api/v1/policy-documents/{nda}/", None, READ),
    ("get", "/api/v1/policy-documents/{aup}/", None, READ),
    (
        "post",
        "/api/v1/policy-documents/",
        {"engagement": "{engagement}", "kind": "privacy_policy", "title": "Privacy policy"},
        expect(FORBIDDEN, practice_manager=OK, outsider=400, other_provider_manager=400),
    ),
    (
        "post",
        "/api/v1/policy-documents/{nda}/versions/",
        {"effective_on": TODAY, "text": "Version two."},
        PRACTICE_WRITES,
    ),
    ("post", "/api/v1/policy-documents/{aup}/versions/", {"effective_on": TODAY, "text": "v2"}, PROVIDER_WRITES),
    # A published version is never edited, and nor is a document through the API: no PATCH, PUT or DELETE.
    (
        "patch",
        "/api/v1/policy-documents/{nda}/",
        {"title": "Edited"},
        {**dict.fromkeys(API_PERSONAS, 405), "anonymous": "login"},
    ),
    ("get", "/api/v1/acknowledgements/", None, {**EVERYONE, "agent": OK}),
    ("get", "/api/v1/acknowledgements/?engagement={engagement}&document={aup}", None, {**EVERYONE, "agent": OK}),
    ("get", "/api/v1/acknowledgements/{signature}/", None, OWN_TOO),
    # A signature is never made with a token, whoever's: even the agent's own is refused.
    (
        "post",
        "/api/v1/acknowledgements/",
        {"version": "{nda_v1}", "typed_name": "Ana Reyes", "agree": True},
        {**dict.fromkeys(API_PERSONAS, FORBIDDEN), "anonymous": "login"},
    ),
    ("get", "/api/v1/business-associate-agreements/", None, {**EVERYONE, "agent": OK}),
    ("get", "/api/v1/business-associate-agreements/{baa}/", None, READ),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), fill_form(data, objects), expected, api=False)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        client = api_client(world, persona)
        before = LogEntry.objects.count()
        data = {k: int(fill(v, objects)) if str(v).startswith("{") else v for k, v in data.items()} if data else data
        response = run(client, method, fill(url, objects), data, api=True)
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert LogEntry.objects.count() == before, "a refused request wrote something"
        if method == "post" and url == "/api/v1/acknowledgements/" and persona != "anonymous":
            assert response.json()["code"] == "own_session_required"

    each_persona(API_PERSONAS, attempt)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_the_baa(world, objects, persona):
    expected = expect(FORBIDDEN, practice_manager=FORM_OK, provider_manager=FORM_OK, admin=FORM_OK)[persona]
    before = LogEntry.objects.count()
    response = ui_client(world, persona).post(
        fill("/engagements/{engagement}/baa/", objects), {"signed_on": TODAY, "file": pdf()}
    )
    check(response, expected, api=False)
    if expected != FORM_OK:
        assert LogEntry.objects.count() == before


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_recording_the_baa_through_the_api(world, objects, persona):
    expected = expect(FORBIDDEN, practice_manager=OK, provider_manager=OK, outsider=400, other_provider_manager=400)[
        persona
    ]
    client = api_client(world, persona)
    response = client.post(
        "/api/v1/business-associate-agreements/",
        {"engagement": world.engagement.pk, "signed_on": TODAY, "file": pdf()},
        format="multipart",
    )
    check(response, expected, api=True)


def test_the_agent_signs_through_the_api_in_their_own_session_only(world, docs):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.agent_user)
    client.get("/me/documents/")  # the session's CSRF cookie, as the portal's own pages set it
    token = client.cookies.get("csrftoken")
    body = {"version": docs.nda_v1.pk, "typed_name": "ana reyes", "agree": True}
    assert client.post("/api/v1/acknowledgements/", body, format="json").status_code == 403  # no CSRF token
    headers = {"HTTP_X_CSRFTOKEN": token.value} if token else {}
    response = client.post("/api/v1/acknowledgements/", body, format="json", **headers)
    assert response.status_code == 201, response.content
    assert response.json()["agent"] == world.agent.pk and response.json()["typed_name"] == "ana reyes"
    again = client.post("/api/v1/acknowledgements/", body, format="json", **headers)
    assert again.status_code == 400 and "already signed" in again.json()["detail"]
    manager = APIClient()
    manager.force_login(world.provider_manager)
    refused = manager.post("/api/v1/acknowledgements/", {**body, "version": docs.aup_v1.pk}, format="json")
    assert refused.status_code == 403
    assert Acknowledgement.objects.count() == 1


def test_an_agent_sees_only_their_own_signatures_and_a_practice_only_its_accounts(world, docs):
    # A second agent on the home engagement, and Ana also on another practice's engagement with the same provider.
    colleague = factories.make_agent(world.provider, full_name="Carla Diaz")
    engagement_services.assign_agent(world.engagement, colleague, by=world.provider_manager)
    make_onboarding(world.engagement, agent=colleague, stage=AgentStatus.TRAINING)
    colleague_user = factories.make_agent_login(colleague, first_name="Carla", last_name="Diaz")
    third_practice = factories.make_practice("Lakeside Optometry")
    third_manager = factories.make_member(third_practice)
    elsewhere = factories.make_engagement(third_practice, world.provider, by=third_manager, name="Lakeside desk")
    make_onboarding(elsewhere, agent=world.agent, stage=AgentStatus.TRAINING)
    their_nda = services.create_document(
        engagement=elsewhere, kind=DocumentKind.NDA, title="Lakeside NDA", by=third_manager
    )
    their_v1 = services.publish_version(their_nda, effective_on=docs.today, text="Lakeside.", by=third_manager)
    mine = sign(docs.nda_v1, world.agent_user)
    theirs = sign(their_v1, world.agent_user)
    colleagues = sign(docs.nda_v1, colleague_user)

    def ids(user):
        client = APIClient()
        client.force_login(user)
        return {row["id"] for row in client.get("/api/v1/acknowledgements/").json()["results"]}

    assert ids(world.agent_user) == {mine.pk, theirs.pk}
    assert ids(colleague_user) == {colleagues.pk}
    assert ids(world.practice_manager) == {mine.pk, colleagues.pk}  # not Ana's signature of Lakeside's NDA
    assert ids(third_manager) == {theirs.pk}
    assert ids(world.provider_manager) == {mine.pk, theirs.pk, colleagues.pk}
    assert ids(world.outsider) == set()
    # And the document page names who signed, for the practice's own account.
    client = Client()
    client.force_login(world.practice_manager)
    page = client.get(docs.nda.get_absolute_url()).content.decode()
    assert "Carla Diaz" in page and "Ana Reyes" in page
    assert client.get(their_nda.get_absolute_url()).status_code == 404


def test_files_are_served_only_to_who_may_read_them(world, docs):
    url = f"/documents/versions/{docs.aup_v1.pk}/file/"
    for user in (world.practice_manager, world.provider_staff, world.agent_user):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Security-Policy"] == "sandbox"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    outsider_agent = factories.make_agent_login(world.other_agent)
    for user in (world.outsider, world.other_provider_manager, outsider_agent):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert Client().get(url).status_code == 302
