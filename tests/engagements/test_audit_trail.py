"""The audit trail HIPAA 164.312(b) asks for: every write to engagement data is logged (SLA targets, remediation
plans and their decisions, measurement corrections with the values they replaced), and reads of sensitive records
leave an access entry that each side's managers can see and nobody can change."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audits import registrations as audit_registrations
from engagements import auditing as engagement_auditing
from engagements.models import AccessEntry, AccessKind
from engagements.models.access_log import AppendOnly
from onboarding import auditing as onboarding_auditing
from slas import auditing as sla_auditing
from slas import services as sla_services
from slas.models import Breach, Measurement, MeasurementCorrection, Metric, SLATarget
from tests.engagements.test_lock_order import unsigned_contract

pytestmark = pytest.mark.django_db

NOT_LOGGED = {
    **engagement_auditing.NOT_LOGGED,
    **sla_auditing.NOT_LOGGED,
    **audit_registrations.NOT_LOGGED,
    **onboarding_auditing.NOT_LOGGED,
}
DAY = date(2025, 3, 3)


def scoped_models():
    """Every model whose rows are reached through `for_user`: engagement data, found rather than listed."""
    found = []
    for app in ("engagements", "slas", "audits", "onboarding"):
        for model in apps.get_app_config(app).get_models():
            if hasattr(model._default_manager.get_queryset(), "for_user"):
                found.append(model)
    return found


def entries_for(obj, action=None):
    entries = LogEntry.objects.get_for_object(obj)
    return entries.filter(action=action) if action is not None else entries


def test_every_scoped_model_is_audited_or_says_why_not():
    assert len(scoped_models()) > 30
    missing = [m.__name__ for m in scoped_models() if not auditlog.contains(m) and m.__name__ not in NOT_LOGGED]
    assert missing == []


def test_a_changed_sla_threshold_is_logged_with_its_before_and_after(api, world):
    target = sla_services.save_target(
        SLATarget(
            engagement=world.engagement,
            metric=Metric.objects.get(code="service_level"),
            threshold=Decimal("80"),
            period="month",
            effective_from=date(2024, 1, 1),
        ),
        by=world.practice_manager,
    )
    response = api.as_user(world.practice_manager).patch(
        f"/api/v1/sla-targets/{target.pk}/", {"threshold": "85.0000"}, format="json"
    )
    assert response.status_code == 200, response.content
    change = entries_for(target, LogEntry.Action.UPDATE).get()
    assert change.actor == world.practice_manager
    assert [Decimal(v) for v in change.changes_dict["threshold"]] == [Decimal("80"), Decimal("85")]


@pytest.fixture
def breach(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _breached_target(world)
    return Breach.objects.get()


def _breached_target(world):
    sla_services.save_target(
        SLATarget(
            engagement=world.engagement,
            metric=Metric.objects.get(code="service_level"),
            threshold=Decimal("90"),
            period="month",
            effective_from=date(2024, 1, 1),
        ),
        by=world.practice_manager,
    )
    row = {"engagement": world.engagement.pk, "metric": "service_level", "date": DAY.isoformat()}
    sla_services.ingest_measurements(
        [{**row, "external_id": "m-1", "numerator": 5, "denominator": 10}], by=world.provider_manager
    )


def test_a_remediation_plan_and_its_decision_are_logged(api, world, breach):
    due_on = (timezone.localdate() + timedelta(days=14)).isoformat()
    body = {"breach": breach.pk, "actions": "Two more agents at peak", "owner": "Bea", "due_on": due_on}
    proposed = api.as_user(world.provider_manager).post("/api/v1/remediation-plans/", body, format="json")
    assert proposed.status_code == 201, proposed.content
    plan_id = proposed.json()["id"]
    decided = api.as_user(world.practice_manager).post(
        f"/api/v1/remediation-plans/{plan_id}/decision/", {"accept": True, "note": "Go ahead"}, format="json"
    )
    assert decided.status_code == 200, decided.content
    plan = breach.remediation_plans.get()
    assert entries_for(plan, LogEntry.Action.CREATE).get().actor == world.provider_manager
    assert entries_for(plan, LogEntry.Action.UPDATE).filter(actor=world.practice_manager).exists()


def test_a_correction_keeps_the_replaced_values_with_the_batch_that_replaced_them(api, world, breach):
    first = Measurement.objects.get()
    row = {"engagement": world.engagement.pk, "metric": "service_level", "date": DAY.isoformat(), "external_id": "m-1"}
    response = api.as_user(world.provider_manager).post(
        "/api/v1/measurements/?corrections=true", [{**row, "numerator": 10, "denominator": 10}], format="json"
    )
    assert response.status_code == 201 and response.json()["corrected"] == 1
    correction = MeasurementCorrection.objects.get()
    assert (correction.numerator, correction.denominator) == (Decimal("5"), Decimal("10"))
    assert correction.replaced_batch_id == first.batch_id and correction.batch_id == response.json()["batch"]
    for reader in (world.practice_manager, world.provider_manager):  # either side sees what was corrected from what
        listed = api.as_user(reader).get("/api/v1/measurement-corrections/", {"engagement": world.engagement.pk})
        assert [c["numerator"] for c in listed.json()["results"]] == ["5.0000"]
    assert api.as_user(world.outsider).get("/api/v1/measurement-corrections/").json()["results"] == []


# --- Reads --------------------------------------------------------------------------------------------------------


def test_reading_a_contracts_pricing_and_costs_leaves_an_access_entry(api, world):
    contract = unsigned_contract(world)
    client = api.as_user(world.practice_manager)
    assert client.get(f"/api/v1/contract-pricing/{contract.pk}/", REMOTE_ADDR="203.0.113.7").status_code == 200
    entry = AccessEntry.objects.get(kind=AccessKind.CONTRACT_PRICING)
    assert (entry.user, entry.ip_address, entry.object_id) == (world.practice_manager, "203.0.113.7", str(contract.pk))
    assert (entry.practice_id, entry.provider_id, entry.engagement_id) == (
        world.practice.pk,
        world.provider.pk,
        world.engagement.pk,
    )
    assert entry.token_prefix  # it came through a personal token
    ui = Client()
    ui.force_login(world.provider_manager)
    assert ui.get(reverse("engagements:engagement_costs", args=[world.engagement.pk])).status_code == 200
    assert ui.get(reverse("engagements:contract_scope", args=[world.engagement.pk])).status_code == 200
    assert AccessEntry.objects.filter(kind=AccessKind.COST_PAGE, user=world.provider_manager).count() == 1
    assert AccessEntry.objects.filter(kind=AccessKind.CONTRACT_PRICING, user=world.provider_manager).count() == 1


def test_reading_staff_feedback_leaves_an_entry_per_item(api, world):
    from engagements.services import communication

    communication.give_feedback(world.engagement, text="The new scripts help.", anonymous=True, by=world.practice_staff)
    assert api.as_user(world.practice_manager).get("/api/v1/feedback/").status_code == 200
    ui = Client()
    ui.force_login(world.practice_manager)
    assert ui.get(reverse("engagements:feedback", args=[world.engagement.pk])).status_code == 200
    assert AccessEntry.objects.filter(kind=AccessKind.STAFF_FEEDBACK, user=world.practice_manager).count() == 2


def test_a_refused_read_leaves_no_entry(api, world):
    contract = unsigned_contract(world)
    assert api.as_user(world.outsider).get(f"/api/v1/contract-pricing/{contract.pk}/").status_code == 404
    assert not AccessEntry.objects.exists()


def _entry(world, **sides):
    request = RequestFactory().get("/x/", REMOTE_ADDR="198.51.100.2")
    request.user = world.admin
    from engagements.access_log import record_access

    return record_access(request, AccessKind.EVIDENCE_FILE, world.provider, **sides)


def test_each_sides_managers_see_their_sides_entries_and_staff_see_none(world):
    practice_read = _entry(world, engagement=world.engagement)
    provider_only = _entry(world, provider=world.provider)
    other = _entry(world, engagement=world.other_engagement)
    visible = lambda user: set(AccessEntry.objects.for_user(user))  # noqa: E731
    assert visible(world.admin) == {practice_read, provider_only, other}
    assert visible(world.practice_manager) == {practice_read}
    assert visible(world.provider_manager) == {practice_read, provider_only}
    assert visible(world.practice_staff) == set() and visible(world.outsider) == {other}


def test_the_access_log_page_filters_and_exports_and_refuses_staff(world):
    _entry(world, engagement=world.engagement)
    client = Client()
    client.force_login(world.practice_manager)
    page = client.get(reverse("engagements:access_log"), {"kind": AccessKind.EVIDENCE_FILE})
    assert page.status_code == 200 and "198.51.100.2" in page.content.decode()
    assert "198.51.100.2" not in client.get(reverse("engagements:access_log"), {"kind": "costs"}).content.decode()
    exported = client.get(reverse("engagements:access_log"), {"_export": "csv"})
    assert exported["Content-Type"].startswith("text/csv") and "198.51.100.2" in exported.content.decode()
    client.force_login(world.practice_staff)
    assert client.get(reverse("engagements:access_log")).status_code == 403


def test_the_access_log_is_append_only_for_everyone(world):
    entry = _entry(world, engagement=world.engagement)
    entry.object_label = "something else"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(AppendOnly):
        AccessEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        AccessEntry.objects.update(object_label="x")
    admin = site._registry[AccessEntry]
    request = RequestFactory().get("/admin/")
    request.user = world.admin
    assert not any(
        (admin.has_add_permission(request), admin.has_change_permission(request), admin.has_delete_permission(request))
    )
    assert AccessEntry.objects.get(pk=entry.pk).object_label == str(world.provider)
