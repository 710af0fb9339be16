"""Ramp rules: an engagement's plan of weekly targets, each agent's weekly actuals from the SLA engine, and what
they mean — met, missed or no data per week and metric; two weeks off target in a row flags the agent for
coaching; meeting the final week's targets for K consecutive weeks ends the ramp and makes the agent eligible to go
live. Only closed weeks count (the SLA engine's rule: the week's last day past in the practice's calendar plus the
engagement's grace for late data); the week under way shows "so far"."""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, OuterRef, Subquery, When
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.choices import AgentStatus
from engagements.locking import lock_engagement
from onboarding.choices import RampWeekStatus
from onboarding.models import Onboarding, RampFlag, RampPlan, RampResult, RampTarget, StageChange
from onboarding.models.ramp import MAX_WEEKS
from onboarding.signals import prerequisites_changed
from slas.evidence import agent_weekly_values
from slas.models import Metric
from slas.periods import engagement_closed_before, local_today, period_start

MET, MISSED, NO_DATA, SO_FAR = RampWeekStatus.MET, RampWeekStatus.MISSED, RampWeekStatus.NO_DATA, RampWeekStatus.SO_FAR
SENDER = "onboarding.ramp"
# The longest history a ramp page reads (an agent still in ramp after two years is a conversation, not a chart).
HORIZON_WEEKS = 104

# The seeds' defaults: metric code → (week 1, final week); the weeks between rise (or fall) in a straight line.
DEFAULT_WEEKS = 6
DEFAULT_TARGETS = {
    "quality_score": (Decimal("75"), Decimal("90")),
    "average_talk_time": (Decimal("480"), Decimal("360")),
    "calls_handled": (Decimal("100"), Decimal("250")),
    "csat": (Decimal("4.0"), Decimal("4.5")),
}


# --- The plan -------------------------------------------------------------------------------------------------------


def default_thresholds(weeks: int = DEFAULT_WEEKS) -> dict[tuple[int, str], Decimal]:
    """{(week, metric code): threshold} of the default plan, for the metrics the catalogue has."""
    present = set(Metric.objects.filter(code__in=DEFAULT_TARGETS, is_active=True).values_list("code", flat=True))
    thresholds = {}
    for code, (first, last) in DEFAULT_TARGETS.items():
        if code not in present:
            continue
        for week in range(1, weeks + 1):
            share = Decimal(week - 1) / Decimal(weeks - 1) if weeks > 1 else Decimal(1)
            thresholds[(week, code)] = (first + (last - first) * share).quantize(Decimal("0.01"))
    return thresholds


@transaction.atomic
def ensure_default_plan(engagement, by=None) -> RampPlan:
    """The engagement's ramp plan, created with the seeds' defaults the first time it is asked for."""
    plan, created = RampPlan.objects.get_or_create(
        engagement=engagement, defaults={"weeks": DEFAULT_WEEKS, "updated_by": by}
    )
    if created:
        metrics = {m.code: m for m in Metric.objects.filter(code__in=DEFAULT_TARGETS)}
        RampTarget.objects.bulk_create(
            RampTarget(plan=plan, week=week, metric=metrics[code], threshold=threshold)
            for (week, code), threshold in default_thresholds(plan.weeks).items()
        )
    return plan


def _check_may_change(user, engagement) -> None:
    if not can_act_on(user, engagement, "change"):
        raise PermissionDenied("Only the engagement's managers change its ramp plan.")


