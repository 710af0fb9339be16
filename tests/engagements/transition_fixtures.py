"""Helpers for the phased-transition tests: a plan of two phases on the home engagement, SLA targets and KPI
values written directly, so each test says exactly which periods were met."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from engagements.models import GateCriterion, ServiceLine, TransitionPhase
from engagements.services.transition import closed_periods, practice_today
from tests import factories


@pytest.fixture
def plan(world):
    """Phase 1 (scheduling) and phase 2 (claims) on the home engagement; nothing started yet."""
    from slas.models import KPIValue, Metric, SLATarget
    from slas.periods import period_end

    engagement = world.engagement
    today = practice_today(engagement)
    first = TransitionPhase.objects.create(
        engagement=engagement,
        name="Scheduling",
        order=1,
        planned_start=today - timedelta(days=60),
        planned_end=today + timedelta(days=10),
    )
    first.service_lines.set([ServiceLine.objects.get(code="scheduling")])
    second = TransitionPhase.objects.create(
        engagement=engagement,
        name="Claims",
        order=2,
        planned_start=today + timedelta(days=11),
        planned_end=today + timedelta(days=90),
    )
    second.service_lines.set([ServiceLine.objects.get(code="claims")])

    def target(code="service_level", threshold="80", *, period="week", engagement=engagement, **fields):
        fields.setdefault("warning_threshold", None)
        return SLATarget.objects.create(
            engagement=engagement,
            metric=Metric.objects.get(code=code),
            threshold=Decimal(threshold),
            period=period,
            effective_from=date(2024, 1, 1),
            **fields,
        )

    def kpi(target, start, value, sample="100"):
        value = None if value is None else Decimal(str(value))
        return KPIValue.objects.create(
            target=target,
            period_start=start,
            period_end=period_end(start, target.period),
            numerator=Decimal("0"),
            denominator=Decimal(sample),
            value=value,
            sample_size=Decimal(sample),
            status=target.judge(value, Decimal(sample)),
            computed_at=timezone.now(),
        )

    def criterion(target, k=2, phase=first):
        return GateCriterion.objects.create(phase=phase, target=target, consecutive_periods=k)

    def closed(target, count):
        return closed_periods(engagement, today, target.period, count)

    return SimpleNamespace(
        engagement=engagement,
        first=first,
        second=second,
        today=today,
        target=target,
        kpi=kpi,
        criterion=criterion,
        closed=closed,
    )


def make_transitioning(world):
    """Walk the home engagement to transitioning, with the contract the step needs."""
    from engagements import services
    from engagements.choices import EngagementStatus

    services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        evaluation_months=6,
        notice_days=60,
    )
    factories.approve_due_diligence(world.engagement, by=world.practice_manager)
    for status in (EngagementStatus.CONTRACTING, EngagementStatus.TRANSITIONING):
        world.engagement = services.change_engagement_status(world.engagement, status, by=world.practice_manager)
    return world.engagement


@pytest.fixture
def started(world, plan):
    """The plan with its engagement transitioning and the first phase active."""
    from engagements.services import transition

    plan.engagement = make_transitioning(world)
    transition.start_transition(plan.engagement, by=world.practice_manager)
    plan.first.refresh_from_db()
    return plan
