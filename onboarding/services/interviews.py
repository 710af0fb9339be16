"""Interview rules: the rounds a hiring profile asks for, scheduling a candidate's interview, each interviewer's
feedback, the round's decision and a provider manager's override.

Decisions, written down here because the issue leaves them open:
- A round is decided when every interviewer on its panel has given feedback. It passes when the average of all
  ratings (every skill of every interviewer, each rating weighing the same) meets the round's expected average and
  nobody said "not cleared"; otherwise it is not passed.
- An interviewer gives feedback once (one row each) and may revise it until the round is decided; after that it
  is the record and no longer changes. Feedback is taken only while the onboarding is at the interviewing stage.
- The next round can be scheduled only once the previous round has passed (decided or overridden).
- Only a manager of the engagement's provider overrides a round that did not pass, with a reason; the override
  keeps who and when, and the feedback stays as it was given.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import can_act_on, is_portal_admin, membership_of
from engagements.choices import AgentStatus, Role
from engagements.locking import lock_row
from engagements.services.webhooks import emit
from onboarding.choices import InterviewStatus
from onboarding.models import HiringProfile, Interview, InterviewFeedback, InterviewRound

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class DefaultRound:
    number: int
    name: str
    expected_skills: tuple[str, ...]
    expected_average: Decimal


DEFAULT_ROUNDS = (
    DefaultRound(1, "Communication and fit", ("Spoken English clarity", "Empathy", "Professionalism"), Decimal("3.50")),
    DefaultRound(
        2,
        "In depth: behavioural questions and the practice's scenarios",
        ("Problem solving", "Handling an upset patient", "Attention to detail"),
        Decimal("3.50"),
    ),
)


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if name == "__all__" else name) from None


def _require_manager(by, engagement) -> None:
    if not can_act_on(by, engagement, "change"):
        raise DomainError("Only the engagement's managers (either side) set interview rounds and schedule interviews.")


def _skills(skills) -> list[str]:
    names = [str(name).strip() for name in skills or [] if str(name).strip()]
    if not names:
        raise DomainError("Name at least one skill the interviewers rate.", field="expected_skills")
    if len({name.casefold() for name in names}) != len(names):
        raise DomainError("Each skill is named once.", field="expected_skills")
    return names


# --- Rounds ------------------------------------------------------------------------------------------------------


def profile_for(engagement) -> HiringProfile:
    profile, _ = HiringProfile.objects.get_or_create(engagement=engagement)
    return profile


@transaction.atomic
def ensure_default_rounds(profile) -> list[InterviewRound]:
    """The profile's rounds; a profile with none gets the two default rounds. Running it again changes nothing."""
    rounds = list(profile.interview_rounds.order_by("number"))
    if rounds:
        return rounds
    return [
        InterviewRound.objects.create(
            hiring_profile=profile,
            number=default.number,
            name=default.name,
            expected_skills=list(default.expected_skills),
            expected_average=default.expected_average,
        )
        for default in DEFAULT_ROUNDS
    ]


def rounds_required(engagement) -> list:
    """The rounds a candidate on this engagement must pass: its profile's, or the defaults when it has none."""
    profile = HiringProfile.objects.filter(engagement=engagement).first()
    rounds = list(profile.interview_rounds.order_by("number")) if profile else []
    return rounds or list(DEFAULT_ROUNDS)


@transaction.atomic
def create_round(*, engagement, by, number, name, expected_skills, expected_average) -> InterviewRound:
    _require_manager(by, engagement)
    profile = profile_for(engagement)
    round_ = InterviewRound(
        hiring_profile=profile,
        number=number,
        name=(name or "").strip(),
        expected_skills=_skills(expected_skills),
        expected_average=expected_average,
    )
    _clean(round_)
    round_.save()
    return round_


@transaction.atomic
def update_round(round_, *, by, **fields) -> InterviewRound:
    round_ = lock_row(
        InterviewRound, round_.pk, engagement="hiring_profile__engagement_id", related=("hiring_profile",)
    )
    _require_manager(by, round_.hiring_profile.engagement)
    if "expected_skills" in fields:
        fields["expected_skills"] = _skills(fields["expected_skills"])
    changes_the_bar = any(
        key in fields and fields[key] != getattr(round_, key) for key in ("expected_skills", "expected_average")
    )
    if changes_the_bar and round_.interviews.filter(feedback__isnull=False).exists():
        raise DomainError(
            "Interviewers have already rated candidates against this round's skills and expectation; add a new "
            "round instead of changing this one."
        )
    for key, value in fields.items():
        setattr(round_, key, value.strip() if isinstance(value, str) else value)
    _clean(round_)
    round_.save()
    return round_


@transaction.atomic
def delete_round(round_, *, by) -> None:
    _require_manager(by, round_.hiring_profile.engagement)
    if round_.interviews.exists():
        raise DomainError("Candidates have been interviewed in this round; it stays as their record.")
    round_.delete()


