"""Every compliance-audit page and endpoint, tried by every persona (the shared access matrix): the practice's
managers run audits, the provider's managers respond and close actions, staff read, outsiders get 404, anonymous
visitors sign in or get 401 — and a refused request writes nothing. Plus evidence downloads across tenants."""

from datetime import date

import pytest
from auditlog.models import LogEntry

from audits.models import ComplianceAudit, ComplianceEvidence, CorrectiveAction, Finding
from audits.services import compliance
from tests.audits.compliance_fixtures import assess_all, finding_with_action, pdf, start_audit
from tests.test_access_matrix import (
    API_PERSONAS,
    DIRECTORY,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    MANAGERS_WRITE,
    OK,
    PERSONAS,
    PRACTICE_MANAGERS,
    PROVIDER_MANAGERS,
    READ,
    api_client,
    check,
    each_persona,
    expect,
    fill,
    ui_client,
)

pytestmark = pytest.mark.django_db

PRACTICE_FORMS = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)
PROVIDER_FORMS = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK)
MANAGER_FORMS = expect(FORM_OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN)
API_MANAGERS = MANAGERS_WRITE  # integration: 403
API_DIRECTORY = {**DIRECTORY, "integration": OK}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def objects(world):
    compliance.set_compliance_frequency(
        world.engagement, frequency="quarterly", first_due_on=date(2026, 3, 31), by=world.practice_manager
    )
    audit = start_audit(world)
    assess_all(audit, world.practice_manager, mfa="non_compliant")
    finding, action = finding_with_action(world, audit, severity="critical")
    evidence = compliance.add_evidence(audit.requirements.get(key="mfa"), pdf(), by=world.provider_manager)
    closable, done = finding_with_action(world, audit, severity="major")
    compliance.close_corrective_action(done, note="Done", evidence=pdf("done.pdf"), by=world.provider_manager)
    return {
        "engagement": world.engagement.pk,
        "schedule": world.engagement.compliance_schedule.pk,
        "audit": audit.pk,
        "requirement": audit.requirements.get(key="baa").pk,
        "evidence": evidence.pk,
        "finding": finding.pk,
        "closable": closable.pk,
        "action": action.pk,
        "done": done.pk,
        "owner": world.provider_manager.pk,
    }


ACTION_FORM = {"description": "Rotate the keys", "owner": "{owner}", "due_on": "2026-05-01", "status": "open"}
UI_CASES = [
    ("get", "/compliance/audits/", None, DIRECTORY),
    ("get", "/compliance/audits/?_export=csv", None, DIRECTORY),
    ("get", "/compliance/findings/", None, DIRECTORY),
    ("get", "/compliance/findings/?_export=csv", None, DIRECTORY),
    ("get", "/compliance/corrective-actions/", None, DIRECTORY),
    ("get", "/compliance/corrective-actions/?_export=csv", None, DIRECTORY),
    ("get", "/engagements/{engagement}/compliance/", None, READ),
    ("get", "/engagements/{engagement}/compliance/frequency/", None, PRACTICE_MANAGERS),
    (
        "post",
        "/engagements/{engagement}/compliance/frequency/",
        {"frequency": "annual", "first_due_on": "2026-06-30"},
        PRACTICE_FORMS,
    ),
    ("get", "/engagements/{engagement}/compliance/new/", None, PRACTICE_MANAGERS),
    (
        "post",
        "/engagements/{engagement}/compliance/new/",
        {"period_start": "2026-04-01", "period_end": "2026-06-30", "baseline": "{audit}"},
        PRACTICE_FORMS,
    ),
    ("get", "/compliance/audits/{audit}/", None, READ),
    ("post", "/compliance/audits/{audit}/", {"mfa-result": "partial", "mfa-notes": "SMS codes only"}, PRACTICE_FORMS),
    ("post", "/compliance/audits/{audit}/complete/", None, PRACTICE_FORMS),
    ("get", "/compliance/audits/{audit}/findings/new/", None, PRACTICE_MANAGERS),
    ("post", "/compliance/audits/{audit}/findings/new/", {"title": "Old BAA", "severity": "minor"}, PRACTICE_FORMS),
    ("post", "/compliance/requirements/{requirement}/evidence/", {"file": "{pdf}"}, MANAGER_FORMS),
    ("get", "/compliance/evidence/{evidence}/", None, READ),
    ("get", "/compliance/findings/{finding}/", None, READ),
    ("get", "/compliance/findings/{finding}/edit/", None, PRACTICE_MANAGERS),
    ("post", "/compliance/findings/{finding}/edit/", {"title": "Shared login", "severity": "major"}, PRACTICE_FORMS),
    ("post", "/compliance/findings/{finding}/respond/", {"response": "Fixing it"}, PROVIDER_FORMS),
    ("post", "/compliance/findings/{closable}/close/", None, PRACTICE_FORMS),
    ("get", "/compliance/findings/{finding}/actions/new/", None, MANAGERS_WRITE),
    ("post", "/compliance/findings/{finding}/actions/new/", ACTION_FORM, MANAGER_FORMS),
    ("get", "/compliance/corrective-actions/{action}/", None, READ),
    ("get", "/compliance/corrective-actions/{action}/edit/", None, MANAGERS_WRITE),
    ("post", "/compliance/corrective-actions/{action}/edit/", ACTION_FORM, MANAGER_FORMS),
    (
        "post",
        "/compliance/corrective-actions/{action}/close/",
        {"closing_note": "Keys rotated", "closing_evidence": "{pdf}"},
        PROVIDER_FORMS,
    ),
    ("get", "/compliance/corrective-actions/{done}/evidence/", None, READ),
]


