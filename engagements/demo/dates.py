"""Date the demo's history when it would have happened, relative to the day the seed runs.

The services stamp every row with the moment they run, so a freshly seeded demo would show an engagement
"opened today" whose contract was signed months ago. After everything is created, this re-dates the rows the run
made (those stamped since it started, so a second run touches nothing) along each engagement's own story:

    opened ──30 d── contracting ── contract signed ── contract starts: transitioning ── first go: steady

Due-diligence work falls inside vetting, assignments on the transition's start, recorded checkpoints on their
due dates, notifications spread over the months of data, and the change history's entries keep their order
between those moments. Only timestamps change; no rule is bypassed, because no state changes.
"""

from datetime import UTC, date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.db.models import Min
from django.utils import timezone

from engagements.choices import EngagementStatus
from engagements.history import engagement_log
from engagements.models import (
    AgentAssignment,
    ChangeRequest,
    Checkpoint,
    Contract,
    DueDiligenceDecisionRecord,
    DueDiligenceReview,
    Engagement,
    EngagementStatusChange,
    GateDecision,
    Notification,
)

VETTING_DAYS = 30
NOTIFICATION_MONTHS = 4  # notifications are spread over about the months the SLA demo has data for


def backdate(engagements: dict[str, Engagement], since: datetime, today: date) -> None:
    now = timezone.now()
    for engagement in engagements.values():
        story = Story(engagement, today, now)
        _date_engagement(engagement, story, since)
        _date_log(engagement, story, since, now)
    _spread_notifications(engagements.values(), since, now)


class Story:
    """The moments an engagement's history hangs on, worked out from the dates the demo gave its contract."""

    def __init__(self, engagement: Engagement, today: date, now: datetime):
        self.now = now
        contract = Contract.objects.filter(engagement=engagement).first()
        tz = engagement.practice.timezone
        if contract is not None:
            # a contract the demo signs in the future is still being negotiated: vetting ended a fortnight ago
            signed = min(contract.signed_on or contract.starts_on, today + timedelta(days=VETTING_DAYS + 31))
            opened = signed - timedelta(days=VETTING_DAYS + 45)
            go = GateDecision.objects.filter(phase__engagement=engagement).aggregate(first=Min("phase__actual_end"))
            steady = go["first"] or contract.starts_on + timedelta(days=120)
            self.days = {
                EngagementStatus.VETTING: opened,
                EngagementStatus.CONTRACTING: opened + timedelta(days=VETTING_DAYS),
                EngagementStatus.TRANSITIONING: min(contract.starts_on, today),
                EngagementStatus.STEADY: min(steady, today - timedelta(days=14)),
                EngagementStatus.OFFBOARDING: today - timedelta(days=20),
                EngagementStatus.ENDED: today - timedelta(days=5),
            }
        else:
            opened = today - timedelta(days=45 if engagement.status != EngagementStatus.VETTING else 21)
            self.days = {
                EngagementStatus.VETTING: opened,
                EngagementStatus.CONTRACTING: opened + timedelta(days=21),
                EngagementStatus.ENDED: today - timedelta(days=5),
            }
        self.tz = tz
        self.contract = contract

    def at(self, day: date, hour: int = 10) -> datetime:
        moment = datetime.combine(day, time(hour), tzinfo=UTC)
        return min(moment, self.now - timedelta(minutes=5))

    def of(self, status: str, hour: int = 10) -> datetime:
        day = self.days.get(status, self.days[EngagementStatus.VETTING])
        return self.at(day, hour)

    @property
    def opened(self) -> datetime:
        return self.of(EngagementStatus.VETTING, 9)


