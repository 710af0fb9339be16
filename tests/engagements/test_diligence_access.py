"""Every due-diligence page and endpoint, tried by every persona (the shared access matrix), plus what each side
reads on the pages and in the API, the evidence download, and query counts on the lists."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engagements.models import Certification, DueDiligenceReview
from engagements.services import diligence
from tests import factories
from tests.api_errors import field_errors
from tests.test_access_matrix import (
    API_PERSONAS,
    DIRECTORY,
    FORBIDDEN,
    FORM_OK,
    OK,
    OWN_PROVIDER_EDIT,
    PERSONAS,
    READ,
    api_client,
    expect,
    fill,
    try_each,
    ui_client,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%demo\n"
PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)
PROVIDER_WRITES = {**OWN_PROVIDER_EDIT, "provider_manager": FORM_OK, "admin": FORM_OK}
EVIDENCE = expect(OK, outsider=FORBIDDEN, other_provider_manager=FORBIDDEN)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def objects(world):
    cert = diligence.save_certification(
        Certification(
            provider=world.provider,
            kind="soc2_type2",
            issuer="Schellman",
            issued_on=date(2025, 1, 1),
            expires_on=date(2030, 1, 1),
        ),
        by=world.provider_manager,
        new_evidence=SimpleUploadedFile("soc2.pdf", PDF),
    )
    review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
    diligence.update_due_diligence_items(
        review, {item.key: {"rating": 4} for item in review.items.all()}, by=world.practice_manager
    )
    unstarted = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    return {
        "engagement": world.engagement.pk,
        "unstarted": unstarted.pk,
        "provider": world.provider.pk,
        "certification": cert.pk,
        "review": review.pk,
    }


CERT_FORM = {"kind": "iso27001", "issuer": "BSI", "issued_on": "2025-01-01", "expires_on": "2028-01-01"}
UI_CASES = [
    ("get", "/certifications/", None, DIRECTORY),
    ("get", "/certifications/?_export=csv", None, DIRECTORY),
    ("get", "/providers/{provider}/certifications/new/", None, OWN_PROVIDER_EDIT),
    ("post", "/providers/{provider}/certifications/new/", CERT_FORM, PROVIDER_WRITES),
    ("get", "/certifications/{certification}/edit/", None, OWN_PROVIDER_EDIT),
    ("post", "/certifications/{certification}/edit/", CERT_FORM, PROVIDER_WRITES),
    ("post", "/certifications/{certification}/delete/", None, PROVIDER_WRITES),
    ("get", "/certifications/{certification}/evidence/", None, EVIDENCE),
    ("get", "/engagements/{engagement}/due-diligence/", None, READ),
    ("post", "/engagements/{engagement}/due-diligence/", {"encryption-rating": "5", "encryption-weight": "3"}, None),
    ("post", "/engagements/{unstarted}/due-diligence/start/", None, PRACTICE_WRITES),
    ("post", "/engagements/{engagement}/due-diligence/decide/", {"decision": "approve"}, PRACTICE_WRITES),
]
# Posting the checklist re-renders with errors for missing rows or redirects on success: both mean "allowed".
UI_CASES[9] = (*UI_CASES[9][:3], expect(FORBIDDEN, practice_manager=OK, admin=OK))


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), data, expected, api=False)


API_PROVIDER_WRITES = {**OWN_PROVIDER_EDIT, "integration": FORBIDDEN}
API_PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=OK, admin=OK)
API_CASES = [
    ("get", "/api/v1/certifications/", None, DIRECTORY),
    ("get", "/api/v1/certifications/{certification}/", None, DIRECTORY),
    ("patch", "/api/v1/certifications/{certification}/", {"issuer": "A-LIGN"}, API_PROVIDER_WRITES),
    ("delete", "/api/v1/certifications/{certification}/", None, API_PROVIDER_WRITES),
    ("get", "/api/v1/due-diligence-reviews/", None, DIRECTORY),
    ("get", "/api/v1/due-diligence-reviews/{review}/", None, READ),
    (
        "patch",
        "/api/v1/due-diligence-reviews/{review}/",
        {"items": [{"key": "encryption", "rating": 5}]},
        API_PRACTICE_WRITES,
    ),
    ("post", "/api/v1/due-diligence-reviews/{review}/decision/", {"decision": "approve"}, API_PRACTICE_WRITES),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), data, expected, api=True)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("practice_manager", 201), ("practice_staff", 403), ("provider_manager", 403), ("outsider", 400)],
)
def test_starting_a_review_through_the_api(world, objects, persona, expected):
    response = api_client(world, persona).post(
        "/api/v1/due-diligence-reviews/", {"engagement": objects["unstarted"]}, format="json"
    )
    assert response.status_code == expected, response.content
    assert DueDiligenceReview.objects.filter(engagement_id=objects["unstarted"]).exists() == (expected == 201)


# --- What each side reads -------------------------------------------------------------------------------------------


def test_the_provider_sees_the_score_and_decision_but_not_the_ratings(world, objects):
    review = DueDiligenceReview.objects.get(pk=objects["review"])
    diligence.decide_due_diligence(review, "approve_with_conditions", by=world.practice_manager, conditions="Pen test")
    provider = api_client(world, "provider_manager").get(f"/api/v1/due-diligence-reviews/{review.pk}/").json()
    assert provider["items"] is None
    assert (provider["decision"], provider["score"], provider["conditions"]) == (
        "approve_with_conditions",
        80,
        "Pen test",
    )
    practice = api_client(world, "practice_staff").get(f"/api/v1/due-diligence-reviews/{review.pk}/").json()
    assert len(practice["items"]) == 11 and practice["items"][0]["rating"] == 4
    page = ui_client(world, "provider_manager").get(f"/engagements/{world.engagement.pk}/due-diligence/")
    assert b"practice's own assessment" in page.content and b"4 / 5" not in page.content


def test_the_evidence_link_is_offered_only_to_those_who_may_open_it(world, objects):
    url = f"/api/v1/certifications/{objects['certification']}/"
    assert api_client(world, "practice_staff").get(url).json()["evidence_url"].endswith("/evidence/")
    assert api_client(world, "outsider").get(url).json()["evidence_url"] is None
    response = ui_client(world, "practice_staff").get(f"/certifications/{objects['certification']}/evidence/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert "/media/" not in api_client(world, "provider_manager").get(url).content.decode()


def test_a_certificate_is_uploaded_as_multipart_and_a_bad_file_is_refused(world, objects):
    client = api_client(world, "provider_manager")
    data = {"kind": "hipaa", "issuer": "Compliancy Group", "issued_on": "2025-02-01", "expires_on": "2026-02-01"}
    bad = client.post(
        "/api/v1/certifications/", {**data, "evidence": SimpleUploadedFile("x.pdf", b"nope")}, format="multipart"
    )
    assert bad.status_code == 400 and "not a real PDF" in str(field_errors(bad)["evidence"])
    good = client.post(
        "/api/v1/certifications/", {**data, "evidence": SimpleUploadedFile("h.pdf", PDF)}, format="multipart"
    )
    assert good.status_code == 201, good.data
    assert good.data["provider"]["id"] == world.provider.pk and good.data["evidence_name"] == "h.pdf"
    other = client.post("/api/v1/certifications/", {**data, "provider": world.other_provider.pk}, format="multipart")
    assert other.status_code == 400


def test_the_ui_form_shows_a_file_type_error_on_the_field(world, objects):
    client = ui_client(world, "provider_manager")
    response = client.post(
        f"/providers/{world.provider.pk}/certifications/new/",
        {**CERT_FORM, "evidence": SimpleUploadedFile("notes.txt", b"hello")},
    )
    assert response.status_code == 200
    assert "Upload the evidence as a PDF, PNG or JPEG file." in response.context["form"].errors["evidence"]
    assert Certification.objects.count() == 1


def test_the_provider_page_flags_expiring_and_expired_certificates(world, objects):
    today = date.today()
    diligence.save_certification(
        Certification(
            provider=world.provider,
            kind="hipaa",
            issuer="CG",
            issued_on=today - timedelta(days=300),
            expires_on=today + timedelta(days=30),
        ),
        by=None,
    )
    diligence.save_certification(
        Certification(
            provider=world.provider,
            kind="iso27001",
            issuer="BSI",
            issued_on=today - timedelta(days=900),
            expires_on=today - timedelta(days=2),
        ),
        by=None,
    )
    page = ui_client(world, "outsider").get(f"/providers/{world.provider.pk}/").content.decode()
    assert page.count('data-testid="certification-flag"') == 2
    assert "HIPAA attestation expires on" in page and "ISO 27001 expired on" in page
    review_page = ui_client(world, "practice_manager").get(f"/engagements/{world.engagement.pk}/due-diligence/")
    assert review_page.content.decode().count('data-testid="certification-flag"') == 2


def test_the_stage_card_says_why_the_engagement_cannot_leave_vetting(world, objects):
    page = ui_client(world, "practice_manager").get(f"/engagements/{world.engagement.pk}/").content.decode()
    assert 'data-testid="due-diligence-gate"' in page and "has no decision yet" in page
    response = ui_client(world, "practice_manager").post(
        f"/engagements/{world.engagement.pk}/status/", {"status": "contracting"}, follow=True
    )
    assert "approves the provider" in response.content.decode()


# --- Query counts ---------------------------------------------------------------------------------------------------


def _certificates(provider, n):
    for i in range(n):
        Certification.objects.create(
            provider=provider,
            kind="other",
            other_name=f"Cert {i}",
            issuer="X",
            issued_on=date(2025, 1, 1),
            expires_on=date(2027, 1, 1),
        )


@pytest.mark.parametrize("extra", [2, 20])
def test_the_certification_lists_take_the_same_queries_whatever_their_size(
    world, objects, extra, django_assert_max_num_queries
):
    _certificates(world.provider, extra)
    client = api_client(world, "practice_manager")
    ui = ui_client(world, "practice_manager")
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/certifications/").status_code == 200
    with django_assert_max_num_queries(14):
        assert ui.get("/certifications/").status_code == 200
    with django_assert_max_num_queries(20):
        assert ui.get(f"/providers/{world.provider.pk}/").status_code == 200


@pytest.mark.parametrize("extra", [1, 8])
def test_the_review_list_takes_the_same_queries_whatever_its_size(world, objects, extra, django_assert_max_num_queries):
    for i in range(extra):
        engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name=f"E{i}")
        diligence.start_due_diligence(engagement, by=world.practice_manager)
    with django_assert_max_num_queries(12):
        response = api_client(world, "practice_manager").get("/api/v1/due-diligence-reviews/")
    assert response.json()["count"] == extra + 1
