"""Demo data of the responsibilities area (see onboarding/demo.py): the default ladder on "Front desk 2026" with
the HIPAA module and a customer-service target, Angelica Cruz (CV-1001) on scheduling and customer service, and
Jose Ramirez (CV-1002) whose scheduling grant is suspended because his HIPAA completion expired. Works whether or
not the earlier areas' demos ran: it reuses their onboardings and HIPAA module when present."""

import logging
from datetime import timedelta

from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import AgentStatus
from onboarding.choices import CompletionSource, ModuleKind
from onboarding.models import Onboarding, Responsibility, StageChange, TrainingCompletion, TrainingModule
from onboarding.services import responsibilities as services

log = logging.getLogger(__name__)

ENGAGEMENT = "Front desk 2026"
STEADY, LAPSED = "CV-1001", "CV-1002"  # on two rungs; suspended on scheduling (HIPAA expired)


def seed(context: dict) -> None:
    signal = context.get("signal", {})
    engagement = (signal.get("engagements") or {}).get(ENGAGEMENT)
    if engagement is None or services.rungs_of(engagement):
        return
    manager = (signal.get("managers") or {}).get(engagement.provider)
    if manager is None:
        return
    today = timezone.localdate()
    hipaa = context.get("hipaa_module") or _hipaa_module(engagement, manager)
    ladder = services.create_default_ladder(engagement, by=manager)
    rungs = list(ladder.rungs.order_by("position"))
    services.update_rung(rungs[0], by=manager, modules=[hipaa])
    services.update_rung(rungs[1], by=manager, target_threshold=85, target_days=28)
    onboardings = _live_onboardings(engagement, context)
    steady, lapsed = onboardings.get(STEADY), onboardings.get(LAPSED)
    grants = []
    if steady is not None:
        _current_completion(steady.agent, hipaa, today)
        grants += _grant_backdated(steady, rungs[0], manager, weeks_ago=8)
        grants += _grant_backdated(steady, rungs[1], manager, weeks_ago=1)
    if lapsed is not None:
        _expired_completion(lapsed.agent, hipaa, today)
        grants += _grant_backdated(lapsed, rungs[0], manager, weeks_ago=6, on=today - timedelta(days=42))
        services.recheck_agent(lapsed.agent, engagement)  # the nightly job's work: HIPAA expired, suspended
    context["ladder"] = ladder
    context["responsibilities"] = grants


def _hipaa_module(engagement, manager):
    module = TrainingModule.objects.filter(provider=engagement.provider, kind=ModuleKind.PRIVACY_LAW).first()
    return module or TrainingModule.objects.create(
        provider=engagement.provider,
        title="HIPAA privacy and security",
        kind=ModuleKind.PRIVACY_LAW,
        material="Protected health information, minimum necessary, reporting a breach.",
        renewal_months=12,
        created_by=manager,
    )


def _live_onboardings(engagement, context) -> dict:
    """{employee ref: live onboarding} for the demo's live agents, made here when the pipeline's demo did not."""
    found = {}
    for ref in (STEADY, LAPSED):
        agent = engagement.provider.agents.filter(employee_ref=ref).first()
        if agent is None:
            continue
        onboarding = Onboarding.objects.filter(agent=agent, engagement=engagement).first()
        if onboarding is None:
            onboarding = Onboarding.objects.create(agent=agent, engagement=engagement, stage=AgentStatus.LIVE)
            StageChange.objects.create(onboarding=onboarding, to_stage=AgentStatus.LIVE, note="Demo: already live.")
        if onboarding.is_live:
            found[ref] = onboarding
    return found


def _current_completion(agent, module, today):
    current = TrainingCompletion.objects.filter(agent=agent, module=module, passed_on__lte=today)
    if not current.exclude(expires_on__lte=today).exists():
        TrainingCompletion.objects.create(
            module=module,
            agent=agent,
            passed_on=today - timedelta(days=70),
            expires_on=today + timedelta(days=295),
            score=92,
            source=CompletionSource.QUIZ,
        )


def _expired_completion(agent, module, today):
    if not TrainingCompletion.objects.filter(agent=agent, module=module).exists():
        TrainingCompletion.objects.create(
            module=module,
            agent=agent,
            passed_on=today - timedelta(days=368),
            expires_on=today - timedelta(days=3),
            score=88,
            source=CompletionSource.LMS,
        )
    else:  # the training demo's completion: make sure it has lapsed, so the suspension shows
        TrainingCompletion.objects.filter(agent=agent, module=module, expires_on__gte=today).update(
            expires_on=today - timedelta(days=3)
        )


def _grant_backdated(onboarding, rung, manager, *, weeks_ago, on=None) -> list:
    """Grant through the service (as of `on`, for a grant made before a completion lapsed), then date it when the
    story says it was made."""
    try:
        grant = services.grant(onboarding, rung, by=manager, on=on)
    except DomainError as refused:
        log.info("Demo: %s not granted %s: %s", onboarding.agent, rung.service_line, refused.message)
        return []
    when = timezone.now() - timedelta(weeks=weeks_ago)
    Responsibility.objects.filter(pk=grant.pk).update(granted_at=when)
    grant.events.update(at=when)
    return [grant]