@transaction.atomic
def save_plan(engagement, *, by, weeks: int, consecutive_weeks: int, thresholds: dict) -> RampPlan:
    """Replace the engagement's plan: N weeks, K, and {(week, metric code): threshold} (None or absent: no target
    that week). The final week must ask for something, since it is what ends the ramp."""
    _check_may_change(by, engagement)
    if not 1 <= weeks <= MAX_WEEKS:
        raise DomainError(f"A ramp plan runs 1 to {MAX_WEEKS} weeks.", field="weeks")
    if not 1 <= consecutive_weeks <= MAX_WEEKS:
        raise DomainError(f"K is 1 to {MAX_WEEKS} consecutive weeks.", field="consecutive_weeks")
    wanted = {(week, code): value for (week, code), value in thresholds.items() if value is not None}
    beyond = sorted({week for week, _ in wanted if not 1 <= week <= weeks})
    if beyond:
        raise DomainError(f"Week {beyond[0]} is outside the plan's {weeks} weeks.", field="weeks")
    metrics = {m.code: m for m in Metric.objects.filter(code__in={code for _, code in wanted})}
    unknown = sorted({code for _, code in wanted} - set(metrics))
    if unknown:
        raise DomainError(f"“{unknown[0]}” is not a metric of the SLA catalogue.", field="targets")
    if not any(week == weeks for week, _ in wanted):
        raise DomainError(
            f"Give week {weeks} (the final week) at least one target: meeting it ends the ramp.", field="targets"
        )
    lock_engagement(engagement)  # first in the lock order; one change of the engagement's plan at a time
    plan, _ = RampPlan.objects.get_or_create(engagement=engagement)
    plan.weeks, plan.consecutive_weeks, plan.updated_by = weeks, consecutive_weeks, by
    plan.save()
    plan.targets.all().delete()
    # One save per target (at most weeks × metrics rows), not bulk_create: each new target is in the audit log.
    for (week, code), value in sorted(wanted.items()):
        RampTarget.objects.create(plan=plan, week=week, metric=metrics[code], threshold=Decimal(value))
    return plan


@transaction.atomic
def delete_plan(plan, *, by) -> None:
    _check_may_change(by, plan.engagement)
    plan.delete()


def plan_for(engagement) -> RampPlan:
    """The engagement's plan, or the default one (saved on first use)."""
    plan = RampPlan.objects.filter(engagement=engagement).first()
    return plan or ensure_default_plan(engagement)


# --- Pure rules over a sequence of closed weeks ---------------------------------------------------------------------


def flag_weeks(statuses: list[str]) -> list[int]:
    """Ramp weeks (1-based) that flag the agent: the second of two missed weeks in a row, once per run of misses
    (a week without data breaks the run)."""
    return [
        index + 1
        for index in range(1, len(statuses))
        if statuses[index] == MISSED and statuses[index - 1] == MISSED and (index < 2 or statuses[index - 2] != MISSED)
    ]


def finished_week(final_statuses: list[str], k: int) -> int | None:
    """The first ramp week that completes K consecutive weeks on the final targets, or None."""
    run = 0
    for index, status in enumerate(final_statuses):
        run = run + 1 if status == MET else 0
        if run >= k:
            return index + 1
    return None


def trailing_run(final_statuses: list[str]) -> int:
    run = 0
    for status in reversed(final_statuses):
        if status != MET:
            break
        run += 1
    return run


def week_status(cells) -> str:
    statuses = [cell.status for cell in cells]
    if MISSED in statuses:
        return MISSED
    if NO_DATA in statuses:
        return NO_DATA
    return MET


# --- One agent's evaluation -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    target: RampTarget
    actual: Decimal | None
    status: str


@dataclass(frozen=True)
class Week:
    number: int
    start: date
    closed: bool
    cells: list[Cell]
    status: str  # met, missed, no_data, or so_far for the week under way
    final_status: str  # the same week judged on the final week's targets

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        return RampWeekStatus(self.status).label


@dataclass
class Evaluation:
    onboarding: Onboarding
    plan: RampPlan
    started_on: date | None
    weeks: list[Week] = field(default_factory=list)

    @property
    def closed(self) -> list[Week]:
        return [week for week in self.weeks if week.closed]

    @property
    def flags(self) -> list[int]:
        return flag_weeks([week.status for week in self.closed])

    @property
    def finished_week(self) -> int | None:
        return finished_week([week.final_status for week in self.closed], self.plan.consecutive_weeks)

    @property
    def met_run(self) -> int:
        if self.finished_week is not None:
            return self.plan.consecutive_weeks
        return min(trailing_run([week.final_status for week in self.closed]), self.plan.consecutive_weeks)

    @property
    def current_week(self) -> int:
        return len(self.weeks)

    @property
    def progress_percent(self) -> int:
        if self.finished_week is not None:
            return 100
        return min(100, round(100 * len(self.closed) / self.plan.weeks)) if self.plan.weeks else 0

    @property
    def metrics(self) -> list[Metric]:
        seen = {}
        for target in self.plan.targets.all():
            seen.setdefault(target.metric.code, target.metric)
        return sorted(seen.values(), key=lambda m: (m.sort_order, m.name))


