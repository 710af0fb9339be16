"""Demo data of the vetting area (see onboarding/demo.py): the "Front desk 2026" hiring profile, every cohort
member's assessment results (one failed typing test among them, whose candidate is then offboarded), and a valid
typing-test link for the candidate in vetting — its URL in `context["typing_link_url"]`."""

import hashlib
import hmac
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from audits.models import ScorecardVersion
from engagements.choices import AgentStatus
from engagements.models.people import hash_secret
from onboarding import demo_pipeline
from onboarding.choices import AssessmentKind, CEFRLevel
from onboarding.services import vetting

# employee ref → results: (kind, test name, days ago, fields)
PASSING = [
    (AssessmentKind.ENGLISH, "EF SET", {"raw_score": Decimal("68")}),
    (AssessmentKind.TYPING, "Portal typing test", {"net_wpm": Decimal("48"), "accuracy": Decimal("97.5")}),
    (AssessmentKind.COGNITIVE, "Wonderlic", {"raw_score": Decimal("72")}),
    (AssessmentKind.BEHAVIOURAL, "Front-office profile", {"raw_score": Decimal("81")}),
]
RESULTS = {
    "CV-1006": PASSING[:1] + PASSING[2:3],  # in vetting: English and cognitive passed, typing still to take
    "CV-1008": [
        (AssessmentKind.ENGLISH, "EF SET", {"raw_score": Decimal("57")}),
        (AssessmentKind.TYPING, "Portal typing test", {"net_wpm": Decimal("22.5"), "accuracy": Decimal("88")}),
    ],
}
PAST_VETTING = {AgentStatus.INTERVIEWING, AgentStatus.TRAINING, AgentStatus.RAMP, AgentStatus.LIVE}


def seed(context: dict) -> None:
    if "onboardings" not in context:
        demo_pipeline.seed(context)
    engagement, manager = context.get("engagement"), context.get("pipeline_manager")
    if engagement is None or manager is None:
        return
    practice_manager = context.get("signal", {}).get("managers", {}).get(engagement.practice, manager)
    _profile(engagement, practice_manager)
    today = timezone.localdate()
    for ref, onboarding in context["onboardings"].items():
        if onboarding.assessments.exists():
            continue  # a second seed_demo run adds nothing
        results = RESULTS.get(ref, PASSING if onboarding.stage in PAST_VETTING else [])
        for index, (kind, test_name, fields) in enumerate(results):
            vetting.record_result(
                onboarding,
                kind,
                by=manager,
                test_name=test_name,
                taken_on=today - timedelta(days=30 if onboarding.stage in PAST_VETTING else 2) + timedelta(index),
                **fields,
            )
    demo_pipeline.offboard_drop_outs(context)
    candidate = context["onboardings"].get("CV-1006")
    if candidate is not None and not candidate.is_offboarded:
        context["typing_link_url"] = _typing_link(candidate, manager)


def _profile(engagement, by) -> None:
    vetting.set_requirement(engagement, AssessmentKind.ENGLISH, by=by, min_cefr=CEFRLevel.B2)
    vetting.set_requirement(engagement, AssessmentKind.TYPING, by=by, min_score=35, min_accuracy=95)
    vetting.set_requirement(engagement, AssessmentKind.COGNITIVE, by=by, min_score=60)
    vetting.set_requirement(engagement, AssessmentKind.BEHAVIOURAL, by=by, min_score=70, required=False)
    version = ScorecardVersion.objects.published().filter(scorecard__engagement=engagement).first()
    if version is not None:
        vetting.set_requirement(
            engagement, AssessmentKind.TRIAL_AUDIT, by=by, min_score=80, scorecard=version.scorecard, required=False
        )


def _typing_link(candidate, manager) -> str:
    """The one valid link, printed by the seed. Its token is derived from the secret key and the number of links
    the candidate has had, so a second run finds the link the first made (still unused) and prints it again; once
    it is used, revoked or expired, the next run makes the next one."""

    def token(number: int) -> str:
        message = f"demo typing test {candidate.pk} {number}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()

    made = candidate.typing_links.count()
    if made and candidate.typing_links.usable().filter(token_hash=hash_secret(token(made))).exists():
        return vetting.typing_test_url(token(made))
    candidate.typing_links.usable().update(revoked_at=timezone.now())  # one valid link: the one printed
    _, url = vetting.send_typing_test(candidate, by=manager, token=token(made + 1))
    return url
