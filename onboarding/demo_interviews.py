"""Demo data of the interviews area (see onboarding/demo.py): the default rounds on "Front desk 2026", passed rounds
for the agents already past interviewing, one candidate with round 1 passed and round 2 scheduled with a
practice-side interviewer, and one who did not pass round 1 (an interviewer said not cleared)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from engagements.choices import AgentStatus, Role
from engagements.models import Engagement
from onboarding.models import HiringProfile, Interview, Onboarding
from onboarding.services import interviews as svc

ENGAGEMENT = "Front desk 2026"


def _person(email, engagement, side_field, role):
    users = get_user_model().objects
    user = users.filter(email=email, is_active=True).first()
    side = {f"membership__{side_field}": getattr(engagement, side_field)}
    return user or users.filter(**side, membership__role=role, is_active=True).first()


def _onboardings(context, engagement) -> list:
    given = context.get("onboardings")
    rows = list(given.values()) if isinstance(given, dict) else list(given or [])
    rows = [row for row in rows if isinstance(row, Onboarding) and row.engagement_id == engagement.pk]
    if rows:
        return rows
    # The pipeline's demo makes the onboardings; seeded on its own, this area works with those already there.
    return list(Onboarding.objects.filter(engagement=engagement).select_related("agent"))


def _feedback(round_, people, value, cleared=True, notes=""):
    return {
        user: {"ratings": dict.fromkeys(round_.expected_skills, value), "cleared": cleared, "notes": notes}
        for user in people
    }


def seed(context: dict) -> None:
    engagement = Engagement.objects.filter(name=ENGAGEMENT).select_related("practice", "provider").first()
    if engagement is None:
        return
    rounds = svc.ensure_default_rounds(HiringProfile.objects.get_or_create(engagement=engagement)[0])
    round1, round2 = rounds[0], rounds[1]
    provider_manager = _person("manager@clearview.example", engagement, "provider", Role.MANAGER)
    provider_staff = _person("staff@clearview.example", engagement, "provider", Role.STAFF) or provider_manager
    practice_manager = _person("manager@riverside.example", engagement, "practice", Role.MANAGER)
    if provider_manager is None or practice_manager is None:
        return
    now = timezone.now()
    onboardings = _onboardings(context, engagement)
    done = set(Interview.objects.filter(onboarding__in=onboardings).values_list("onboarding_id", "round_id"))

    past = [o for o in onboardings if o.stage in svc.PAST_STAGES]
    for index, onboarding in enumerate(past):
        held = onboarding.stage_entered_at - timedelta(days=14)
        for round_, days in ((round1, 7), (round2, 0)):
            if (onboarding.pk, round_.pk) not in done:
                svc.record_past_interview(
                    onboarding=onboarding,
                    round=round_,
                    interviewers=[provider_manager, practice_manager],
                    feedback=_feedback(round_, [provider_manager, practice_manager], 4 + (index + days) % 2),
                    held_at=held - timedelta(days=days),
                    by=provider_manager,
                )

    interviewing = [o for o in onboardings if o.stage == AgentStatus.INTERVIEWING]
    result = {"rounds": rounds}
    if interviewing and (interviewing[0].pk, round1.pk) not in done:
        moving_on = interviewing[0]
        first = svc.schedule_interview(
            onboarding=moving_on,
            round=round1,
            scheduled_at=now - timedelta(days=3),
            interviewers=[provider_manager, provider_staff],
            by=provider_manager,
        )
        svc.submit_feedback(
            interview=first,
            by=provider_manager,
            ratings=dict.fromkeys(round1.expected_skills, 4),
            notes="Clear, warm phone manner; good questions about the practice.",
            cleared=True,
        )
        if provider_staff != provider_manager:
            svc.submit_feedback(
                interview=first,
                by=provider_staff,
                ratings=dict.fromkeys(round1.expected_skills, 4),
                notes="Professional; spoke slowly and clearly.",
                cleared=True,
            )
        result["scheduled"] = svc.schedule_interview(
            onboarding=moving_on,
            round=round2,
            scheduled_at=now + timedelta(days=2),
            interviewers=[practice_manager, provider_manager],
            by=provider_manager,
        )
    if len(interviewing) > 1 and (interviewing[1].pk, round1.pk) not in done:
        failing = interviewing[1]
        interview = svc.schedule_interview(
            onboarding=failing,
            round=round1,
            scheduled_at=now - timedelta(days=5),
            interviewers=[provider_manager, practice_manager],
            by=provider_manager,
        )
        svc.submit_feedback(
            interview=interview,
            by=provider_manager,
            ratings=dict.fromkeys(round1.expected_skills, 3),
            notes="Hesitant on the phone.",
            cleared=True,
        )
        svc.submit_feedback(
            interview=interview,
            by=practice_manager,
            ratings=dict.fromkeys(round1.expected_skills, 2),
            notes="Hard to follow; talked over the caller twice in the role play.",
            cleared=False,
        )
        result["failed"] = interview
    context["interviews"] = result
