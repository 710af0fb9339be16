"""What the pages and the API do beyond who may open them: forms through the services, CSV, the nested read."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from onboarding.models import BusinessAssociateAgreement, PolicyDocument
from tests.onboarding.acknowledgements.conftest import pdf, sign

pytestmark = pytest.mark.django_db


def _client(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def test_a_practice_manager_creates_a_document_and_publishes_a_pdf_version(world, docs):
    client = _client(world.practice_manager)
    response = client.post(
        "/documents/new/",
        {"owner": f"engagement:{world.engagement.pk}", "kind": "privacy_policy", "title": "Privacy notice"},
    )
    document = PolicyDocument.objects.get(title="Privacy notice")
    assert response.status_code == 302 and response.url == f"/documents/{document.pk}/versions/new/"
    response = client.post(response.url, {"effective_on": str(docs.today), "file": pdf("privacy.pdf")})
    assert response.status_code == 302
    version = document.versions.get()
    assert version.number == 1 and version.file and version.created_by == world.practice_manager
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Open the PDF" in page and "In force" in page


def test_a_refused_version_shows_why_and_publishes_nothing(world, docs):
    client = _client(world.practice_manager)
    yesterday = str(docs.today - timedelta(days=1))
    response = client.post(f"/documents/{docs.nda.pk}/versions/new/", {"effective_on": yesterday, "text": "x"})
    assert response.status_code == 200 and "today or later" in response.content.decode()
    response = client.post(
        f"/documents/{docs.nda.pk}/versions/new/", {"effective_on": str(docs.today), "file": pdf("x.pdf", b"GIF89a")}
    )
    assert "not a real PDF" in response.content.decode()
    assert docs.nda.versions.count() == 1


def test_the_sign_page_needs_the_box_ticked_and_shows_a_signature_afterwards(world, docs):
    client = _client(world.agent_user)
    url = f"/documents/versions/{docs.nda_v1.pk}/sign/"
    response = client.post(url, {"typed_name": "Ana Reyes"})
    assert response.status_code == 200 and not docs.nda_v1.acknowledgements.exists()
    assert client.post(url, {"typed_name": "Ana Reyes", "agree": "on"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="already-signed"' in page and 'data-testid="sign-form"' not in page
    mine = client.get("/me/documents/").content.decode()
    assert "Acceptable use" in mine.split('data-testid="documents-signed"')[0]  # still to sign
    assert "Non-disclosure agreement" in mine.split('data-testid="documents-signed"')[1]


def test_the_signatures_csv_lists_exactly_the_filtered_rows(world, docs):
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    response = _client(world.practice_manager).get(f"/documents/signatures/?_export=csv&document={docs.nda.pk}")
    lines = response.content.decode().strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) == 2 and "Non-disclosure agreement" in lines[1] and "Ana Reyes" in lines[1]


def test_the_baa_page_records_a_pdf_and_refuses_anything_else(world):
    client = _client(world.provider_manager)
    url = f"/engagements/{world.engagement.pk}/baa/"
    refused = client.post(url, {"signed_on": "2026-01-05", "file": pdf("baa.pdf", b"not a pdf")})
    assert refused.status_code == 400 and not BusinessAssociateAgreement.objects.exists()
    assert client.post(url, {"signed_on": "2026-01-05", "file": pdf("baa.pdf")}).status_code == 302
    baa = BusinessAssociateAgreement.objects.get()
    assert baa.recorded_by == world.provider_manager
    page = _client(world.practice_staff).get(url).content.decode()
    assert "Signed on 05 Jan 2026" in page or "Signed on 5 Jan 2026" in page
    assert 'data-testid="baa-form"' not in page  # staff read it, managers record it


def test_the_api_nests_versions_and_says_which_is_in_force(world, docs):
    api = _client(world.practice_manager, api=True)
    response = api.post(
        f"/api/v1/policy-documents/{docs.nda.pk}/versions/",
        {"effective_on": str(docs.today + timedelta(days=3)), "text": "Later."},
        format="json",
    )
    assert response.status_code == 201
    versions = response.json()["versions"]
    assert [(v["number"], v["in_force"]) for v in versions] == [(2, False), (1, True)]
    aup = api.get(f"/api/v1/policy-documents/{docs.aup.pk}/").json()
    assert aup["versions"][0]["file_url"].endswith(f"/documents/versions/{docs.aup_v1.pk}/file/")


def test_the_api_publishes_a_pdf_sent_as_multipart(world, docs):
    api = _client(world.provider_manager, api=True)
    response = api.post(
        f"/api/v1/policy-documents/{docs.aup.pk}/versions/",
        {"effective_on": str(docs.today), "file": pdf("aup2.pdf")},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["versions"][0]["number"] == 2
    bad = api.post(
        f"/api/v1/policy-documents/{docs.aup.pk}/versions/",
        {"effective_on": str(docs.today), "file": pdf("aup3.pdf", b"<html>")},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"


def test_the_api_filters_signatures_by_engagement_agent_and_document(world, docs):
    sign(docs.nda_v1, world.agent_user)
    sign(docs.aup_v1, world.agent_user)
    api = _client(world.provider_manager, api=True)

    def count(query):
        return api.get(f"/api/v1/acknowledgements/?{query}").json()["count"]

    assert count(f"engagement={world.engagement.pk}") == 2
    assert count(f"engagement={world.other_engagement.pk}") == 0  # not theirs: an empty page, not an error
    assert count(f"agent={world.agent.pk}&document={docs.aup.pk}") == 1
    assert count(f"agent={world.other_agent.pk}") == 0
