"""Every SLA API endpoint, tried by every persona (the access matrix of tests/test_access_matrix.py, extended).

The home engagement's practice manager sets targets and decides and closes remediation plans; its provider
manager submits measurements and answers breaches; an integration token submits measurements; staff on both
sides read. The outsider and the other provider's manager never see the home engagement's rows: 404 on an
object, 400 "No … with id" where an id travels in a body. A refused request writes nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from engagements.models import Notification
from slas import services
from slas.models import Breach, IngestBatch, KPIValue, Measurement, Metric, RemediationPlan, SLATarget
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    HIDDEN,
    OK,
    api_client,
    expect,
    fill,
    try_each,
)

pytestmark = pytest.mark.django_db

INVALID = 400
EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK)
READ = expect(OK)
PRACTICE_MANAGERS = expect(FORBIDDEN, practice_manager=OK)
PROVIDER_MANAGERS = expect(FORBIDDEN, provider_manager=OK)
# Ingestion answers per row: an engagement out of sight or not writable is a 400 row error, never a 404 or 403.
SUBMITTERS = expect(
    INVALID, provider_manager=OK, integration=OK, outsider=INVALID, other_provider_manager=INVALID, agent=INVALID
)
MONTHS = [date(2025, month, 10) for month in (1, 2, 3, 4)]


def _save_target(engagement, metric, threshold, by, capture):
    with capture(execute=True):
        return services.save_target(
            SLATarget(
                engagement=engagement,
                metric=Metric.objects.get(code=metric),
                threshold=Decimal(threshold),
                effective_from=date(2024, 1, 1),
            ),
            by=by,
        )


def _push(rows, by, capture):
    with capture(execute=True):
        return services.ingest_measurements(rows, by=by)


@pytest.fixture
def objects(world, django_capture_on_commit_callbacks):
    """A target missed in four months: four breaches, whose plans are submitted, accepted, done, and not yet made."""
    capture = django_capture_on_commit_callbacks
    target = _save_target(world.engagement, "service_level", "90", world.practice_manager, capture)
    spare = _save_target(world.engagement, "csat", "4", world.practice_manager, capture)
    rows = [
        {"engagement": world.engagement.pk, "metric": "service_level", "date": day.isoformat(), "external_id": f"m{n}"}
        | {"numerator": 5, "denominator": 10}
        for n, day in enumerate(MONTHS)
    ]
    batch = _push(rows, world.provider_manager, capture).batch
    submitted, accepted, done, open_breach = Breach.objects.filter(target=target).order_by("period_start")
    due_on = timezone.localdate() + timedelta(days=14)
    plans = {
        breach: services.submit_remediation_plan(
            breach, by=world.provider_manager, actions="Add agents at peak", owner="Bea", due_on=due_on
        )
        for breach in (submitted, accepted, done)
    }
    for breach in (accepted, done):
        services.decide_remediation_plan(plans[breach], by=world.practice_manager, accept=True)
    services.complete_remediation_plan(plans[done], by=world.provider_manager)
    return {
        "engagement": world.engagement.pk,
        "target": target.pk,
        "spare_target": spare.pk,
        "measurement": Measurement.objects.filter(batch=batch).first().pk,
        "batch": batch.pk,
        "kpi": KPIValue.objects.filter(target=target).first().pk,
        "breach": submitted.pk,
        "open_breach": open_breach.pk,
        "submitted_plan": plans[submitted].pk,
        "accepted_plan": plans[accepted].pk,
        "done_plan": plans[done].pk,
        "due_on": due_on.isoformat(),
    }


TARGET_TERMS = {
    "engagement": "{engagement}",
    "metric": "service_level",
    "threshold": "85",
    "warning_threshold": "92",
    "period": "month",
    "effective_from": "2024-01-01",
}
NEW_ROW = {
    "engagement": "{engagement}",
    "metric": "service_level",
    "date": "2025-05-05",
    "numerator": 9,
    "denominator": 10,
    "external_id": "matrix-1",
}

API_CASES = [
    ("get", "/api/v1/metrics/", None, EVERYONE),
    ("get", "/api/v1/metrics/service_level/", None, EVERYONE),
    ("get", "/api/v1/sla-targets/{target}/", None, READ),
    (
        "post",
        "/api/v1/sla-targets/",
        {**TARGET_TERMS, "metric": "first_call_resolution"},
        # The outsider may set targets on their own engagement, but this one does not exist for them; the other
        # provider's manager may set none at all.
        expect(FORBIDDEN, practice_manager=OK, outsider=INVALID, other_provider_manager=FORBIDDEN),
    ),
    ("put", "/api/v1/sla-targets/{target}/", TARGET_TERMS, PRACTICE_MANAGERS),
    ("patch", "/api/v1/sla-targets/{target}/", {"weight": "2"}, PRACTICE_MANAGERS),
    ("delete", "/api/v1/sla-targets/{spare_target}/", None, expect(FORBIDDEN)),
    ("get", "/api/v1/measurements/{measurement}/", None, READ),
    ("post", "/api/v1/measurements/", [NEW_ROW], SUBMITTERS),
    # Batches are the submitting side's records.
    ("get", "/api/v1/ingest-batches/{batch}/", None, expect(HIDDEN, provider_manager=OK, integration=OK)),
    ("get", "/api/v1/kpis/{kpi}/", None, READ),
    ("get", "/api/v1/breaches/{breach}/", None, READ),
    ("get", "/api/v1/remediation-plans/{submitted_plan}/", None, READ),
    (
        "post",
        "/api/v1/remediation-plans/",
        {"breach": "{open_breach}", "actions": "Retrain the team", "owner": "Bea", "due_on": "{due_on}"},
        # Of the outsiders only the other provider's manager may propose plans at all, and this breach does not
        # exist for them; the outsider (a practice manager) may propose none.
        expect(FORBIDDEN, provider_manager=OK, outsider=FORBIDDEN, other_provider_manager=INVALID),
    ),
    ("post", "/api/v1/remediation-plans/{submitted_plan}/decision/", {"accept": True}, PRACTICE_MANAGERS),
    ("post", "/api/v1/remediation-plans/{accepted_plan}/done/", None, PROVIDER_MANAGERS),
    ("post", "/api/v1/remediation-plans/{done_plan}/close/", None, PRACTICE_MANAGERS),
    ("get", "/api/v1/notifications/", None, EVERYONE),
    ("post", "/api/v1/notifications/read/", None, EVERYONE),
]


def resolve(data, objects):
    """Fill "{name}" placeholders in a request body: a whole "{name}" becomes the object's id itself."""
    if isinstance(data, list):
        return [resolve(item, objects) for item in data]
    if isinstance(data, dict):
        return {key: resolve(value, objects) for key, value in data.items()}
    if isinstance(data, str) and data.startswith("{") and data.endswith("}"):
        return objects[data[1:-1]]
    return data