def prepare(data, objects):
    if data is None:
        return None
    return {key: pdf() if value == "{pdf}" else fill(value, objects) for key, value in data.items()}


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        before = LogEntry.objects.count()
        client = ui_client(world, persona)
        response = getattr(client, method)(fill(url, objects), prepare(data, objects) or {})
        check(response, expected[persona], api=False)
        if expected[persona] not in (OK, FORM_OK):
            assert LogEntry.objects.count() == before, "a refused request wrote something"

    each_persona(PERSONAS, attempt)


API_CASES = [
    ("get", "/api/v1/compliance-audits/", None, API_DIRECTORY),
    ("get", "/api/v1/compliance-audits/{audit}/", None, READ),
    (
        "post",
        "/api/v1/compliance-audits/{audit}/results/",
        {"results": [{"key": "mfa", "result": "partial"}]},
        PRACTICE_MANAGERS,
    ),
    ("post", "/api/v1/compliance-audits/{audit}/complete/", None, PRACTICE_MANAGERS),
    ("multipart", "/api/v1/compliance-audits/{audit}/evidence/", {"requirement": "baa", "file": "{pdf}"}, API_MANAGERS),
    ("get", "/api/v1/findings/", None, API_DIRECTORY),
    ("get", "/api/v1/findings/{finding}/", None, READ),
    ("patch", "/api/v1/findings/{finding}/", {"title": "Shared clearinghouse login"}, PRACTICE_MANAGERS),
    ("post", "/api/v1/findings/{finding}/respond/", {"response": "Fixing it"}, PROVIDER_MANAGERS),
    ("post", "/api/v1/findings/{closable}/close/", None, PRACTICE_MANAGERS),
    ("get", "/api/v1/corrective-actions/", None, API_DIRECTORY),
    ("get", "/api/v1/corrective-actions/{action}/", None, READ),
    ("patch", "/api/v1/corrective-actions/{action}/", {"due_on": "2026-06-01"}, API_MANAGERS),
    (
        "multipart",
        "/api/v1/corrective-actions/{action}/close/",
        {"closing_note": "Keys rotated", "closing_evidence": "{pdf}"},
        PROVIDER_MANAGERS,
    ),
    ("get", "/api/v1/compliance-schedules/", None, API_DIRECTORY),
    ("get", "/api/v1/compliance-schedules/{schedule}/", None, READ),
    ("patch", "/api/v1/compliance-schedules/{schedule}/", {"frequency": "annual"}, PRACTICE_MANAGERS),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        client = api_client(world, persona)
        before = LogEntry.objects.count()
        url = fill(url, objects)
        if method == "multipart":
            response = client.post(url, prepare(data, objects), format="multipart")
        elif data is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, data, format="json")
        check(response, expected[persona], api=True)
        if expected[persona] not in (OK, FORM_OK):
            assert LogEntry.objects.count() == before, "a refused request wrote something"

    each_persona(API_PERSONAS, attempt)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("practice_manager", 201),
        ("admin", 201),
        ("practice_staff", 403),
        ("provider_manager", 403),
        ("integration", 403),
        ("outsider", 400),  # the engagement is not one they can see: "No engagement with id …"
    ],
)
def test_starting_an_audit_through_the_api(world, persona, expected):
    client = api_client(world, persona)
    response = client.post(
        "/api/v1/compliance-audits/",
        {"engagement": world.engagement.pk, "period_start": "2026-01-01", "period_end": "2026-03-31"},
        format="json",
    )
    assert response.status_code == expected, response.content
    assert ComplianceAudit.objects.exists() == (expected == 201)
    if expected == 201:
        body = response.json()
        assert body["status"] == "draft" and len(body["requirements"]) == 12 and body["score"] is None


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("practice_manager", 201), ("provider_manager", 201), ("provider_staff", 403), ("outsider", 400)],
)
def test_raising_findings_and_adding_actions_through_the_api(world, objects, persona, expected):
    client = api_client(world, persona)
    before = (Finding.objects.count(), CorrectiveAction.objects.count())
    response = client.post(
        "/api/v1/corrective-actions/",
        {"finding": objects["finding"], "description": "Train", "owner": objects["owner"], "due_on": "2026-05-01"},
        format="json",
    )
    assert response.status_code == expected, response.content
    finding = client.post(
        "/api/v1/findings/", {"audit": objects["audit"], "title": "Paper on desks", "severity": "minor"}, format="json"
    )
    finding_expected = 201 if persona == "practice_manager" else expected if expected != 201 else 403
    assert finding.status_code == finding_expected, finding.content
    after = (Finding.objects.count(), CorrectiveAction.objects.count())
    assert after == (before[0] + (finding_expected == 201), before[1] + (expected == 201))


