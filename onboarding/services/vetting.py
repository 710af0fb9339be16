"""Vetting: the hiring profile's required assessments, a candidate's results (recorded by the provider, pushed
through the API, or taken in the portal's typing test), the CEFR level a named test's score maps to, and the gate
into interviewing: every required assessment passed.

The typing test's numbers are the server's own, recomputed from the keystroke log the page sends:
    gross WPM = (characters typed ÷ 5) ÷ minutes
    net WPM   = gross WPM − uncorrected errors ÷ minutes   (never below 0)
    accuracy  = correct characters ÷ characters typed      (per cent)
where "characters typed" are the characters of the text the log leaves (corrected keystrokes are not counted),
an uncorrected error is a character of that text that differs from the passage at its position (or runs past its
end), and the minutes run from the test's start to the last keystroke, at most the test's duration. Whatever
WPM the browser claims is ignored.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import engagements_for
from engagements.locking import lock_row
from engagements.models.people import hash_secret
from onboarding.choices import AssessmentKind, CEFRLevel, ResultSource
from onboarding.models import AssessmentRequirement, AssessmentResult, HiringProfile, Onboarding, TypingTestLink
from onboarding.services.pipeline import may_move
from onboarding.signals import prerequisites_changed

TYPING_LINK_VALID_DAYS = 7
TYPING_DURATION_SECONDS = 60
MAX_KEYSTROKES = 5000
PASSAGE = (
    "Thank you for calling the eye clinic. I can help you book an eye exam, change an appointment or check "
    "whether your vision plan covers new glasses. May I have your full name and date of birth, please? Our "
    "optometrists see patients from eight in the morning until six in the evening, Monday to Saturday."
)

# Named tests whose score maps to a CEFR level: (lowest score of the band, level), highest band first. EF SET's
# official bands start A1 at 0; the 0–20 is read as below A1 (A0).
NAMED_TESTS: dict[str, list[tuple[int, str]]] = {
    "ef set": [(71, "C2"), (61, "C1"), (51, "B2"), (41, "B1"), (31, "A2"), (21, "A1"), (0, "A0")],
}


def _named_test(name: str) -> list[tuple[int, str]] | None:
    key = " ".join(name.lower().replace("efset", "ef set").replace("-", " ").split())
    return next((bands for test, bands in NAMED_TESTS.items() if key.startswith(test)), None)


def cefr_for(test_name: str, score) -> str | None:
    """The CEFR level a named test's score maps to, or None for a test we know no mapping of."""
    bands = _named_test(test_name)
    if bands is None or score is None:
        return None
    score = Decimal(score)
    if not Decimal(0) <= score <= Decimal(100):
        raise DomainError(f"A {test_name} score is between 0 and 100.", field="raw_score")
    return next(level for low, level in bands if score >= low)


# --- Who may do what --------------------------------------------------------------------------------------------


def may_edit_profile(user, engagement) -> bool:
    """The practice's managers say what they ask of the assistants who speak to their patients; the provider's
    managers, who recruit, may set it up with them: both sides' managers ("change" on the engagement)."""
    return engagements_for(user, "change").filter(pk=engagement.pk).exists()


def may_record(user, engagement) -> bool:
    """Results are recorded by the provider's managers and pushed by its integrations ("submit_measurements")."""
    return may_move(user, engagement) or engagements_for(user, "submit_measurements").filter(pk=engagement.pk).exists()


# --- The hiring profile -----------------------------------------------------------------------------------------


def profile_for(engagement) -> HiringProfile:
    profile, _ = HiringProfile.objects.get_or_create(engagement=engagement)
    return profile


@transaction.atomic
def set_requirement(
    engagement, kind: str, *, by, required=True, min_cefr="", min_score=None, min_accuracy=None, scorecard=None
) -> AssessmentRequirement:
    """Add or change the profile's requirement of one kind of assessment."""
    if not may_edit_profile(by, engagement):
        raise DomainError("Only the engagement's managers change its hiring profile.")
    if kind not in AssessmentKind.values:
        raise DomainError("Choose a kind of assessment.", field="kind")
    _check_pass_mark(kind, min_cefr, min_score, min_accuracy)
    if scorecard is not None and scorecard.engagement_id != engagement.pk:
        raise DomainError("That scorecard belongs to another engagement.", field="scorecard")
    profile = profile_for(engagement)
    profile.updated_by = by
    profile.save(update_fields=["updated_by", "updated_at"])
    requirement, _ = AssessmentRequirement.objects.update_or_create(
        profile=profile,
        kind=kind,
        defaults={
            "required": required,
            "min_cefr": min_cefr if kind == AssessmentKind.ENGLISH else "",
            "min_score": None if kind == AssessmentKind.ENGLISH else _cents(min_score),
            "min_accuracy": _cents(min_accuracy) if kind == AssessmentKind.TYPING else None,
            "scorecard": scorecard if kind == AssessmentKind.TRIAL_AUDIT else None,
        },
    )
    return requirement


