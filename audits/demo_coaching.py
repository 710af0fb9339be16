"""Demo data for calibration, coaching, sampling and recognition, added when seed_demo runs (demo_seeded).

On "Front desk 2026": a month of audits of its three agents so they fall into different bands (on target,
below the pass mark, critical fail), an action plan closed as effective and one open, a sampling policy with this
week's assignments (one already done), and a closed calibration session with its report. It uses the
engagement's published scorecard if it has one, else publishes a small front-office one of its own."""

from datetime import timedelta

from django.dispatch import receiver
from django.utils import timezone

from audits.choices import Scale
from audits.models import CalibrationSession, Criterion, ScorecardVersion
from audits.services import audits as audit_services
from audits.services import calibration, plans, sampling, scorecards
from engagements.signals import demo_seeded

ENGAGEMENT = "Front desk 2026"
SCORECARD = "Front office calls (coaching)"
CRITERIA = [
    ("Opening", "Greeting and identification", {"weight": 2}),
    ("Opening", "Empathy and tone", {"scale": Scale.ONE_TO_FIVE}),
    ("Compliance", "Two patient identifiers verified before disclosing anything", {"critical": True, "weight": 3}),
    ("Booking", "Correct appointment type and provider booked", {"weight": 2}),
    ("Booking", "Insurance captured", {"scale": Scale.POINTS, "max_points": 4, "allows_na": True}),
]


def _version(engagement, by):
    existing = ScorecardVersion.objects.published().filter(scorecard__engagement=engagement).order_by("-pk").first()
    if existing:
        return existing
    scorecard = scorecards.create_scorecard(engagement=engagement, name=SCORECARD, by=by, pass_mark=85)
    version = scorecard.versions.get()
    sections = {}
    for title, name, fields in CRITERIA:
        if title not in sections:
            sections[title] = scorecards.add_section(version, title=title, by=by)
        scorecards.save_criterion(Criterion(section=sections[title], name=name, **fields), by=by)
    return scorecards.publish_version(version, by=by)


def _ratings(version, quality: str) -> dict:
    """Ratings of every criterion: "good" full marks, "weak" below the pass mark, "critical" a critical fail."""
    result = {}
    for criterion in version.ordered_criteria():
        rule = criterion.rule()
        value = rule.maximum
        if quality == "weak" and not criterion.critical:
            value = max(rule.minimum, rule.maximum // 2)
        if quality == "critical" and criterion.critical:
            value = rule.minimum
        result[criterion.pk] = {"value": value}
    return result


def _audit(engagement, agent, version, by, days_ago: int, quality: str, today):
    audit = audit_services.create_audit(
        engagement=engagement,
        agent=agent,
        version=version,
        by=by,
        interaction_type="call",
        interaction_ref=f"CALL-{agent.employee_ref or agent.pk}-{days_ago:02d}",
        interaction_date=today - timedelta(days=days_ago),
        feedback="Demo audit. "
        + {
            "good": "A clean call.",
            "weak": "Rushed the booking.",
            "critical": "Disclosed before verifying two identifiers.",
        }[quality],
        ratings=_ratings(version, quality),
    )
    return audit_services.submit_audit(audit, by=by)


def _plan(engagement, audit, owner, today, follow_up_in: int):
    suggestion = plans.suggest_from_audit(audit)
    return plans.create_plan(
        engagement=engagement,
        agent=audit.agent,
        by=owner,
        title=suggestion.title,
        owner=owner,
        due_on=today + timedelta(days=max(follow_up_in, 0) + 3),
        follow_up_on=today + timedelta(days=follow_up_in),
        audits=[audit],
        items=suggestion.items,
    )


@receiver(demo_seeded, dispatch_uid="audits.demo_coaching")
def seed_coaching_demo(sender, engagements, managers, today, **kwargs) -> None:
    engagement = engagements.get(ENGAGEMENT)
    if engagement is None or CalibrationSession.objects.filter(engagement=engagement).exists():
        return  # absent, or already seeded
    practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
    today = sampling.today_of(engagement)
    version = _version(engagement, practice_manager)
    agents = list(engagement.assignments.select_related("agent").order_by("agent__employee_ref"))
    if len(agents) < 3:
        return
    steady, struggling, ramping = (a.agent for a in agents[:3])

    first_fail = _audit(engagement, steady, version, provider_manager, 35, "critical", today)
    for days_ago in (22, 15, 8, 3):
        _audit(
            engagement, steady, version, provider_manager if days_ago % 2 else practice_manager, days_ago, "good", today
        )
    weak = [_audit(engagement, struggling, version, provider_manager, d, "weak", today) for d in (18, 11, 4)]
    _audit(engagement, ramping, version, provider_manager, 10, "critical", today)
    _audit(engagement, ramping, version, provider_manager, 5, "good", today)

    _plan(engagement, first_fail, provider_manager, today, follow_up_in=0)
    sampling.save_policy(engagement, by=provider_manager)
    sampling.schedule_week(engagement)
    _audit(engagement, steady, version, provider_manager, 0, "good", today)  # the follow-up: closes the plan
    _plan(engagement, weak[-1], provider_manager, today, follow_up_in=7)

    session = calibration.create_session(
        engagement=engagement,
        version=version,
        title="Calibration: a rescheduling call",
        interaction_ref="CALL-CAL-5001",
        interaction_date=today - timedelta(days=2),
        deadline=timezone.now() + timedelta(days=2),
        expert=practice_manager,
        participants=[provider_manager],
        agent=struggling,
        by=practice_manager,
    )
    calibration.save_scores(session, by=practice_manager, ratings=_ratings(version, "weak"), submit=True)
    calibration.save_scores(session, by=provider_manager, ratings=_ratings(version, "good"), submit=True)
    return None  # quiet: seed_demo prints the same output on every run
