"""Recognition and consequence, from the same data as the bands: per engagement, the agents who passed every
audit over the last N weeks, and the agents who need additional training and supervision (the lowest bands —
a critical fail, or below the pass mark — or whose latest closed action plan was not effective)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from audits.choices import Band, PlanStatus
from audits.models import ActionPlan, QualityAudit
from audits.services import sampling
from engagements.models import Agent

RECOGNITION, SUPPORT = "recognition", "support"
LOWEST_BANDS = (Band.CRITICAL, Band.BELOW)


@dataclass(frozen=True)
class Entry:
    list: str  # RECOGNITION or SUPPORT
    agent: Agent
    band: sampling.BandResult
    audits: int  # scored audits in the window
    reason: str


def recognition(engagement, weeks: int | None = None, today: date | None = None) -> list[Entry]:
    """Both lists for the engagement, recognition first; a fixed number of queries whatever the agent count."""
    policy = sampling.policy_of(engagement)
    weeks = weeks or policy.recognition_weeks
    today = today or sampling.today_of(engagement)
    agents = list(Agent.objects.filter(assignments__engagement=engagement).order_by("full_name", "pk"))
    bands = sampling.bands_for(engagement, agents, today, policy)
    since = today - timedelta(weeks=weeks)
    counts = {
        row["agent_id"]: row
        for row in QualityAudit.objects.scored()
        .filter(engagement=engagement, interaction_date__gt=since, interaction_date__lte=today)
        .values("agent_id")
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
        .order_by()
    }
    latest_closed = {}
    for plan in (
        ActionPlan.objects.filter(engagement=engagement, status__in=[PlanStatus.EFFECTIVE, PlanStatus.NOT_EFFECTIVE])
        .order_by("agent_id", "-closed_at", "-pk")
        .only("agent_id", "status")
    ):
        latest_closed.setdefault(plan.agent_id, plan)
    recognised, support = [], []
    for agent in agents:
        row, band = counts.get(agent.pk, {"n": 0, "passed": 0}), bands[agent.pk]
        if row["n"] and row["n"] == row["passed"]:
            recognised.append(
                Entry(RECOGNITION, agent, band, row["n"], f"Passed all {row['n']} audits in {weeks} weeks.")
            )
        reasons = []
        if band.band in LOWEST_BANDS and band.audits:
            reasons.append(band.rule)
        plan = latest_closed.get(agent.pk)
        if plan is not None and plan.status == PlanStatus.NOT_EFFECTIVE:
            reasons.append("Their latest action plan was not effective.")
        if reasons:
            support.append(Entry(SUPPORT, agent, band, row["n"], " ".join(reasons)))
    return recognised + support