def _cents(value) -> Decimal | None:
    """A pass mark as stored (two places), so that setting the same mark again is no change in the audit log."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _check_pass_mark(kind, min_cefr, min_score, min_accuracy) -> None:
    if kind == AssessmentKind.ENGLISH:
        if min_cefr not in CEFRLevel.values:
            raise DomainError("Say which CEFR level English must reach.", field="min_cefr")
        return
    if min_score is None:
        raise DomainError("Give the pass mark.", field="min_score")
    if Decimal(min_score) < 0 or (kind != AssessmentKind.TYPING and Decimal(min_score) > 100):
        raise DomainError("A pass mark is a score from 0 to 100 (net WPM for typing).", field="min_score")
    if min_accuracy is not None and not Decimal(0) <= Decimal(min_accuracy) <= Decimal(100):
        raise DomainError("Accuracy is a percentage from 0 to 100.", field="min_accuracy")


@transaction.atomic
def remove_requirement(requirement: AssessmentRequirement, *, by) -> None:
    if not may_edit_profile(by, requirement.profile.engagement):
        raise DomainError("Only the engagement's managers change its hiring profile.")
    requirement.delete()


# --- Results ----------------------------------------------------------------------------------------------------


def judge(requirement: AssessmentRequirement | None, result: AssessmentResult) -> bool | None:
    """Whether `result` meets `requirement`'s pass mark; None when there is no requirement to judge by."""
    if requirement is None:
        return None
    if requirement.kind == AssessmentKind.ENGLISH:
        return bool(result.cefr_level) and CEFRLevel.rank(result.cefr_level) >= CEFRLevel.rank(requirement.min_cefr)
    if requirement.kind == AssessmentKind.TYPING:
        if result.net_wpm is None or result.net_wpm < requirement.min_score:
            return False
        return requirement.min_accuracy is None or (result.accuracy or 0) >= requirement.min_accuracy
    return result.raw_score is not None and result.raw_score >= requirement.min_score


def _requirement(onboarding, kind) -> AssessmentRequirement | None:
    return AssessmentRequirement.objects.filter(profile__engagement_id=onboarding.engagement_id, kind=kind).first()


@transaction.atomic
def record_result(
    onboarding,
    kind: str,
    *,
    by,
    test_name: str,
    taken_on: date,
    raw_score=None,
    cefr_level="",
    net_wpm=None,
    gross_wpm=None,
    accuracy=None,
    passed=None,
    source=ResultSource.PROVIDER,
    external_id="",
    audit=None,
    scorecard_version=None,
    note="",
    keystroke_log=None,
):
    """Record one assessment result for a candidate, judged against the hiring profile's pass mark (the caller's
    `passed` is used only where the profile does not require that kind)."""
    if by is not None and not may_record(by, onboarding.engagement):
        raise DomainError("Only the provider's managers and integrations record assessment results.")
    if kind not in AssessmentKind.values:
        raise DomainError("Choose a kind of assessment.", field="kind")
    if onboarding.is_offboarded:
        raise DomainError(f"{onboarding.agent} has been offboarded from this engagement.")
    if taken_on > timezone.localdate() + timedelta(days=1):
        raise DomainError("The test date cannot be in the future.", field="taken_on")
    if not test_name.strip():
        raise DomainError("Name the test.", field="test_name")
    result = AssessmentResult(
        onboarding=onboarding,
        kind=kind,
        test_name=test_name.strip(),
        taken_on=taken_on,
        raw_score=raw_score,
        net_wpm=net_wpm,
        gross_wpm=gross_wpm,
        accuracy=accuracy,
        source=source,
        external_id=external_id,
        recorded_by=by,
        note=note,
        keystroke_log=keystroke_log or [],
    )
    _fill_kind(result, cefr_level, audit, scorecard_version)
    judged = judge(_requirement(onboarding, kind), result)
    if judged is None and passed is None:
        raise DomainError(
            "The hiring profile does not require this assessment: say whether it was passed.", field="passed"
        )
    result.passed = judged if judged is not None else bool(passed)
    try:
        with transaction.atomic():
            result.save()
    except IntegrityError:
        raise DomainError("A result with this external id was already recorded.", field="external_id") from None
    prerequisites_changed.send(
        sender="onboarding.vetting", agent=onboarding.agent, engagement=onboarding.engagement, cause="assessment"
    )
    return result


