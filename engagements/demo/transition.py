"""Transition demo data, added by `seed_demo` after the SLA demo (the gates read its KPI values).

"Claims and A/R" is mid-transition: claims submission is the active phase and its gate is ready (claims submitted
within 48 h met the last two closed weeks), while billing and A/R follow-up waits behind a gate that is not
(claim accuracy slipped a week or two ago and has not been back above its warning level since). One milestone is
overdue. "Front desk 2026" went through both of its phases and is in steady state. Dates are relative to today, and
the SLA demo's measurements are the same relative to today whatever day it runs, so the gates read the same.
"""

from datetime import date, datetime, time, timedelta

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from engagements.models import GateDecision, Milestone, ServiceLine, TransitionPhase
from engagements.services import transition as services


def seed(engagements: dict, managers: dict, today: date) -> None:
    claims = engagements.get("Claims and A/R")
    if claims is not None and not claims.transition_phases.exists():
        with set_actor(managers[claims.practice]):  # the change history names who acted, as it would in the UI
            _mid_transition(claims, managers, today)
    front_desk = engagements.get("Front desk 2026")
    if front_desk is not None and not front_desk.transition_phases.exists():
        with set_actor(managers[front_desk.practice]):
            _completed(front_desk, managers, today)


def _lines(*codes):
    return list(ServiceLine.objects.filter(code__in=codes))


def _target(engagement, metric_code):
    return engagement.sla_targets.filter(metric__code=metric_code).order_by("pk").first()


def _criterion(phase, engagement, metric_code, k, by):
    from engagements.models import GateCriterion

    target = _target(engagement, metric_code)
    if target is not None:  # the SLA demo did not run, or was changed by hand: no gate on a missing target
        services.save_criterion(GateCriterion(phase=phase, target=target, consecutive_periods=k), by=by)


@transaction.atomic
def _mid_transition(engagement, managers, today: date) -> None:
    practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
    contract = getattr(engagement, "contract", None)
    began = contract.starts_on if contract else today - timedelta(days=30)
    claims = services.save_phase(
        TransitionPhase(
            engagement=engagement,
            name="Claims submission",
            planned_start=began,
            planned_end=today + timedelta(days=7),
        ),
        by=practice_manager,
        service_lines=_lines("claims"),
    )
    follow_up = services.save_phase(
        TransitionPhase(
            engagement=engagement,
            name="Billing and A/R follow-up",
            planned_start=today + timedelta(days=8),
            planned_end=today + timedelta(days=90),
        ),
        by=practice_manager,
        service_lines=_lines("billing", "accounts_receivable"),
    )
    _criterion(claims, engagement, "claims_within_48h", 2, practice_manager)
    _criterion(follow_up, engagement, "claim_accuracy", 2, practice_manager)
    # Only the work handed over so far is live; billing and A/R join when the claims gate says go.
    engagement.service_lines.set(_lines("claims"))
    services.start_transition(engagement, by=practice_manager)
    TransitionPhase.objects.filter(pk=claims.pk).update(actual_start=began)  # it began with the contract

    for title, owner, due, done_by in [
        ("Payer portal access for the claims team", provider_manager, began + timedelta(days=5), practice_manager),
        ("Claim scrubber rules reviewed with the billing lead", practice_manager, today - timedelta(days=3), None),
        ("Week-one claims audit", provider_manager, today + timedelta(days=5), None),
        ("A/R aging report handed over", provider_manager, today + timedelta(days=15), None),
        ("Patient statement templates approved", practice_manager, today + timedelta(days=22), None),
    ]:
        phase = claims if due <= today + timedelta(days=7) else follow_up
        with set_actor(provider_manager):
            milestone = services.save_milestone(
                Milestone(phase=phase, title=title, owner_user=owner, due_on=due), by=provider_manager
            )
        if done_by is not None:
            services.complete_milestone(milestone, by=done_by)


@transaction.atomic
def _completed(engagement, managers, today: date) -> None:
    """Both phases went through their gates before the portal tracked them: recorded as history, as they happened."""
    practice_manager = managers[engagement.practice]
    contract = getattr(engagement, "contract", None)
    began = contract.starts_on if contract else today - timedelta(days=270)
    front, verification = (
        services.save_phase(
            TransitionPhase(engagement=engagement, name=name, planned_start=start, planned_end=end),
            by=practice_manager,
            service_lines=_lines(*codes),
        )
        for name, start, end, codes in [
            ("Scheduling and phone overflow", began, began + timedelta(weeks=8), ("scheduling", "customer_service")),
            (
                "Insurance verification",
                began + timedelta(weeks=8, days=1),
                began + timedelta(weeks=16),
                ("insurance_verification",),
            ),
        ]
    )
    _criterion(front, engagement, "service_level", 4, practice_manager)
    _criterion(verification, engagement, "appointment_adherence", 2, practice_manager)
    for phase, start, end, note in [
        (front, began, began + timedelta(weeks=8), "Service level above 80% for four weeks running."),
        (verification, began + timedelta(weeks=8, days=1), began + timedelta(weeks=17), "Stable for two months."),
    ]:
        TransitionPhase.objects.filter(pk=phase.pk).update(
            status=TransitionPhase.Status.DONE, actual_start=start, actual_end=end
        )
        decided_at = timezone.make_aware(datetime.combine(end, time(10)))
        GateDecision.objects.create(
            phase=phase, outcome=GateDecision.Outcome.GO, note=note, decided_by=practice_manager, decided_at=decided_at
        )
        Milestone.objects.create(
            phase=phase,
            title="Go-live checklist signed by both sides",
            owner_user=practice_manager,
            due_on=end - timedelta(days=3),
            done_at=decided_at,
            done_by=practice_manager,
        )
