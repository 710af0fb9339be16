"""Builders for the money tests: a priced contract, volume measurements, and breaches of credit-carrying targets."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from engagements import services
from engagements.choices import PricingBasis, PricingModel
from engagements.models import ContractScope, ServiceLine, VolumeTier

_ids = itertools.count(1)


def contract_for(world, *, signed=False, starts_on=date(2026, 1, 1), **pricing):
    contract = services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=starts_on,
        ends_on=date(2027, 12, 31),
        evaluation_months=6,
        notice_days=60,
        signed_on=starts_on if signed else None,
    )
    for name, value in {"pricing_model": PricingModel.HYBRID, "hourly_rate": Decimal("10.00"), **pricing}.items():
        setattr(contract, name, value)
    contract.save()
    return contract


def line(contract, code, basis=PricingBasis.PER_UNIT, tiers=(), **fields):
    """A scope row written directly (a fixture, not the rule under test)."""
    if basis == PricingBasis.PER_UNIT:
        fields.setdefault("unit_rate", Decimal("2.00"))
    scope = ContractScope.objects.create(
        contract=contract, service_line=ServiceLine.objects.get(code=code), basis=basis, **fields
    )
    for start, rate in tiers:
        VolumeTier.objects.create(scope=scope, from_volume=start, unit_rate=Decimal(rate))
    return scope


def push_volumes(world, rows):
    """rows: (metric code, date, units[, service line code]) — through the SLA engine's ingestion service."""
    from slas import services as sla_services

    records = []
    for metric, day, units, *line_code in rows:
        record = {
            "engagement": world.engagement.pk,
            "metric": metric,
            "date": day.isoformat(),
            "value": units,
            "external_id": f"vol-{next(_ids)}",
        }
        if line_code:
            record["service_line"] = line_code[0]
        records.append(record)
    return sla_services.ingest_measurements(records, by=world.provider_manager)


def target(world, metric="service_level", percent="5", period="month"):
    from slas.models import Metric, SLATarget

    return SLATarget.objects.create(
        engagement=world.engagement,
        metric=Metric.objects.get(code=metric),
        threshold=Decimal("80"),
        period=period,
        effective_from=date(2026, 1, 1),
        service_credit_percent=Decimal(percent),
    )


def breach(sla_target, start, end=None, severity="breach", status="open"):
    from slas.models import Breach

    return Breach.objects.create(
        target=sla_target,
        period_start=start,
        period_end=end or start,
        severity=severity,
        status=status,
        value=Decimal("70"),
        threshold=sla_target.threshold,
        opened_at=timezone.now(),
    )