def _fill_kind(result, cefr_level, audit, scorecard_version) -> None:
    kind = result.kind
    if kind == AssessmentKind.ENGLISH:
        mapped = cefr_for(result.test_name, result.raw_score)
        if mapped is None and cefr_level not in CEFRLevel.values:
            raise DomainError("Give the CEFR level, or a score of a test we map to CEFR (EF SET).", field="cefr_level")
        result.cefr_level = mapped or cefr_level
    elif kind == AssessmentKind.TYPING:
        if result.net_wpm is None:
            raise DomainError("Give the net WPM.", field="net_wpm")
        if result.accuracy is None or not Decimal(0) <= Decimal(result.accuracy) <= Decimal(100):
            raise DomainError("Give the accuracy in per cent (0–100).", field="accuracy")
    elif kind == AssessmentKind.TRIAL_AUDIT:
        _fill_trial_audit(result, audit, scorecard_version)
    if kind not in (AssessmentKind.ENGLISH, AssessmentKind.TYPING) and result.raw_score is None:
        raise DomainError("Give the score.", field="raw_score")


def _fill_trial_audit(result, audit, scorecard_version) -> None:
    """A trial audit points at a quality audit of the candidate where one exists (agents assigned to the
    engagement); a candidate not yet assigned cannot be audited there, so the mock call's score is kept with the
    scorecard version it was scored on."""
    engagement_id = result.onboarding.engagement_id
    if audit is not None:
        if audit.engagement_id != engagement_id or audit.agent_id != result.onboarding.agent_id:
            raise DomainError("That audit is not of this candidate on this engagement.", field="audit")
        if audit.score is None:
            raise DomainError("That audit has not been scored yet.", field="audit")
        result.audit, result.raw_score, scorecard_version = audit, audit.score, audit.version
    if scorecard_version is None:
        raise DomainError("Say which scorecard version the mock call was scored on.", field="scorecard_version")
    if scorecard_version.scorecard.engagement_id != engagement_id:
        raise DomainError("That scorecard belongs to another engagement.", field="scorecard_version")
    result.scorecard_version = scorecard_version


def latest_results(onboarding) -> dict[str, AssessmentResult]:
    """The candidate's latest result of each kind (a later result replaces an earlier one)."""
    latest: dict[str, AssessmentResult] = {}
    for result in onboarding.assessments.order_by("taken_on", "recorded_at", "pk"):
        latest[result.kind] = result
    return latest


def missing_for_interviewing(onboarding) -> list[str]:
    """The gate into interviewing: every assessment the hiring profile requires, passed."""
    requirements = AssessmentRequirement.objects.filter(profile__engagement_id=onboarding.engagement_id, required=True)
    latest = latest_results(onboarding)
    missing = []
    for requirement in requirements:
        result = latest.get(requirement.kind)
        label = requirement.get_kind_display()
        if result is None:
            missing.append(f"{label}: no result yet (needs {requirement.pass_mark})")
        elif not result.passed:
            missing.append(f"{label}: not passed ({result.summary or 'failed'}; needs {requirement.pass_mark})")
    return missing


# --- The portal's typing test -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypingScore:
    typed_text: str
    characters_typed: int
    correct: int
    errors: int
    minutes: Decimal
    gross_wpm: Decimal
    net_wpm: Decimal
    accuracy: Decimal