# --- Interviews ----------------------------------------------------------------------------------------------------


def eligible_interviewers(engagement):
    """The people who may interview for this engagement: active managers and staff of either side."""
    return (
        get_user_model()
        .objects.filter(
            Q(membership__practice_id=engagement.practice_id) | Q(membership__provider_id=engagement.provider_id),
            membership__role__in=[Role.MANAGER, Role.STAFF],
            is_active=True,
        )
        .order_by("first_name", "last_name", "email")
    )


def _require_interviewing(onboarding, doing: str) -> None:
    if onboarding.stage != AgentStatus.INTERVIEWING:
        raise DomainError(
            f"{onboarding.agent} is at the {onboarding.get_stage_display().lower()} stage; {doing} only while they "
            "are interviewing."
        )


def next_round(onboarding):
    """The first round of the profile this candidate has not passed, if every earlier one passed; else None."""
    passed = set(onboarding.interviews.filter(status=InterviewStatus.PASSED).values_list("round_id", flat=True))
    profile = HiringProfile.objects.filter(engagement_id=onboarding.engagement_id).first()
    for round_ in profile.interview_rounds.order_by("number") if profile else []:
        if round_.pk not in passed:
            return round_
    return None


@transaction.atomic
def schedule_interview(*, onboarding, round, scheduled_at, interviewers, by) -> Interview:
    """Put a candidate on a round's panel. Only the next open round: the previous must have passed."""
    _require_manager(by, onboarding.engagement)
    _require_interviewing(onboarding, "interviews are scheduled")
    if round.hiring_profile.engagement_id != onboarding.engagement_id:
        raise DomainError("That round belongs to another engagement's hiring profile.", field="round")
    earlier = InterviewRound.objects.filter(hiring_profile=round.hiring_profile, number__lt=round.number)
    not_passed = earlier.exclude(interviews__onboarding=onboarding, interviews__status=InterviewStatus.PASSED)
    if not_passed.exists():
        first = not_passed.order_by("number").first()
        raise DomainError(f"{first} has not passed yet; {round} opens once it has.", field="round")
    if Interview.objects.filter(onboarding=onboarding, round=round).exists():
        raise DomainError(f"{onboarding.agent} already has an interview in {round}.", field="round")
    panel = list(dict.fromkeys(interviewers))
    if not panel:
        raise DomainError("Choose at least one interviewer.", field="interviewers")
    allowed = set(eligible_interviewers(onboarding.engagement).values_list("pk", flat=True))
    outside = [user for user in panel if user.pk not in allowed]
    if outside:
        raise DomainError(
            f"{outside[0].get_full_name() or outside[0].email} is not an active member of either side of this "
            "engagement.",
            field="interviewers",
        )
    interview = Interview.objects.create(onboarding=onboarding, round=round, scheduled_at=scheduled_at, created_by=by)
    interview.interviewers.set(panel)
    return interview


# --- Feedback and the decision -----------------------------------------------------------------------------------


