"""The signed contract (a PDF) kept on the contract page, opened only through an access-checked view."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.models import Contract

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def contract(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Contract.objects.create(
        engagement=world.engagement, starts_on=date(2026, 3, 1), ends_on=date(2027, 3, 1), signed_on=date(2026, 3, 1)
    )


def upload(client, engagement, content=PDF, name="signed.pdf"):
    url = reverse("engagements:contract_document_upload", args=[engagement.pk])
    return client.post(url, {"document": SimpleUploadedFile(name, content, content_type="application/pdf")})


def test_the_practice_manager_attaches_the_signed_pdf_and_both_sides_open_it(client, world, contract):
    client.force_login(world.practice_manager)
    assert upload(client, world.engagement).status_code == 302
    contract.refresh_from_db()
    assert contract.document and contract.document_name == "signed.pdf"
    client.force_login(world.provider_manager)
    response = client.get(reverse("engagements:contract_document", args=[world.engagement.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_kept(client, world, contract):
    client.force_login(world.practice_manager)
    upload(client, world.engagement, content=b"<html><script>alert(1)</script></html>", name="contract.pdf")
    upload(client, world.engagement, content=PDF, name="contract.png")
    contract.refresh_from_db()
    assert not contract.document


def test_only_the_practices_managers_attach_it(client, world, contract):
    for person in (world.provider_manager, world.practice_staff):
        client.force_login(person)
        assert upload(client, world.engagement).status_code == 403
    contract.refresh_from_db()
    assert not contract.document


def test_an_outsider_gets_404_for_the_document_and_the_upload(client, world, contract):
    client.force_login(world.practice_manager)
    upload(client, world.engagement)
    client.force_login(world.outsider)
    assert client.get(reverse("engagements:contract_document", args=[world.engagement.pk])).status_code == 404
    assert upload(client, world.engagement).status_code == 404


def test_a_new_upload_replaces_the_previous_file(client, world, contract, django_capture_on_commit_callbacks):
    client.force_login(world.practice_manager)
    upload(client, world.engagement)
    contract.refresh_from_db()
    first = contract.document.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world.engagement, name="amended.pdf")
    contract.refresh_from_db()
    assert contract.document.name != first and contract.document_name == "amended.pdf"
    assert not contract.document.storage.exists(first)
