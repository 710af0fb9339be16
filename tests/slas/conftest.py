"""Helpers for SLA tests: set a target as the practice manager, push measurements as the provider manager."""

import itertools
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from slas import services
from slas.models import KPIValue, Metric, SLATarget

_ids = itertools.count(1)


@pytest.fixture
def sla(world, django_capture_on_commit_callbacks):
    """After-commit work (the recompute task, e-mails) runs as it would after a real commit."""

    def target(metric_code, threshold, *, period="month", engagement=None, by=None, **fields):
        fields.setdefault("effective_from", date(2024, 1, 1))
        with django_capture_on_commit_callbacks(execute=True):
            return services.save_target(
                SLATarget(
                    engagement=engagement or world.engagement,
                    metric=Metric.objects.get(code=metric_code),
                    threshold=Decimal(str(threshold)),
                    period=period,
                    **fields,
                ),
                by=by or world.practice_manager,
            )

    def row(metric_code, day, *, engagement=None, external_id=None, **amounts):
        record = {
            "engagement": (engagement or world.engagement).pk,
            "metric": metric_code,
            "date": day.isoformat() if isinstance(day, date) else day,
            "external_id": external_id or f"ext-{next(_ids)}",
        }
        record.update(amounts)
        return record

    def push(rows, *, by=None, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return services.ingest_measurements(rows, by=by or world.provider_manager, **options)

    def kpi(target, start):
        return KPIValue.objects.get(target=target, period_start=start)

    return SimpleNamespace(target=target, row=row, push=push, kpi=kpi, world=world)