def _local_date(moment, engagement) -> date:
    from zoneinfo import ZoneInfo

    return timezone.localtime(moment, ZoneInfo(engagement.practice.timezone)).date()


def ramp_entered_at(onboarding):
    """When the agent entered ramp: now in the stage, since `stage_entered_at`; else their last move into it."""
    if onboarding.stage == AgentStatus.RAMP:
        return onboarding.stage_entered_at
    change = onboarding.stage_changes.filter(to_stage=AgentStatus.RAMP).order_by("-changed_at").first()
    return change.changed_at if change else None


def ramp_start(onboarding) -> date | None:
    """Monday of ramp week 1: the week the agent entered ramp, in the practice's calendar."""
    entered = ramp_entered_at(onboarding)
    return period_start(_local_date(entered, onboarding.engagement), "week") if entered else None


def with_ramp_entry(queryset):
    """Onboardings annotated with `ramp_entered` (the rule of ramp_entered_at, in SQL, for lists)."""
    last_move = (
        StageChange.objects.filter(onboarding=OuterRef("pk"), to_stage=AgentStatus.RAMP)
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return queryset.annotate(
        ramp_entered=Case(
            When(stage=AgentStatus.RAMP, then=F("stage_entered_at")),
            default=Subquery(last_move),
            output_field=DateTimeField(),
        )
    )


def evaluate(onboarding, today: date | None = None, plan: RampPlan | None = None) -> Evaluation:
    """Targets against actuals for every week since the agent entered ramp (read-only). Actuals come from the SLA
    engine's weekly aggregation of the agent's own measurements (audits feed quality_score)."""
    engagement = onboarding.engagement
    plan = plan or plan_for(engagement)
    targets = list(plan.targets.select_related("metric"))
    start = ramp_start(onboarding)
    evaluation = Evaluation(onboarding, plan, start)
    if start is None:
        return evaluation
    today = today or local_today(engagement.practice.timezone)
    count = min(HORIZON_WEEKS, (period_start(today, "week") - start).days // 7 + 1)
    if count < 1 or not targets:
        return evaluation
    codes = sorted({target.metric.code for target in targets})
    values = agent_weekly_values(onboarding.agent_id, engagement, codes, weeks=count, today=today)
    actuals = {(code, item.week_start): item.value for code, series in values.items() for item in series}
    closed_before = engagement_closed_before(engagement, today)
    by_week: dict[int, list[RampTarget]] = {}
    for target in targets:
        by_week.setdefault(target.week, []).append(target)
    for number in range(1, count + 1):
        week_start = start + timedelta(weeks=number - 1)
        closed = week_start + timedelta(days=6) < closed_before
        own = _judge(by_week.get(min(number, plan.weeks), []), actuals, week_start)
        final = _judge(by_week.get(plan.weeks, []), actuals, week_start)
        evaluation.weeks.append(
            Week(
                number=number,
                start=week_start,
                closed=closed,
                cells=own,
                status=week_status(own) if closed else SO_FAR,
                final_status=week_status(final) if closed else SO_FAR,
            )
        )
    return evaluation


def _judge(targets, actuals, week_start) -> list[Cell]:
    cells = []
    for target in targets:
        actual = actuals.get((target.metric.code, week_start))
        status = NO_DATA if actual is None else (MET if target.is_met_by(actual) else MISSED)
        cells.append(Cell(target, actual, status))
    return cells


# --- Recording what the evaluation found ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    new_flags: list[int]
    finished_now: bool


def record_evaluation(onboarding, today: date | None = None) -> Recorded:
    """Store the evaluation: new coaching flags, the week the ramp ended (once), the run so far. Running it again
    changes nothing (the flag's and the result's constraints make a concurrent run harmless too)."""
    evaluation = evaluate(onboarding, today)
    if evaluation.started_on is None:
        return Recorded([], False)
    finished = evaluation.finished_week
    with transaction.atomic():
        lock_engagement(onboarding.engagement_id)  # first in the lock order; one evaluation of it at a time
        result, _ = RampResult.objects.get_or_create(
            onboarding=onboarding, defaults={"started_on": evaluation.started_on}
        )
        already_finished = result.finished_week is not None
        closed = evaluation.closed
        result.started_on = evaluation.started_on
        result.evaluated_at = timezone.now()
        result.closed_weeks = len(closed)
        result.met_run = evaluation.met_run
        result.last_status = closed[-1].status if closed else ""
        finished_now = False
        if finished is not None and not already_finished:
            result.finished_week, result.finished_at, finished_now = finished, timezone.now(), True
        result.save()
        last_counted = result.finished_week or len(closed)
        existing = set(onboarding.ramp_flags.values_list("week", flat=True))
        new_flags = [week for week in evaluation.flags if week <= last_counted and week not in existing]
        for week in list(new_flags):
            try:
                with transaction.atomic():
                    RampFlag.objects.create(onboarding=onboarding, week=week, reason=_flag_reason(evaluation, week))
            except IntegrityError:  # a concurrent run flagged it first
                new_flags.remove(week)
    if finished_now:
        _announce(onboarding, "ramp_finished")
    if new_flags:
        _announce(onboarding, "ramp_flagged")
    return Recorded(new_flags, finished_now)


def _flag_reason(evaluation: Evaluation, week: int) -> str:
    missed = [
        f"{cell.target.metric.name} {cell.actual} (target {cell.target.comparator} {cell.target.threshold})"
        for cell in evaluation.weeks[week - 1].cells
        if cell.status == MISSED
    ]
    return f"Off target in ramp weeks {week - 1} and {week}: " + "; ".join(missed)


def _announce(onboarding, cause: str) -> None:
    transaction.on_commit(
        lambda: prerequisites_changed.send(
            sender=SENDER, agent=onboarding.agent, engagement=onboarding.engagement, cause=cause
        )
    )


def evaluate_all(today: date | None = None) -> dict:
    """The nightly pass: every onboarding in ramp, re-evaluated. Returns counts of new flags and finishes."""
    flagged = finished = 0
    queryset = Onboarding.objects.filter(stage=AgentStatus.RAMP).select_related("agent", "engagement__practice")
    for onboarding in queryset.iterator(chunk_size=200):
        recorded = record_evaluation(onboarding, today)
        flagged += len(recorded.new_flags)
        finished += recorded.finished_now
    return {"flagged": flagged, "finished": finished}


# --- Reads for gates, lists and the cohort --------------------------------------------------------------------------


def live_gate(onboarding) -> list[str]:
    """The ramp's part of the rule for going live: the final week's targets met for K consecutive weeks."""
    result = RampResult.objects.filter(onboarding=onboarding).first()
    if result is not None and result.is_finished:
        return []
    evaluation = evaluate(onboarding)
    if evaluation.finished_week is not None:
        return []
    k = evaluation.plan.consecutive_weeks
    return [f"ramp targets not met for {k} consecutive weeks ({evaluation.met_run} of {k})"]


def speed_to_proficiency(engagement) -> Decimal | None:
    """Median weeks until the final targets were met for K consecutive weeks, across the engagement's agents who
    finished ramp; None when nobody has yet."""
    weeks = list(
        RampResult.objects.filter(onboarding__engagement=engagement, finished_week__isnull=False).values_list(
            "finished_week", flat=True
        )
    )
    return Decimal(str(statistics.median(weeks))) if weeks else None


def coaching_url(onboarding, user) -> str | None:
    """Where a manager suggests an action plan for the agent: the audits app's "Start an action plan" from the
    agent's latest scored audit on the engagement, else the agent's action plans. None for those who may not."""
    from audits.models import QualityAudit

    if not can_act_on(user, onboarding.engagement, "change"):
        return None
    audit = (
        QualityAudit.objects.for_user(user)
        .scored()
        .filter(engagement=onboarding.engagement, agent=onboarding.agent)
        .order_by("-interaction_date", "-pk")
        .first()
    )
    if audit is not None:
        return reverse("audits:action_plan_from_audit", args=[audit.pk])
    return f"{reverse('audits:action_plan_list')}?agent={onboarding.agent_id}"


def open_flag(onboarding) -> RampFlag | None:
    """The latest coaching flag, unless a met week or the finish came after it."""
    flag = onboarding.ramp_flags.order_by("-week").first()
    result = getattr(onboarding, "ramp_result", None) if flag else None
    if flag is None or (result is not None and result.is_finished):
        return None
    if result is not None and result.last_status == MET and result.closed_weeks > flag.week:
        return None
    return flag