def snapshot():
    """Everything an SLA write could change, to prove a refused request changed none of it."""
    return {
        "log": LogEntry.objects.count(),
        "targets": list(SLATarget.objects.order_by("pk").values_list("pk", "threshold", "weight")),
        "measurements": Measurement.objects.count(),
        "batches": IngestBatch.objects.count(),
        "plans": list(RemediationPlan.objects.order_by("pk").values_list("pk", "status")),
        "breaches": list(Breach.objects.order_by("pk").values_list("pk", "status")),
        "unread": Notification.objects.filter(read_at__isnull=True).count(),
    }


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(
        API_PERSONAS, world, method, fill(url, objects), resolve(data, objects), expected, api=True, state=snapshot
    )


# --- Lists never show another tenant's rows ---------------------------------------------------------------------------


@pytest.fixture
def both_tenants(world, objects, django_capture_on_commit_callbacks):
    """The other practice and provider get a missed target, a breach and a plan of their own."""
    capture = django_capture_on_commit_callbacks
    _save_target(world.other_engagement, "service_level", "90", world.outsider, capture)
    row = {"engagement": world.other_engagement.pk, "metric": "service_level", "date": "2025-01-10"}
    _push([{**row, "numerator": 1, "denominator": 10, "external_id": "theirs"}], world.other_provider_manager, capture)
    services.submit_remediation_plan(
        Breach.objects.get(target__engagement=world.other_engagement),
        by=world.other_provider_manager,
        actions="Retrain",
        owner="Omar",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    return {"home": world.engagement.pk, "other": world.other_engagement.pk}


def engagements_listed(response) -> set[int]:
    assert response.status_code == 200, response.data
    listed = set()
    for row in response.data["results"]:
        listed |= set(row["engagements"]) if "engagements" in row else {row["engagement"]}
    return listed


LIST_ENDPOINTS = [
    "/api/v1/sla-targets/",
    "/api/v1/measurements/",
    "/api/v1/ingest-batches/",
    "/api/v1/kpis/",
    "/api/v1/breaches/",
    "/api/v1/remediation-plans/",
    "/api/v1/notifications/",
]
HOME = ["practice_manager", "practice_staff", "provider_manager", "provider_staff", "integration"]
OTHER = ["outsider", "other_provider_manager"]


@pytest.mark.parametrize("url", LIST_ENDPOINTS)
def test_sla_lists_never_show_another_tenants_rows(world, both_tenants, url):
    for persona in HOME + OTHER:
        listed = engagements_listed(api_client(world, persona).get(url))
        mine, theirs = (both_tenants["home"], both_tenants["other"])
        if persona in OTHER:
            mine, theirs = theirs, mine
        assert theirs not in listed, (persona, listed)
        assert listed <= {mine}, (persona, listed)
    assert engagements_listed(api_client(world, "admin").get(url)) <= {both_tenants["home"], both_tenants["other"]}


@pytest.mark.parametrize(
    ("url", "persona"),
    [
        ("/api/v1/sla-targets/", "provider_staff"),
        ("/api/v1/kpis/", "integration"),
        ("/api/v1/breaches/", "practice_staff"),
        ("/api/v1/remediation-plans/", "practice_manager"),
        ("/api/v1/ingest-batches/", "provider_manager"),
        ("/api/v1/measurements/", "provider_staff"),
        ("/api/v1/kpis/", "other_provider_manager"),
        ("/api/v1/breaches/", "outsider"),
    ],
)
def test_each_side_sees_its_own_rows(world, both_tenants, url, persona):
    """The other half of the wall: the lists above are not simply empty."""
    side = "other" if persona in OTHER else "home"

    assert engagements_listed(api_client(world, persona).get(url)) == {both_tenants[side]}


@pytest.mark.parametrize("url", ["/api/v1/sla-targets/", "/api/v1/kpis/", "/api/v1/breaches/", "/api/v1/measurements/"])
def test_filtering_by_another_tenants_engagement_answers_an_empty_page_like_an_unknown_id(world, both_tenants, url):
    hidden = api_client(world, "outsider").get(url, {"engagement": both_tenants["home"]})
    unknown = api_client(world, "outsider").get(url, {"engagement": 987_654})

    assert hidden.status_code == unknown.status_code == 200
    assert hidden.data["results"] == unknown.data["results"] == []
