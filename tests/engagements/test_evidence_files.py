"""Evidence files are downloaded, never rendered: `attachment`, `Content-Security-Policy: sandbox`, the content type
of the bytes themselves; a PDF or PNG that carries markup or script is refused; every opening is in the access log."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bpo_portal.errors import DomainError
from engagements.models import AccessEntry, AccessKind, Certification
from engagements.services import diligence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%demo\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def certificate(provider, evidence):
    cert = Certification(
        provider=provider,
        kind="soc2_type2",
        issuer="Schellman",
        issued_on=date(2025, 1, 1),
        expires_on=date(2027, 1, 1),
    )
    return diligence.save_certification(cert, by=None, new_evidence=evidence)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PDF + b"<html><body><script>alert(document.cookie)</script></body></html>"),
        ("report.pdf", PDF + b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        ("scan.png", PNG + b"<svg onload=alert(1)>"),
        ("scan.png", PNG + b"<!DOCTYPE html><p>hi"),
        ("scan.png", PNG + b"\0" * (1024 * 1024 - 10) + b"<scr" + b"ipt>x()</script>"),  # across a scan chunk
    ],
)
def test_a_file_whose_magic_bytes_pass_but_whose_body_holds_markup_or_script_is_refused(world, name, content):
    with pytest.raises(DomainError, match="markup or script"):
        certificate(world.provider, SimpleUploadedFile(name, content))
    assert not Certification.objects.exists()


def _download(world, cert, user=None):
    client = Client()
    client.force_login(user or world.practice_manager)
    return client.get(reverse("engagements:certification_evidence", args=[cert.pk]), REMOTE_ADDR="192.0.2.44")


def test_evidence_is_served_as_a_sandboxed_attachment_and_its_opening_is_logged(world):
    cert = certificate(world.provider, SimpleUploadedFile("SOC 2 report.pdf", PDF))
    response = _download(world, cert)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    entry = AccessEntry.objects.get()
    assert (entry.kind, entry.user, entry.ip_address) == (
        AccessKind.EVIDENCE_FILE,
        world.practice_manager,
        "192.0.2.44",
    )
    assert entry.provider_id == world.provider.pk


def test_the_content_type_comes_from_the_bytes_not_the_name(world):
    cert = certificate(world.provider, SimpleUploadedFile("scan.png", PNG))
    # Whatever the stored name says, a file is served as what its first bytes are (or as opaque bytes).
    path = cert.evidence.path
    with open(path, "wb") as handle:
        handle.write(b"GIF89a not what it claims")
    response = _download(world, cert)
    assert response["Content-Type"] == "application/octet-stream"


def test_an_outsider_cannot_open_evidence_and_leaves_no_entry(world):
    cert = certificate(world.provider, SimpleUploadedFile("report.pdf", PDF))
    assert _download(world, cert, world.outsider).status_code == 403
    assert not AccessEntry.objects.exists()
