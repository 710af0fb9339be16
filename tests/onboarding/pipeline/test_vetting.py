"""Vetting: CEFR from a named test's score, results judged against the hiring profile, the trial audit, and the
portal's typing test — its arithmetic from a recorded keystroke log, and its one-time, expiring link."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import AgentStatus
from onboarding.choices import AssessmentKind, ResultSource
from onboarding.models import AssessmentResult, TypingTestLink
from onboarding.services import vetting
from tests.audits.helpers import published_scorecard, submitted_audit
from tests.onboarding.pipeline.helpers import TODAY, english_profile, moved_to, started

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "A0"), (20, "A0"), (20.5, "A0"), (21, "A1"), (30, "A1"), (31, "A2"), (40, "A2"), (41, "B1"),
        (50, "B1"), (51, "B2"), (60, "B2"), (61, "C1"), (70, "C1"), (71, "C2"), (100, "C2"),
    ],
)  # fmt: skip
def test_an_ef_set_score_maps_to_its_cefr_band(score, level):
    assert vetting.cefr_for("EF SET", score) == level
    assert vetting.cefr_for("efset 50-minute", score) == level


def test_an_unknown_test_has_no_mapping_and_a_score_out_of_range_is_refused():
    assert vetting.cefr_for("Versant", 60) is None
    with pytest.raises(DomainError, match="between 0 and 100"):
        vetting.cefr_for("EF SET", 101)


def test_an_english_result_is_judged_on_its_mapped_level(world):
    english_profile(world)
    onboarding = started(world)
    record = vetting.record_result
    low = record(onboarding, "english", by=world.provider_manager, test_name="EF SET", taken_on=TODAY, raw_score=55)
    high = record(onboarding, "english", by=world.provider_manager, test_name="EF SET", taken_on=TODAY, raw_score=61)
    stated = record(onboarding, "english", by=world.provider_manager, test_name="Versant", taken_on=TODAY,
                    cefr_level="B1")  # fmt: skip
    assert (low.cefr_level, low.passed) == ("B2", True)
    assert (high.cefr_level, high.passed) == ("C1", True)
    assert (stated.cefr_level, stated.passed) == ("B1", False)
    with pytest.raises(DomainError, match="CEFR level"):
        record(onboarding, "english", by=world.provider_manager, test_name="Versant", taken_on=TODAY, raw_score=60)


def test_typing_needs_both_the_wpm_and_the_accuracy(world):
    english_profile(world)
    onboarding = started(world)

    def typing(wpm, accuracy):
        return vetting.record_result(onboarding, "typing", by=world.provider_manager, test_name="T", taken_on=TODAY,
                                     net_wpm=Decimal(wpm), accuracy=Decimal(accuracy))  # fmt: skip

    assert typing(35, 95).passed is True
    assert typing(34.9, 99).passed is False
    assert typing(60, 94).passed is False


def test_a_kind_the_profile_does_not_require_needs_its_verdict_given(world):
    onboarding = started(world)
    with pytest.raises(DomainError, match="say whether"):
        vetting.record_result(onboarding, "cognitive", by=world.provider_manager, test_name="W", taken_on=TODAY,
                              raw_score=70)  # fmt: skip
    result = vetting.record_result(onboarding, "cognitive", by=world.provider_manager, test_name="W", taken_on=TODAY,
                                   raw_score=70, passed=False)  # fmt: skip
    assert result.passed is False


def test_only_the_provider_records_results(world):
    onboarding = started(world)
    for user in (world.practice_manager, world.provider_staff, world.outsider):
        with pytest.raises(DomainError, match="provider's managers"):
            vetting.record_result(onboarding, "cognitive", by=user, test_name="W", taken_on=TODAY, raw_score=1,
                                  passed=True)  # fmt: skip
    assert not AssessmentResult.objects.exists()


def test_the_latest_result_of_a_kind_is_the_one_the_gate_reads(world):
    english_profile(world)
    onboarding = moved_to(world, started(world), AgentStatus.VETTING)
    vetting.record_result(onboarding, "english", by=world.provider_manager, test_name="EF SET",
                          taken_on=TODAY - timedelta(days=9), raw_score=45)  # fmt: skip
    missing = vetting.missing_for_interviewing(onboarding)
    assert any("English" in reason and "not passed" in reason and "B1" in reason for reason in missing)
    vetting.record_result(onboarding, "english", by=world.provider_manager, test_name="EF SET", taken_on=TODAY,
                          raw_score=75)  # fmt: skip
    assert [reason for reason in vetting.missing_for_interviewing(onboarding) if "English" in reason] == []


def test_an_optional_requirement_is_not_in_the_gate(world):
    vetting.set_requirement(world.engagement, "cognitive", by=world.provider_manager, min_score=60, required=False)
    assert vetting.missing_for_interviewing(started(world)) == []


def test_the_profile_is_edited_by_either_sides_managers_only(world):
    for user in (world.practice_staff, world.provider_staff, world.outsider):
        with pytest.raises(DomainError, match="managers"):
            vetting.set_requirement(world.engagement, "cognitive", by=user, min_score=60)
    vetting.set_requirement(world.engagement, "cognitive", by=world.practice_manager, min_score=60)
    requirement = vetting.set_requirement(world.engagement, "cognitive", by=world.provider_manager, min_score=65)
    assert requirement.profile.assessment_requirements.get().min_score == 65
    with pytest.raises(DomainError, match="CEFR"):
        vetting.set_requirement(world.engagement, "english", by=world.practice_manager)
    with pytest.raises(DomainError, match="0 to 100"):
        vetting.set_requirement(world.engagement, "behavioural", by=world.practice_manager, min_score=120)


def test_a_trial_audit_is_a_scored_audit_of_the_candidate_or_a_score_on_a_scorecard_version(world):
    version = published_scorecard(world.engagement, world.provider_manager)
    vetting.set_requirement(world.engagement, "trial_audit", by=world.practice_manager, min_score=80,
                            scorecard=version.scorecard)  # fmt: skip
    onboarding = started(world)  # Ana is assigned to the engagement, so she can be audited there
    audit = submitted_audit(world, version)
    linked = vetting.record_result(onboarding, "trial_audit", by=world.provider_manager, test_name="Mock call",
                                   taken_on=TODAY, audit=audit)  # fmt: skip
    assert (linked.raw_score, linked.scorecard_version, linked.passed) == (audit.score, version, audit.score >= 80)
    scored = vetting.record_result(onboarding, "trial_audit", by=world.provider_manager, test_name="Mock call",
                                   taken_on=TODAY, raw_score=70, scorecard_version=version)  # fmt: skip
    assert scored.passed is False and scored.audit is None
    with pytest.raises(DomainError, match="scorecard version"):
        vetting.record_result(onboarding, "trial_audit", by=world.provider_manager, test_name="Mock call",
                              taken_on=TODAY, raw_score=90)  # fmt: skip


# --- The typing test's arithmetic ------------------------------------------------------------------------------


def keystrokes(text, *, every_ms=200, start_ms=0):
    return [{"t": start_ms + i * every_ms, "k": ("Backspace" if ch == "\b" else ch)} for i, ch in enumerate(text)]


def test_the_score_is_recomputed_from_a_recorded_log():
    passage = "the quick brown fox"
    # "the quick" typed with one slip corrected ("quixk" → back → "ck"), then "brwn" left uncorrected.
    log = keystrokes("the quix\bck brwn", every_ms=250)
    score = vetting.score_typing(passage, log, duration_seconds=60)
    assert score.typed_text == "the quick brwn"
    # 14 characters remain; positions 12 ('w' vs 'o') and 13 ('n' vs 'w') differ from the passage: 2 errors.
    assert (score.characters_typed, score.correct, score.errors) == (14, 12, 2)
    minutes = Decimal(15 * 250) / 60000  # the 16th keystroke is at 3 750 ms
    assert score.minutes == minutes
    gross = Decimal(14) / 5 / minutes
    assert score.gross_wpm == gross.quantize(Decimal("0.01"))  # 44.80
    assert score.net_wpm == (gross - 2 / minutes).quantize(Decimal("0.01"))  # 44.80 - 32.00 = 12.80
    assert score.accuracy == Decimal("85.71")


def test_keys_after_the_time_is_up_do_not_count_and_net_never_goes_below_zero():
    log = keystrokes("xyz", every_ms=1000) + [{"t": 61000, "k": "a"}]
    score = vetting.score_typing("abc", log, duration_seconds=60)
    assert score.typed_text == "xyz" and score.net_wpm == 0 and score.accuracy == 0


@pytest.mark.parametrize(
    "log",
    [
        "not a list",
        [{"t": 5, "k": "a"}, {"t": 3, "k": "b"}],
        [{"t": "5", "k": "a"}],
        [{"t": 5}],
        [],
        [{"t": 0, "k": "a"}],
    ],
)
def test_a_bad_or_empty_log_is_refused(log):
    with pytest.raises(DomainError):
        vetting.score_typing("abc", log)


# --- The link ------------------------------------------------------------------------------------------------------


@pytest.fixture
def link(world, django_capture_on_commit_callbacks):
    english_profile(world)
    world.agent.email = "ana@example.test"
    world.agent.save()
    onboarding = moved_to(world, started(world), AgentStatus.VETTING)
    with django_capture_on_commit_callbacks(execute=True):
        link, url = vetting.send_typing_test(onboarding, by=world.provider_manager)
    return link, url


def test_the_link_is_e_mailed_and_only_its_hash_is_kept(link):
    link, url = link
    raw = url.rstrip("/").rsplit("/", 1)[1]
    assert raw not in link.token_hash and len(link.token_hash) == 64
    assert mail.outbox[-1].to == ["ana@example.test"] and url in mail.outbox[-1].body
    assert link.expires_at - link.created_at == timedelta(days=7) or (
        abs((link.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
    )


def test_only_the_providers_managers_send_a_typing_test(world):
    onboarding = started(world)
    for user in (world.practice_manager, world.provider_staff):
        with pytest.raises(DomainError, match="provider's managers"):
            vetting.send_typing_test(onboarding, by=user, email="x@example.test")
    assert not TypingTestLink.objects.exists()


def post_log(url, body):
    return Client().post(url, json.dumps(body), content_type="application/json")


def test_the_candidate_takes_it_once_and_the_browsers_wpm_is_ignored(link):
    link, url = link
    path = url.replace("http://testserver", "").split("://", 1)[-1]
    path = path[path.index("/") :]
    assert Client().get(path).status_code == 200
    passage = link.passage
    log = keystrokes(passage[:40], every_ms=300)
    response = post_log(path, {"keystrokes": log, "text": passage[:40], "wpm": 180, "net_wpm": 180, "accuracy": 100})
    assert response.status_code == 200
    result = AssessmentResult.objects.get(kind=AssessmentKind.TYPING)
    expected = vetting.score_typing(passage, log, 60)
    assert result.net_wpm == expected.net_wpm == Decimal("41.03")  # 40 chars ÷ 5 ÷ 0.195 min (last key at 11.7 s)
    assert result.accuracy == Decimal("100.00") and result.source == ResultSource.PORTAL and result.passed is True
    assert response.json()["net_wpm"] == "41.03"
    link.refresh_from_db()
    assert link.used_at is not None and link.result == result
    # used once: the page and the submission are gone
    assert Client().get(path).status_code == 404
    assert post_log(path, {"keystrokes": log}).status_code == 404
    assert AssessmentResult.objects.count() == 1


def test_an_expired_link_is_gone(link):
    link, url = link
    path = url[url.index("/typing-test/") :]
    TypingTestLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(path).status_code == 404
    assert post_log(path, {"keystrokes": keystrokes("Thank")}).status_code == 404
    assert not AssessmentResult.objects.exists()


def test_a_bad_submission_leaves_the_link_usable(link):
    link, url = link
    path = url[url.index("/typing-test/") :]
    assert post_log(path, {"keystrokes": "nope"}).status_code == 400
    assert Client().post(path, "{not json", content_type="application/json").status_code == 400
    link.refresh_from_db()
    assert link.is_usable and not AssessmentResult.objects.exists()