def _two(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def replay(keystrokes: list, duration_seconds: int) -> tuple[str, int]:
    """The text the keystroke log leaves, and the last keystroke's time in ms (keys after the time is up are
    dropped). Each entry is {"t": ms since the test started, "k": the key}: one character, or "Backspace"."""
    if not isinstance(keystrokes, list) or len(keystrokes) > MAX_KEYSTROKES:
        raise DomainError("The keystroke log is not a list of keystrokes.", field="keystrokes")
    text: list[str] = []
    last, limit = 0, duration_seconds * 1000
    for entry in keystrokes:
        if not isinstance(entry, dict) or not isinstance(entry.get("k"), str):
            raise DomainError("Each keystroke has a key and a time.", field="keystrokes")
        at = entry.get("t")
        if isinstance(at, bool) or not isinstance(at, int | float) or at < last:
            raise DomainError("Keystroke times go forward from the start of the test.", field="keystrokes")
        if at > limit:
            break
        last, key = at, entry["k"]
        if key == "Backspace":
            if text:
                text.pop()
        elif len(key) == 1:
            text.append(key)
    return "".join(text), int(last)


def score_typing(passage: str, keystrokes: list, duration_seconds: int = TYPING_DURATION_SECONDS) -> TypingScore:
    typed, last_ms = replay(keystrokes, duration_seconds)
    if not typed or last_ms <= 0:
        raise DomainError("Nothing was typed.", field="keystrokes")
    correct = sum(1 for index, char in enumerate(typed) if index < len(passage) and passage[index] == char)
    errors = len(typed) - correct
    minutes = Decimal(last_ms) / Decimal(60000)
    gross = (Decimal(len(typed)) / 5) / minutes
    net = max(Decimal(0), gross - Decimal(errors) / minutes)
    return TypingScore(
        typed_text=typed,
        characters_typed=len(typed),
        correct=correct,
        errors=errors,
        minutes=minutes,
        gross_wpm=_two(gross),
        net_wpm=_two(net),
        accuracy=_two(Decimal(100) * correct / len(typed)),
    )


@transaction.atomic
def send_typing_test(
    onboarding, *, by, email: str = "", valid_days: int = TYPING_LINK_VALID_DAYS, token: str | None = None
):
    """Create a one-time link to the typing test and e-mail it to the candidate after commit. Returns the link
    and the raw link (shown once to the sender). `token` is for the demo seed only, which derives its token so that
    a second run can print the link it made before; everyone else gets a random one."""
    if not may_move(by, onboarding.engagement):
        raise DomainError("Only the provider's managers send typing tests to candidates.")
    if onboarding.is_offboarded:
        raise DomainError(f"{onboarding.agent} has been offboarded from this engagement.")
    email = (email or onboarding.agent.email or "").strip().lower()
    if not email:
        raise DomainError("The candidate has no e-mail address: give one.", field="email")
    raw = token or secrets.token_urlsafe(32)
    link = TypingTestLink.objects.create(
        onboarding=onboarding,
        email=email,
        token_hash=hash_secret(raw),
        passage=PASSAGE,
        duration_seconds=TYPING_DURATION_SECONDS,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=valid_days),
    )
    url = typing_test_url(raw)
    transaction.on_commit(lambda: send_typing_email(link.pk, url), robust=True)
    return link, url


def typing_test_url(raw: str) -> str:
    return settings.SITE_URL + reverse("onboarding:vetting_typing_test", args=[raw])


def send_typing_email(link_id: int, url: str) -> str:
    with transaction.atomic():
        link = TypingTestLink.objects.select_for_update(of=("self",)).filter(pk=link_id).first()
        if link is None:
            return "missing"
        if link.sent_at is not None:
            return "already-sent"
        if not link.is_usable:
            return "not-usable"
        engagement = link.onboarding.engagement
        send_mail(
            subject=f"Your typing test for {engagement.provider}",
            message=render_to_string(
                "onboarding/vetting/typing_email.txt", {"link": link, "url": url, "engagement": engagement}
            ),
            from_email=None,
            recipient_list=[link.email],
        )
        link.sent_at = timezone.now()
        link.save(update_fields=["sent_at"])
    return "sent"


def find_typing_link(raw: str) -> TypingTestLink | None:
    """The usable link for a raw token, or None (unknown, expired, used or revoked all look the same)."""
    link = (
        TypingTestLink.objects.select_related("onboarding__engagement__provider")
        .filter(token_hash=hash_secret(raw))
        .first()
    )
    return link if link is not None and link.is_usable else None


@transaction.atomic
def submit_typing_test(raw: str, keystrokes: list) -> AssessmentResult:
    """The candidate's submission through the link: scored from the keystroke log, recorded as the typing result,
    and the link used up."""
    link = TypingTestLink.objects.filter(token_hash=hash_secret(raw)).values_list("pk", flat=True).first()
    if link is None:
        raise DomainError("This typing-test link has expired or has already been used.")
    link = lock_row(TypingTestLink, link, engagement="onboarding__engagement_id", related=("onboarding__agent",))
    if not link.is_usable:
        raise DomainError("This typing-test link has expired or has already been used.")
    score = score_typing(link.passage, keystrokes, link.duration_seconds)
    onboarding = Onboarding.objects.select_related("agent", "engagement").get(pk=link.onboarding_id)
    result = record_result(
        onboarding,
        AssessmentKind.TYPING,
        by=None,
        test_name="Portal typing test",
        taken_on=timezone.localdate(),
        gross_wpm=score.gross_wpm,
        net_wpm=score.net_wpm,
        accuracy=score.accuracy,
        passed=True if _requirement(onboarding, AssessmentKind.TYPING) is None else None,
        source=ResultSource.PORTAL,
        keystroke_log=keystrokes,
        note=f"{score.characters_typed} characters, {score.errors} uncorrected errors in {score.minutes:.2f} min.",
    )
    link.used_at, link.result = timezone.now(), result
    link.save(update_fields=["used_at", "result"])
    return result