def test_evidence_of_another_tenant_is_not_found(world, objects, client):
    """Another practice's or provider's people cannot open evidence, even knowing its id — 404, not 403."""
    for persona in ("outsider", "other_provider_manager"):
        client.force_login(getattr(world, persona))
        assert client.get(f"/compliance/evidence/{objects['evidence']}/").status_code == HIDDEN
        assert client.get(f"/compliance/corrective-actions/{objects['done']}/evidence/").status_code == HIDDEN
    client.logout()
    assert client.get(f"/compliance/evidence/{objects['evidence']}/").status_code == 302  # to sign in


def test_evidence_is_served_as_a_private_download_of_the_checked_type(world, objects, client):
    client.force_login(world.practice_staff)
    response = client.get(f"/compliance/evidence/{objects['evidence']}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;") and "evidence.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    evidence = ComplianceEvidence.objects.get(pk=objects["evidence"])
    assert not evidence.file.url.endswith(evidence.name)  # never under its own name in media


def test_api_lists_never_show_another_tenants_rows(world, objects):
    other = compliance.start_compliance_audit(
        world.other_engagement, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), by=world.outsider
    )
    for url in ("/api/v1/compliance-audits/", "/api/v1/findings/", "/api/v1/corrective-actions/"):
        outsider_ids = {row["id"] for row in api_client(world, "outsider").get(url).json()["results"]}
        home_ids = {row["id"] for row in api_client(world, "practice_manager").get(url).json()["results"]}
        assert home_ids and not outsider_ids & home_ids, url
    outsider = api_client(world, "outsider").get("/api/v1/compliance-audits/").json()["results"]
    assert [row["id"] for row in outsider] == [other.pk]
