"""Audits feed the SLA engine: a submitted audit is a quality_score measurement, its score the KPI the engine
computes; a rescore corrects it; calibration audits never count."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.choices import AuditStatus
from audits.scoring import Rating
from audits.services import audits as audit_services
from slas import services as sla_services
from slas.choices import IngestSource
from slas.models import IngestBatch, KPIValue, Measurement, Metric, SLATarget
from slas.periods import period_start
from tests.audits.helpers import criteria, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return sla_services.save_target(
            SLATarget(
                engagement=world.engagement,
                metric=Metric.objects.get(code="quality_score"),
                threshold=Decimal("85"),
                period="month",
                effective_from=date(2024, 1, 1),
            ),
            by=world.practice_manager,
        )


def kpi(target, day):
    return KPIValue.objects.get(target=target, period_start=period_start(day, "month"))


def test_a_submitted_audit_is_the_quality_score_kpi(world, version, target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit = submitted_audit(world, version, days_ago=0, tone=3)  # tone 0.5 of weight 1 → 100 × 6.5/7
    assert audit.score == Decimal("92.86")
    measurement = Measurement.objects.get(engagement=world.engagement, external_id=audit.external_id)
    assert measurement.agent == world.agent and measurement.numerator == Decimal("92.86")
    assert measurement.batch.source == IngestSource.AUDIT
    assert kpi(target, audit.interaction_date).value == Decimal("92.86")


def test_audits_by_the_practice_are_fed_too_and_average(world, version, target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = submitted_audit(world, version, days_ago=0)
        second = submitted_audit(world, version, by=world.practice_manager, days_ago=0, ids=0)  # critical → 0
    assert first.score == 100 and second.score == 0 and second.auditor_side == "practice"
    assert kpi(target, timezone.localdate()).value == Decimal("50")


def test_a_rescore_corrects_the_measurement_and_the_kpi(world, version, target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit = submitted_audit(world, version, days_ago=0, ids=0)
    assert kpi(target, audit.interaction_date).value == 0
    ids = criteria(version)["Two patient identifiers verified"]
    with django_capture_on_commit_callbacks(execute=True):
        audit_services.rescore(audit, {ids.pk: Rating(1)}, by=world.provider_manager, status=AuditStatus.SUBMITTED)
    assert audit.score == 100
    assert Measurement.objects.filter(external_id=audit.external_id).get().numerator == 100
    assert kpi(target, audit.interaction_date).value == 100
    history = audit.score_history.get()
    assert history.score == 0 and history.critical_failed and history.score_before_critical == Decimal("57.14")


def test_calibration_audits_never_count(world, version, target, django_capture_on_commit_callbacks):
    before = IngestBatch.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        audit = audit_services.create_audit(
            engagement=world.engagement,
            agent=world.agent,
            version=version,
            by=world.provider_manager,
            interaction_ref="CAL-1",
            interaction_date=timezone.localdate(),
            is_calibration=True,
            ratings={c.pk: {"value": 0 if c.scale == "yes_no" else 1} for c in version.ordered_criteria()},
        )
        audit_services.submit_audit(audit, by=world.provider_manager)
    assert IngestBatch.objects.count() == before
    assert not Measurement.objects.filter(external_id=audit.external_id).exists()
    assert not KPIValue.objects.filter(target=target).exists()


def test_drafts_are_not_fed(world, version):
    audit = submitted_audit(world, version, submit=False)
    assert not Measurement.objects.filter(external_id=audit.external_id).exists()