def _date_engagement(engagement, story: Story, since) -> None:
    Engagement.objects.filter(pk=engagement.pk, created_at__gte=since).update(created_at=story.opened)
    for change in EngagementStatusChange.objects.filter(engagement=engagement, changed_at__gte=since):
        hour = 9 if change.to_status == EngagementStatus.VETTING else 15
        EngagementStatusChange.objects.filter(pk=change.pk).update(changed_at=story.of(change.to_status, hour))
    vetting = story.days[EngagementStatus.VETTING]
    reviews = DueDiligenceReview.objects.filter(engagement=engagement, created_at__gte=since)
    reviews.exclude(decided_at=None).update(decided_at=story.at(vetting + timedelta(days=VETTING_DAYS - 2), 16))
    reviews.update(created_at=story.at(vetting + timedelta(days=3)))  # last: the filter reads created_at
    DueDiligenceDecisionRecord.objects.filter(review__engagement=engagement, decided_at__gte=since).update(
        decided_at=story.at(vetting + timedelta(days=VETTING_DAYS - 2), 16)
    )
    assigned = story.days.get(EngagementStatus.TRANSITIONING, story.days[EngagementStatus.CONTRACTING])
    AgentAssignment.objects.filter(engagement=engagement, assigned_on=timezone.localdate(story.now)).update(
        assigned_on=min(assigned, timezone.localdate(story.now))
    )
    for checkpoint in Checkpoint.objects.filter(contract__engagement=engagement, recorded_at__gte=since):
        Checkpoint.objects.filter(pk=checkpoint.pk).update(recorded_at=story.at(checkpoint.due_on, 14))
    if story.contract is not None:
        _date_change_requests(engagement, story, since)


def _date_change_requests(engagement, story: Story, since) -> None:
    """Change requests come after the transition started, a fortnight apart, each decided three days later."""
    start = story.days.get(EngagementStatus.TRANSITIONING, story.contract.starts_on)
    requests = ChangeRequest.objects.filter(contract__engagement=engagement, proposed_at__gte=since).order_by("pk")
    latest = timezone.localdate(story.now) - timedelta(days=10)
    for number, request in enumerate(requests):
        proposed = min(start + timedelta(days=45 + 14 * number), latest)
        fields = {"proposed_at": story.at(proposed, 11)}
        if request.decided_at:
            fields["decided_at"] = story.at(proposed + timedelta(days=3), 15)
        ChangeRequest.objects.filter(pk=request.pk).update(**fields)


def _date_log(engagement, story: Story, since, now) -> None:
    """The change history keeps its order; its status changes sit on the stage dates, the rest between them."""
    entries = list(engagement_log(engagement).filter(timestamp__gte=since).order_by("timestamp", "pk"))
    if not entries:
        return
    statuses = iter(
        EngagementStatusChange.objects.filter(engagement=engagement).exclude(to_status=EngagementStatus.VETTING)
        .order_by("pk").values_list("changed_at", flat=True)
    )  # fmt: skip
    anchors = {}
    for index, entry in enumerate(entries):
        if entry.content_type.model == "engagement":
            if entry.action == LogEntry.Action.CREATE:
                anchors[index] = story.opened
            elif "status" in (entry.changes_dict or {}):
                anchors[index] = next(statuses, None)
    anchors = {index: moment for index, moment in anchors.items() if moment is not None}
    anchors.setdefault(0, story.opened)
    anchors[len(entries)] = now - timedelta(minutes=5)
    _interpolate(entries, anchors)


def _interpolate(entries, anchors: dict[int, datetime]) -> None:
    points = sorted(anchors.items())
    for (start, begins), (end, ends) in zip(points, points[1:], strict=False):
        ends = max(ends, begins)
        for index in range(start, min(end, len(entries))):
            share = (index - start) / max(end - start, 1)
            moment = begins + (ends - begins) * share if index not in anchors else anchors[index]
            LogEntry.objects.filter(pk=entries[index].pk).update(timestamp=moment)


def _spread_notifications(engagements, since, now) -> None:
    """Notifications the run sent, in the order they were sent, over the last months."""
    notifications = list(
        Notification.objects.filter(engagement__in=list(engagements), created_at__gte=since).order_by("pk")
    )
    first = now - timedelta(days=30 * NOTIFICATION_MONTHS)
    step = (now - timedelta(hours=2) - first) / max(len(notifications), 1)
    for number, notification in enumerate(notifications):
        Notification.objects.filter(pk=notification.pk).update(created_at=first + step * number)
