"""Demo data of the ramp area (see onboarding/demo.py): the default ramp plan on "Front desk 2026", three agents in
ramp at different weeks (one flagged for coaching after two weeks off target) and one who finished, with their
weekly figures pushed through the SLA ingest service so the ramp pages read real actuals.

Uses the pipeline demo's onboardings (context["onboardings"], by employee ref) when it made them; otherwise makes
the onboardings itself, at stage ramp, with the move into ramp dated the weeks ago each agent started."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from engagements.choices import AgentStatus
from engagements.models import Agent
from onboarding.models import Onboarding, StageChange
from onboarding.services import ramp
from slas.periods import local_today, period_start
from slas.services import ingest_measurements

ENGAGEMENT = "Front desk 2026"

# employee ref, name, weeks since ramp week 1 began, weekly quality scores (None: a week without audits), talk time
CAST = [
    ("CV-1106", "Paolo Santos", 2, [78, 83], [470, 430]),  # on track in week 3
    ("CV-1107", "Liza Mendoza", 4, [76, 72, 74, 81], [470, 450, 440, 420]),  # weeks 2-3 off target: coaching
    ("CV-1108", "Carlo Navarro", 5, [80, 84, None, 88, 90], [460, 420, 400, 380, 375]),  # a week without audits
    ("CV-1109", "Grace Lim", 8, [79, 82, 86, 88, 91, 92, 93, 94], [470, 440, 410, 390, 370, 350, 345, 340]),  # done
]


def seed(context: dict) -> None:
    signal = context.get("signal", {})
    engagement = (signal.get("engagements") or {}).get(ENGAGEMENT)
    if engagement is None:
        return
    manager = (signal.get("managers") or {}).get(engagement.provider)
    plan = ramp.ensure_default_plan(engagement, by=manager)
    known = _known_onboardings(context)
    today = local_today(engagement.practice.timezone)
    rng = random.Random("ramp-demo")  # the same demo every time
    made = {}
    for ref, name, weeks_ago, quality, talk in CAST:
        onboarding = known.get(ref) or _onboarding(engagement, ref, name, weeks_ago, today, manager)
        if onboarding.stage != AgentStatus.RAMP:
            continue
        start = ramp.ramp_start(onboarding)
        if not _has_figures(onboarding):
            _push_figures(onboarding, start, quality, talk, rng, by=manager, today=today)
        ramp.record_evaluation(onboarding)
        made[ref] = onboarding
    context["ramp_plan"] = plan
    context["ramp_onboardings"] = made


def _known_onboardings(context) -> dict:
    known = context.get("onboardings") or {}
    if isinstance(known, dict):
        return {ref: o for ref, o in known.items() if isinstance(o, Onboarding)}
    return {o.agent.employee_ref: o for o in known if isinstance(o, Onboarding)}


def _onboarding(engagement, ref, name, weeks_ago, today, manager) -> Onboarding:
    agent, _ = Agent.objects.get_or_create(
        provider=engagement.provider,
        employee_ref=ref,
        defaults={"full_name": name, "status": AgentStatus.RAMP, "email": f"{ref.lower()}@clearview.example"},
    )
    existing = Onboarding.objects.filter(agent=agent, engagement=engagement).first()
    if existing is not None:
        return existing
    monday = period_start(today, "week") - timedelta(weeks=weeks_ago)
    entered = datetime.combine(monday, time(9), tzinfo=ZoneInfo(engagement.practice.timezone))
    onboarding = Onboarding.objects.create(
        agent=agent, engagement=engagement, stage=AgentStatus.RAMP, stage_entered_at=entered, created_by=manager
    )
    StageChange.objects.create(
        onboarding=onboarding,
        from_stage=AgentStatus.TRAINING,
        to_stage=AgentStatus.RAMP,
        changed_at=entered,
        changed_by=manager,
        note="Training complete; ramp plan starts this week.",
    )
    return onboarding


def _has_figures(onboarding) -> bool:
    from slas.models import Measurement

    return Measurement.objects.filter(agent=onboarding.agent, external_id__startswith="ramp-demo-").exists()


def _push_figures(onboarding, start, quality, talk, rng, *, by, today):
    """Each ramp week's working days: an audit-like quality score on two of them, talk time and calls handled
    every day, a few CSAT surveys; the figures of the week's profile, with a little noise."""
    records = []
    agent, engagement = onboarding.agent, onboarding.engagement
    for index, (score, seconds) in enumerate(zip(quality, talk, strict=True)):
        monday = start + timedelta(weeks=index)
        for offset in range(5):
            day = monday + timedelta(days=offset)
            if day >= today:
                break
            calls = rng.randint(30 + index * 5, 40 + index * 6)
            base = {"engagement": engagement.pk, "agent": agent.pk, "date": day.isoformat()}
            key = f"ramp-demo-{agent.employee_ref}-{day.isoformat()}"
            records.append({**base, "metric": "calls_handled", "value": calls, "external_id": f"{key}-calls"})
            talk_seconds = round((seconds + rng.uniform(-4, 4)) * calls)
            records.append(
                {
                    **base,
                    "metric": "average_talk_time",
                    "numerator": talk_seconds,
                    "denominator": calls,
                    "external_id": f"{key}-talk",
                }
            )
            surveys = rng.randint(2, 4)
            satisfied = min(5 * surveys, round((4.1 + index * 0.08 + rng.uniform(0, 0.3)) * surveys, 2))
            records.append(
                {
                    **base,
                    "metric": "csat",
                    "numerator": str(satisfied),
                    "denominator": surveys,
                    "external_id": f"{key}-csat",
                }
            )
            if score is not None and offset in (1, 3):
                value = max(0, min(100, score + (1 if offset == 1 else -1)))
                records.append({**base, "metric": "quality_score", "value": value, "external_id": f"{key}-quality"})
    if records:
        ingest_measurements(records, by=by)