def average_of(ratings) -> Decimal:
    values = list(ratings)
    return (Decimal(sum(values)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _ratings(round_, ratings: dict) -> dict:
    expected = list(round_.expected_skills)
    given = {str(skill): value for skill, value in (ratings or {}).items()}
    unknown = [skill for skill in given if skill not in expected]
    if unknown:
        raise DomainError(f"{unknown[0]!r} is not one of this round's skills.", field="ratings")
    missing = [skill for skill in expected if given.get(skill) in (None, "")]
    if missing:
        raise DomainError(f"Rate {missing[0]} (1–5).", field="ratings")
    clean = {}
    for skill in expected:
        try:
            value = int(given[skill])
        except (TypeError, ValueError):
            raise DomainError(f"The rating of {skill} is a whole number from 1 to 5.", field="ratings") from None
        if not 1 <= value <= 5 or str(given[skill]).strip() not in (str(value), f"{value}.0"):
            raise DomainError(f"The rating of {skill} is a whole number from 1 to 5.", field="ratings")
        clean[skill] = value
    return clean


@transaction.atomic
def submit_feedback(*, interview, by, ratings: dict, notes: str = "", cleared: bool) -> InterviewFeedback:
    """An interviewer's feedback (a new one or a revision of their own); decides the round once it is complete."""
    interview = lock_row(
        Interview,
        interview.pk,
        engagement="onboarding__engagement_id",
        related=("round", "onboarding__agent", "onboarding__engagement"),
    )
    if not interview.interviewers.filter(pk=by.pk).exists():
        raise DomainError("Only the interviewers on this interview's panel give feedback on it.")
    _require_interviewing(interview.onboarding, "feedback is taken")
    if interview.is_decided:
        raise DomainError(f"{interview.round} has been decided; its feedback is the record now.")
    clean = _ratings(interview.round, ratings)
    feedback, _ = InterviewFeedback.objects.update_or_create(
        interview=interview,
        interviewer=by,
        defaults={
            "ratings": clean,
            "average": average_of(clean.values()),
            "notes": (notes or "").strip(),
            "cleared": bool(cleared),
            "submitted_at": timezone.now(),
        },
    )
    decide(interview)
    return feedback


def decide(interview, at=None) -> None:
    """Decide the round once every interviewer has given feedback (called inside submit_feedback's transaction)."""
    panel = set(interview.interviewers.values_list("pk", flat=True))
    feedback = list(interview.feedback.all())
    if not panel or panel - {f.interviewer_id for f in feedback}:
        return
    interview.average = average_of(value for f in feedback for value in f.ratings.values())
    vetoed = any(not f.cleared for f in feedback)
    meets = interview.average >= interview.round.expected_average
    interview.status = InterviewStatus.PASSED if meets and not vetoed else InterviewStatus.FAILED
    interview.decided_at = at or timezone.now()
    interview.save(update_fields=["average", "status", "decided_at"])
    _announce(interview)


def _announce(interview) -> None:
    onboarding = interview.onboarding
    emit(
        "interview.decided",
        onboarding.engagement,
        {
            "interview": interview.pk,
            "onboarding": onboarding.pk,
            "agent": onboarding.agent_id,
            "round": interview.round.number,
            "status": interview.status,
            "average": interview.average,
            "overridden": interview.is_overridden,
        },
    )


def may_override(user, engagement) -> bool:
    """A manager of the engagement's provider: they answer for whom they hire."""
    membership = membership_of(user)
    return bool(
        not is_portal_admin(user)
        and membership
        and membership.role == Role.MANAGER
        and membership.provider_id == engagement.provider_id
        and user.is_active
    )


@transaction.atomic
def override(*, interview, by, reason: str) -> Interview:
    """Pass a round that did not pass, on a provider manager's word and reason (kept with who and when)."""
    interview = lock_row(
        Interview, interview.pk, engagement="onboarding__engagement_id", related=("onboarding__engagement", "round")
    )
    if not may_override(by, interview.onboarding.engagement):
        raise DomainError("Only a manager of the engagement's provider overrides an interview round.")
    if interview.status != InterviewStatus.FAILED:
        raise DomainError("Only a round that was decided as not passed can be overridden.")
    _require_interviewing(interview.onboarding, "interview rounds are overridden")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the round should pass despite its feedback.", field="reason")
    interview.status = InterviewStatus.PASSED
    interview.override_reason = reason
    interview.overridden_by = by
    interview.overridden_at = timezone.now()
    interview.save(update_fields=["status", "override_reason", "overridden_by", "overridden_at"])
    _announce(interview)
    return interview


PAST_STAGES = (AgentStatus.TRAINING, AgentStatus.RAMP, AgentStatus.LIVE)


@transaction.atomic
def record_past_interview(*, onboarding, round, interviewers, feedback: dict, held_at, by) -> Interview:
    """Record an interview held before the portal kept interviews (an agent already past interviewing): the panel
    and each interviewer's feedback ({user: {"ratings": …, "notes": …, "cleared": …}}), decided by the same rule."""
    _require_manager(by, onboarding.engagement)
    if onboarding.stage not in PAST_STAGES:
        raise DomainError("Record past interviews only for agents already past interviewing; schedule the others.")
    if round.hiring_profile.engagement_id != onboarding.engagement_id:
        raise DomainError("That round belongs to another engagement's hiring profile.", field="round")
    if Interview.objects.filter(onboarding=onboarding, round=round).exists():
        raise DomainError(f"{onboarding.agent} already has an interview in {round}.", field="round")
    interview = Interview.objects.create(onboarding=onboarding, round=round, scheduled_at=held_at, created_by=by)
    interview.interviewers.set(interviewers)
    for user, given in feedback.items():
        clean = _ratings(round, given["ratings"])
        InterviewFeedback.objects.create(
            interview=interview,
            interviewer=user,
            ratings=clean,
            average=average_of(clean.values()),
            notes=given.get("notes", ""),
            cleared=given["cleared"],
            submitted_at=held_at,
        )
    decide(interview, at=held_at)
    return interview


# --- What other parts read -----------------------------------------------------------------------------------------


def missing_rounds(onboarding) -> list[str]:
    """The stage gate to training: every round of the engagement's hiring profile passed."""
    passed = set(onboarding.interviews.filter(status=InterviewStatus.PASSED).values_list("round_id", flat=True))
    return [
        f"Interview round {round_.number} ({round_.name}) not passed yet."
        for round_ in rounds_required(onboarding.engagement)
        if not (isinstance(round_, InterviewRound) and round_.pk in passed)
    ]
