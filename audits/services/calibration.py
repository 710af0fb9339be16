"""Calibration sessions: a panel scores one interaction blind against an expert; the report measures the gap.

- Each participant's ratings are theirs alone until they submit (the queryset rule in
  audits.models.calibration.may_see_scores_filter, used by the UI and the API alike).
- A session closes at its deadline, or as soon as every panel member has submitted.
- The report, per criterion: each auditor's fraction against the expert's and the spread (max − min); per
  auditor: the mean absolute deviation of their criterion fractions from the expert's and their signed bias
  (negative = harsher than the expert, positive = kinder); for the panel: Krippendorff's alpha (ordinal), from
  the `krippendorff` package.
- Two-sided calibration: per engagement, the practice's auditors against the provider's on the same interactions.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from statistics import mean

import krippendorff
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone

from audits import access, scoring
from audits.choices import AuditStatus, CalibrationStatus, InteractionType
from audits.models import CalibrationParticipant, CalibrationRating, CalibrationSession, QualityAudit
from bpo_portal.errors import DomainError
from engagements.access import can_act_on, membership_of
from engagements.locking import lock_row
from engagements.models import AgentAssignment

BIAS_TOLERANCE = 0.05  # within ±5 points of the expert on average reads as "in line"


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if name == "__all__" else name) from None


def _panel_side(user, engagement) -> str:
    """The side a panel member audits for; they must be an auditor (a manager) of the engagement."""
    membership = membership_of(user)
    if membership is None or membership.is_agent or not access.may_audit(user, engagement):
        raise DomainError(f"User #{user.pk} does not audit this engagement.", field="participants")
    if membership.role == "integration":
        raise DomainError("A calibration panel is people, not integrations.", field="participants")
    return membership.side


@transaction.atomic
def create_session(
    *,
    engagement,
    version,
    title: str,
    interaction_ref: str,
    interaction_date,
    deadline: datetime,
    expert,
    participants,
    by,
    interaction_type: str = InteractionType.CALL,
    agent=None,
    notes: str = "",
) -> CalibrationSession:
    """Open a session on a published version of one of the engagement's scorecards (either side's managers)."""
    if not can_act_on(by, engagement, "change"):
        raise DomainError("Only the engagement's managers (either side) run calibration sessions.")
    if version.scorecard.engagement_id != engagement.pk:
        raise DomainError("That scorecard belongs to another engagement.", field="version")
    if not version.is_published:
        raise DomainError("Calibrate on a published scorecard version.", field="version")
    if agent is not None and not AgentAssignment.objects.filter(engagement=engagement, agent=agent).exists():
        raise DomainError(f"{agent} is not assigned to this engagement.", field="agent")
    if deadline <= timezone.now():
        raise DomainError("The deadline must be in the future.", field="deadline")
    panel = [user for user in dict.fromkeys(participants) if user.pk != expert.pk]
    if not panel:
        raise DomainError("Add at least one participant besides the expert.", field="participants")
    session = CalibrationSession(
        engagement=engagement,
        version=version,
        title=title,
        interaction_type=interaction_type,
        interaction_ref=interaction_ref,
        interaction_date=interaction_date,
        agent=agent,
        notes=notes,
        deadline=deadline,
        created_by=by,
    )
    _clean(session, exclude=["engagement", "version", "agent", "created_by"])
    session.save()
    CalibrationParticipant.objects.create(
        session=session, user=expert, side=_panel_side(expert, engagement), is_expert=True
    )
    for user in panel:
        CalibrationParticipant.objects.create(session=session, user=user, side=_panel_side(user, engagement))
    return session


def _locked_participant(session, by) -> CalibrationParticipant:
    participant_pk = (
        CalibrationParticipant.objects.filter(session_id=session.pk, user=by).values_list("pk", flat=True).first()
    )
    if participant_pk is None:
        raise DomainError("You are not on this session's panel.")
    # The engagement, then the session (closing it waits for a submission under way), then the panel member's row.
    lock_row(CalibrationSession, session.pk, engagement="engagement_id")
    participant = lock_row(
        CalibrationParticipant,
        participant_pk,
        engagement="session__engagement_id",
        related=("session__version", "session__engagement"),
    )
    if participant.session.is_closed:
        raise DomainError("This session has closed; scores can no longer change.")
    if participant.has_submitted:
        raise DomainError("You have submitted your scores; they are final.")
    return participant


def _rating(row) -> scoring.Rating:
    return scoring.Rating(value=row.value, na=row.na)


@transaction.atomic
def save_scores(session: CalibrationSession, *, by, ratings: dict, submit: bool = False) -> CalibrationParticipant:
    """Save the caller's own ratings ({criterion id: {value, na, comment}}); `submit` scores them for good. The
    session closes when the last panel member submits."""
    participant = _locked_participant(session, by)
    version = participant.session.version
    criteria = {c.pk: c for c in version.ordered_criteria()}
    existing = {r.criterion_id: r for r in participant.ratings.all()}
    for raw_id, rating in (ratings or {}).items():
        criterion = criteria.get(int(raw_id))
        if criterion is None:
            raise DomainError(f"Criterion {raw_id} is not on this session's scorecard version.", field="ratings")
        row = existing.get(criterion.pk) or CalibrationRating(participant=participant, criterion=criterion)
        row.value, row.na = rating.get("value"), bool(rating.get("na", False))
        row.comment = rating.get("comment", row.comment) or ""
        if row.value is not None or row.na:
            problem = scoring.rating_problem(criterion.rule(), _rating(row))
            if problem:
                raise DomainError(f"{criterion.name}: {problem}", field="ratings")
        row.save()
        existing[criterion.pk] = row
    if submit:
        items = [(c.rule(), _rating(existing[c.pk]) if c.pk in existing else None) for c in criteria.values()]
        result = scoring.score(items, version.pass_mark)
        participant.score, participant.score_before_critical = result.score, result.score_before_critical
        participant.passed, participant.critical_failed = result.passed, result.critical_failed
        participant.submitted_at = timezone.now()
        participant.save()
        if not participant.session.participants.filter(submitted_at__isnull=True).exists():
            _close(participant.session)
    return participant


def _close(session: CalibrationSession) -> None:
    CalibrationSession.objects.filter(pk=session.pk, status=CalibrationStatus.OPEN).update(
        status=CalibrationStatus.CLOSED, closed_at=timezone.now()
    )
    session.refresh_from_db(fields=["status", "closed_at"])


@transaction.atomic
def close_session(session: CalibrationSession, *, by) -> CalibrationSession:
    """Close a session early (either side's managers): whoever has not submitted is left out of the report."""
    if not can_act_on(by, session.engagement, "change"):
        raise DomainError("Only the engagement's managers can close a calibration session.")
    if session.status == CalibrationStatus.CLOSED:
        raise DomainError("This session is already closed.")
    _close(session)
    return session


def close_due_sessions(now=None) -> int:
    """The beat job: close every open session whose deadline has passed. Safe to run twice."""
    return CalibrationSession.objects.due_to_close(now).update(
        status=CalibrationStatus.CLOSED, closed_at=now or timezone.now()
    )


# --- The report -------------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    participant: CalibrationParticipant
    value: int | None
    na: bool
    fraction: float | None
    deviation: float | None  # fraction − the expert's fraction


@dataclass
class CriterionRow:
    criterion: object
    expert: Cell | None
    cells: list = field(default_factory=list)

    @property
    def spread(self) -> float | None:
        fractions = [c.fraction for c in self.cells if c.fraction is not None]
        return round(max(fractions) - min(fractions), 4) if len(fractions) > 1 else None


@dataclass
class AuditorRow:
    participant: CalibrationParticipant
    mean_absolute_deviation: float | None
    bias: float | None
    compared: int

    @property
    def tendency(self) -> str:
        if self.bias is None:
            return ""
        if self.bias < -BIAS_TOLERANCE:
            return "harsher"
        if self.bias > BIAS_TOLERANCE:
            return "kinder"
        return "in line"


@dataclass
class Report:
    session: CalibrationSession
    criteria: list
    auditors: list
    alpha: float | None
    submitted: int
    panel: int


def _fraction(criterion, row) -> float | None:
    if row is None or row.na or row.value is None:
        return None
    return float(scoring.fraction(criterion.rule(), row.value))


def deviations(pairs) -> tuple[float | None, float | None, int]:
    """(mean absolute deviation, signed bias, how many criteria compared) from (fraction, expert fraction) pairs;
    criteria where either side is N/A are left out."""
    diffs = [f - e for f, e in pairs if f is not None and e is not None]
    if not diffs:
        return None, None, 0
    return round(mean(abs(d) for d in diffs), 4), round(mean(diffs), 4), len(diffs)


def panel_alpha(matrix: list[list[float | None]]) -> float | None:
    """Krippendorff's alpha (ordinal) of a panel: one row per auditor, one column per criterion, None for N/A.
    None when it is undefined (fewer than two auditors, or no variation to speak of)."""
    if len(matrix) < 2 or not matrix[0]:
        return None
    data = [[float("nan") if v is None else v for v in row] for row in matrix]
    try:
        value = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal")
    except ValueError:  # one value in the whole domain: agreement is trivial, alpha undefined
        return None
    return None if value != value else round(float(value), 4)  # NaN → None


def report(session: CalibrationSession) -> Report:
    """The session's report over the panel members who submitted. Callers show it only to those the blind rule
    lets see every score (see may_see_report)."""
    criteria = list(session.version.ordered_criteria())
    participants = list(
        session.participants.filter(submitted_at__isnull=False).select_related("user").prefetch_related("ratings")
    )
    ratings = {p.pk: {r.criterion_id: r for r in p.ratings.all()} for p in participants}
    expert = next((p for p in participants if p.is_expert), None)
    rows = []
    for criterion in criteria:
        expert_fraction = _fraction(criterion, ratings[expert.pk].get(criterion.pk)) if expert else None
        cells = []
        for p in participants:
            row = ratings[p.pk].get(criterion.pk)
            f = _fraction(criterion, row)
            deviation = None if p.is_expert or f is None or expert_fraction is None else round(f - expert_fraction, 4)
            cells.append(Cell(p, row.value if row else None, bool(row and row.na), f, deviation))
        rows.append(CriterionRow(criterion, next((c for c in cells if c.participant.is_expert), None), cells))
    auditors = []
    for p in participants:
        if p.is_expert:
            continue
        pairs = [(_cell(row, p).fraction, row.expert.fraction if row.expert else None) for row in rows]
        mad, bias, compared = deviations(pairs)
        auditors.append(AuditorRow(p, mad, bias, compared))
    matrix = [[_cell(row, p).fraction for row in rows] for p in participants]
    return Report(session, rows, auditors, panel_alpha(matrix), len(participants), session.participants.count())


def _cell(row: CriterionRow, participant) -> Cell:
    return next(c for c in row.cells if c.participant.pk == participant.pk)


def may_see_report(session: CalibrationSession, user) -> bool:
    """The report shows every score: once the session has closed, or to a panel member who has submitted."""
    if session.is_closed:
        return True
    return session.participants.filter(user=user, submitted_at__isnull=False).exists()


# --- An auditor's history and the two-sided report ------------------------------------------------------------------


@dataclass
class HistoryRow:
    session: CalibrationSession
    participant: CalibrationParticipant
    mean_absolute_deviation: float | None
    bias: float | None


def auditor_history(auditor, sessions) -> list[HistoryRow]:
    """The auditor's deviation from the expert in each closed session of `sessions` (oldest first), in three
    queries whatever the number of sessions."""
    closed = sessions.filter(status=CalibrationStatus.CLOSED, participants__user=auditor).distinct()
    mine = list(
        CalibrationParticipant.objects.filter(session__in=closed, user=auditor, submitted_at__isnull=False)
        .select_related("session")
        .order_by("session__closed_at", "session__pk")
    )
    session_ids = [p.session_id for p in mine]
    ratings = CalibrationRating.objects.filter(
        participant__session_id__in=session_ids, participant__submitted_at__isnull=False
    ).select_related("criterion", "participant")
    by_session: dict = {}
    for rating in ratings:
        if rating.participant.is_expert or rating.participant.user_id == auditor.pk:
            role = "expert" if rating.participant.is_expert else "me"
            by_session.setdefault(rating.participant.session_id, {}).setdefault(role, {})[rating.criterion_id] = rating
    rows = []
    for p in mine:
        found = by_session.get(p.session_id, {})
        expert, me = found.get("expert", {}), found.get("me", {})
        pairs = [
            (_fraction(r.criterion, r), _fraction(expert[cid].criterion, expert[cid]) if cid in expert else None)
            for cid, r in me.items()
        ]
        mad, bias, _ = deviations(pairs) if not p.is_expert else (None, None, 0)
        rows.append(HistoryRow(p.session, p, mad, bias))
    return rows


@dataclass
class SideGap:
    label: str  # a session's title or an interaction reference
    date: object
    practice: Decimal | None
    provider: Decimal | None
    source: str  # "calibration" or "audits"
    url: str = ""

    @property
    def gap(self) -> Decimal | None:
        """Provider minus practice: above 0, the provider grades more generously than the practice."""
        if self.practice is None or self.provider is None:
            return None
        return (self.provider - self.practice).quantize(Decimal("0.01"))


@dataclass
class TwoSidedReport:
    rows: list

    @property
    def mean_gap(self) -> Decimal | None:
        gaps = [row.gap for row in self.rows if row.gap is not None]
        return (sum(gaps) / len(gaps)).quantize(Decimal("0.01")) if gaps else None

    @property
    def compared(self) -> int:
        return sum(1 for row in self.rows if row.gap is not None)


def two_sided_report(engagement, limit: int = 100) -> TwoSidedReport:
    """The practice's auditors against the provider's on the same interactions: each closed calibration session
    (mean score of each side's panel members), and each interaction both sides audited in ordinary audits."""
    rows = []
    sessions = CalibrationSession.objects.filter(engagement=engagement, status=CalibrationStatus.CLOSED)
    means = (
        CalibrationParticipant.objects.filter(session__in=sessions, submitted_at__isnull=False)
        .values("session_id", "side")
        .annotate(score=Avg("score"))
        .order_by()
    )
    by_session: dict = {}
    for row in means:
        by_session.setdefault(row["session_id"], {})[row["side"]] = Decimal(row["score"]).quantize(Decimal("0.01"))
    for session in sessions.order_by("-closed_at")[:limit]:
        sides = by_session.get(session.pk, {})
        rows.append(
            SideGap(
                session.title,
                session.interaction_date,
                sides.get("practice"),
                sides.get("provider"),
                "calibration",
                session.get_absolute_url(),
            )
        )
    audits = (
        QualityAudit.objects.filter(engagement=engagement, is_calibration=False, status__in=AuditStatus.scored())
        .values("interaction_ref", "auditor_side")
        .annotate(score=Avg("score"))
        .order_by()
    )
    pairs: dict = {}
    for row in audits:
        pairs.setdefault(row["interaction_ref"], {})[row["auditor_side"]] = Decimal(row["score"]).quantize(
            Decimal("0.01")
        )
    for ref, sides in sorted(pairs.items())[:limit]:
        if len(sides) == 2:
            rows.append(SideGap(ref, None, sides["practice"], sides["provider"], "audits"))
    return TwoSidedReport(rows)
