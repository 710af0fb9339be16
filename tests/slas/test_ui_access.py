"""Every SLA page and action, tried by every persona (the shared access matrix, extended to the SLA UI).

Allowed personas get their page or a redirect after a successful post; those who can see but not act get 403;
the outsider and the other provider's manager get 404 for anything of the home engagement; anonymous visitors
are sent to sign in. A refused request writes nothing: not the audit log, not SLA rows, not a read mark.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engagements.models import Notification
from slas.models import Breach, IngestBatch, Measurement, Metric, RemediationPlan, SLATarget
from slas.periods import local_today, period_start, shift
from slas.views import UPLOAD_SALT
from tests.test_access_matrix import (
    DIRECTORY,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    PRACTICE_MANAGERS,
    PROVIDER_MANAGERS,
    READ,
    check,
    each_persona,
    expect,
    fill,
    ui_client,
)

pytestmark = pytest.mark.django_db

PRACTICE_WRITES = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK)
PROVIDER_WRITES = expect(FORBIDDEN, provider_manager=FORM_OK, admin=FORM_OK)
SUBMITTERS = expect(FORBIDDEN, provider_manager=OK, other_provider_manager=OK, outsider=FORBIDDEN)
EVERYONE_SIGNED_IN = expect(FORM_OK, outsider=FORM_OK, other_provider_manager=FORM_OK, admin=FORM_OK)
TARGET_FORM = {
    "metric": "{metric}",
    "threshold": "75",
    "warning_threshold": "85",
    "period": "month",
    "min_sample_size": "1",
    "effective_from": "2024-01-01",
    "weight": "1",
}


@pytest.fixture
def objects(world, sla):
    """A service-level target missed four months running: one breach without a plan, and one with a plan in
    each state an action needs (submitted, accepted, done)."""
    today = local_today(world.practice.timezone)
    months = [shift(period_start(today, "month"), "month", -n) for n in range(2, 6)]  # closed, whatever the day
    target = sla.target("service_level", 80)
    sla.push([sla.row("service_level", month, numerator=1, denominator=10) for month in months])
    fresh, *answered = Breach.objects.order_by("-period_start")
    due = timezone.localdate() + timedelta(days=10)
    plans = {
        status: RemediationPlan.objects.create(
            breach=breach, actions="Two more agents", owner="Bea", due_on=due, status=status
        ).pk
        for breach, status in zip(answered, ["submitted", "accepted", "done"], strict=True)
    }
    return {
        "engagement": world.engagement.pk,
        "metric": Metric.objects.get(code="first_call_resolution").pk,
        "target": target.pk,
        "breach": fresh.pk,
        "submitted_plan": plans["submitted"],
        "accepted_plan": plans["accepted"],
        "done_plan": plans["done"],
        "batch": IngestBatch.objects.get().pk,
        "notification": Notification.objects.filter(user=world.practice_manager).first().pk,
        "due": due.isoformat(),
    }


UI_CASES = [
    ("get", "/slas/", None, DIRECTORY),
    ("get", "/slas/kpis/", None, DIRECTORY),
    ("get", "/slas/kpis/?_export=csv", None, DIRECTORY),
    ("get", "/slas/breaches/", None, DIRECTORY),
    ("get", "/slas/breaches/?_export=csv", None, DIRECTORY),
    ("get", "/engagements/{engagement}/slas/", None, READ),
    ("get", "/engagements/{engagement}/slas/targets/new/", None, PRACTICE_MANAGERS),
    ("post", "/engagements/{engagement}/slas/targets/new/", TARGET_FORM, PRACTICE_WRITES),
    ("get", "/slas/targets/{target}/edit/", None, PRACTICE_MANAGERS),
    ("post", "/slas/targets/{target}/edit/", TARGET_FORM, PRACTICE_WRITES),
    ("get", "/breaches/{breach}/", None, READ),
    ("get", "/breaches/{breach}/remediation/new/", None, PROVIDER_MANAGERS),
    (
        "post",
        "/breaches/{breach}/remediation/new/",
        {"actions": "Retrain the team", "owner": "Bea", "due_on": "{due}"},
        PROVIDER_WRITES,
    ),
    ("post", "/remediation/{submitted_plan}/decide/", {"decision": "accept"}, PRACTICE_WRITES),
    ("post", "/remediation/{submitted_plan}/decide/", {"decision": "reject", "note": "Too vague"}, PRACTICE_WRITES),
    ("post", "/remediation/{accepted_plan}/done/", None, PROVIDER_WRITES),
    ("post", "/remediation/{done_plan}/close/", None, PRACTICE_WRITES),
    ("get", "/measurements/upload/", None, SUBMITTERS),
    ("get", "/measurements/batches/", None, DIRECTORY),
    ("get", "/measurements/batches/?_export=csv", None, DIRECTORY),
    ("get", "/measurements/batches/{batch}/", None, expect(HIDDEN, provider_manager=OK)),
    ("get", "/notifications/", None, DIRECTORY),
    # A notification is its recipient's alone: to everyone else, including admins, it does not exist.
    (
        "post",
        "/notifications/read/",
        {"notification": "{notification}"},
        expect(HIDDEN, practice_manager=FORM_OK, admin=HIDDEN),
    ),
    ("post", "/notifications/read/", None, EVERYONE_SIGNED_IN),
]
HEADER = "engagement,metric,date,numerator,denominator,external_id\n"
# Posts that must change something when allowed (marking all read may find nothing unread).
MUST_WRITE = {"/targets/", "/remediation/"}


def state():
    """Everything an SLA page or action could write."""
    return (
        LogEntry.objects.count(),
        sorted(SLATarget.objects.values_list("pk", "threshold", "updated_at")),
        Measurement.objects.count(),
        IngestBatch.objects.count(),
        sorted(RemediationPlan.objects.values_list("pk", "status", "decision_note")),
        sorted(Breach.objects.values_list("pk", "status")),
        sorted(Notification.objects.values_list("pk", "read_at")),
    )


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    def attempt(persona, method=method, url=url, data=data, expected=expected):
        before = state()
        data = {key: fill(value, objects) for key, value in data.items()} if data else data
        client = ui_client(world, persona)
        response = getattr(client, method)(fill(url, objects), data or {})
        check(response, expected[persona], api=False)
        if expected[persona] not in (OK, FORM_OK):
            assert state() == before, "a refused request wrote something"
        elif method == "post" and any(part in url for part in MUST_WRITE):
            assert state() != before, "an allowed request changed nothing"

    each_persona(PERSONAS, attempt)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("provider_manager", FORM_OK),
        ("admin", FORM_OK),
        ("other_provider_manager", 200),  # may upload, but not to this engagement: the rows are rejected
        ("practice_manager", FORBIDDEN),
        ("practice_staff", FORBIDDEN),
        ("provider_staff", FORBIDDEN),
        ("outsider", FORBIDDEN),
        ("anonymous", "login"),
    ],
)
def test_confirming_an_upload(world, objects, persona, expected, django_capture_on_commit_callbacks):
    """The confirm step re-checks everything: a payload signed for a persona gives them no more than the API."""
    day = local_today(world.practice.timezone)
    content = f"{HEADER}{world.engagement.pk},service_level,{day},9,10,u-1\n"
    user = getattr(world, persona, None)
    payload = signing.dumps(
        {"user": user.pk if user else None, "csv": content, "corrections": False}, salt=UPLOAD_SALT, compress=True
    )
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = ui_client(world, persona).post("/measurements/upload/", {"payload": payload})
    check(response, expected, api=False)
    if expected == FORM_OK:
        assert Measurement.objects.filter(external_id="u-1").exists()
    else:
        assert state() == before, "a refused upload wrote something"


@pytest.mark.parametrize("persona", PERSONAS)
def test_previewing_an_upload_never_writes(world, objects, persona):
    day = local_today(world.practice.timezone)
    content = f"{HEADER}{world.engagement.pk},service_level,{day},9,10,p-1\n"
    before = state()
    response = ui_client(world, persona).post(
        "/measurements/upload/", {"file": SimpleUploadedFile("m.csv", content.encode(), content_type="text/csv")}
    )
    check(response, SUBMITTERS[persona], api=False)
    assert state() == before
