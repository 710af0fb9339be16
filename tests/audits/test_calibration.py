"""Calibration sessions: blind scoring, closing, the report, Krippendorff's alpha and the two-sided gap."""

from datetime import timedelta
from decimal import Decimal

import krippendorff
import pytest
from django.utils import timezone

from audits.choices import CalibrationStatus
from audits.models import CalibrationParticipant, CalibrationRating, CalibrationSession, QualityAudit
from audits.services import calibration
from bpo_portal.errors import DomainError
from engagements.choices import Role
from slas.models import Measurement
from tests import factories
from tests.audits.coaching_helpers import marks, session
from tests.audits.helpers import published_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return published_scorecard(world.engagement, world.practice_manager)


@pytest.fixture
def second_auditor(world):
    return factories.make_member(world.provider, Role.MANAGER, first_name="Cal", last_name="Second")


def visible_ratings(user, s):
    return set(
        CalibrationRating.objects.for_user(user)
        .filter(participant__session=s)
        .values_list("participant__user", flat=True)
    )


def test_a_participant_cannot_see_the_others_scores_until_they_submit(world, version, second_auditor):
    s = session(world, version, participants=[world.provider_manager, second_auditor])
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
    calibration.save_scores(s, by=world.provider_manager, ratings=marks(version, tone=3))  # a draft, unsubmitted

    assert visible_ratings(second_auditor, s) == set()  # blind: neither the expert's nor the draft
    assert visible_ratings(world.provider_manager, s) == {world.provider_manager.pk}  # only their own
    assert not calibration.may_see_report(s, second_auditor)
    assert visible_ratings(world.provider_staff, s) == set()  # not on the panel: nothing while open

    calibration.save_scores(s, by=second_auditor, ratings=marks(version, greeting=0), submit=True)
    assert visible_ratings(second_auditor, s) == {
        world.practice_manager.pk,
        world.provider_manager.pk,
        second_auditor.pk,
    }
    assert calibration.may_see_report(s, second_auditor)


def test_the_session_closes_when_everyone_has_scored(world, version):
    s = session(world, version)
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
    s.refresh_from_db()
    assert s.status == CalibrationStatus.OPEN
    calibration.save_scores(s, by=world.provider_manager, ratings=marks(version), submit=True)
    s.refresh_from_db()
    assert s.status == CalibrationStatus.CLOSED and s.closed_at is not None
    assert visible_ratings(world.provider_staff, s) == {world.practice_manager.pk, world.provider_manager.pk}


def test_a_session_its_panel_and_their_scores_are_in_the_audit_log(world, version):
    from auditlog.models import LogEntry

    s = session(world, version)
    participant = calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
    assert LogEntry.objects.get_for_object(s).filter(action=LogEntry.Action.CREATE).exists()
    assert LogEntry.objects.get_for_object(participant).filter(action=LogEntry.Action.UPDATE).exists()
    for rating in participant.ratings.all():
        assert LogEntry.objects.get_for_object(rating).filter(action=LogEntry.Action.CREATE).exists()
    outsider = factories.make_member(world.practice, Role.MANAGER)
    before = LogEntry.objects.count()
    with pytest.raises(DomainError):
        calibration.save_scores(s, by=outsider, ratings=marks(version))
    assert LogEntry.objects.count() == before


def test_the_session_closes_at_its_deadline_and_then_refuses_scores(world, version):
    s = session(world, version)
    CalibrationSession.objects.filter(pk=s.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert calibration.close_due_sessions() == 1
    assert calibration.close_due_sessions() == 0  # running twice changes nothing
    with pytest.raises(DomainError, match="closed"):
        calibration.save_scores(s, by=world.provider_manager, ratings=marks(version), submit=True)
    assert not CalibrationRating.objects.filter(participant__session=s).exists()


def test_refused_scores_change_nothing(world, version):
    s = session(world, version)
    with pytest.raises(DomainError, match="not on this session"):
        calibration.save_scores(s, by=world.provider_staff, ratings=marks(version), submit=True)
    with pytest.raises(DomainError, match="Rate it from"):
        calibration.save_scores(s, by=world.provider_manager, ratings=marks(version, tone=9))
    assert not CalibrationRating.objects.filter(participant__session=s).exists()
    calibration.save_scores(s, by=world.provider_manager, ratings=marks(version), submit=True)
    with pytest.raises(DomainError, match="final"):
        calibration.save_scores(s, by=world.provider_manager, ratings=marks(version, greeting=0))
    assert CalibrationParticipant.objects.get(session=s, user=world.provider_manager).score == Decimal("100.00")


def test_only_managers_open_sessions_with_auditors_of_the_engagement(world, version):
    before = CalibrationSession.objects.count()
    with pytest.raises(DomainError, match="managers"):
        calibration.create_session(
            engagement=world.engagement,
            version=version,
            title="x",
            interaction_ref="C-1",
            interaction_date=timezone.localdate(),
            deadline=timezone.now() + timedelta(days=1),
            expert=world.practice_manager,
            participants=[world.provider_manager],
            by=world.practice_staff,
        )
    with pytest.raises(DomainError, match="does not audit"):
        session(world, version, participants=[world.outsider])
    with pytest.raises(DomainError, match="patient"):
        session(world, version, interaction_ref="jane@example.com")
    assert CalibrationSession.objects.count() == before


def test_the_report_compares_each_auditor_with_the_expert(world, version, second_auditor):
    s = session(world, version, participants=[world.provider_manager, second_auditor])
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
    # harsher: greeting no (1 → 0), tone 3 (1 → 0.5), ids yes, insurance 2 of 4 (1 → 0.5)
    calibration.save_scores(
        s, by=world.provider_manager, ratings=marks(version, greeting=0, tone=3, insurance=2), submit=True
    )
    calibration.save_scores(s, by=second_auditor, ratings=marks(version), submit=True)
    result = calibration.report(s)

    auditors = {row.participant.user_id: row for row in result.auditors}
    harsh = auditors[world.provider_manager.pk]
    assert (harsh.mean_absolute_deviation, harsh.bias, harsh.compared, harsh.tendency) == (0.5, -0.5, 4, "harsher")
    same = auditors[second_auditor.pk]
    assert (same.mean_absolute_deviation, same.bias, same.tendency) == (0.0, 0.0, "in line")
    greeting = next(row for row in result.criteria if row.criterion.name == "Greeting and identification")
    assert greeting.expert.fraction == 1.0 and greeting.spread == 1.0
    assert sorted(c.deviation for c in greeting.cells if not c.participant.is_expert) == [-1.0, 0.0]
    assert result.alpha is not None and result.alpha < 1
    assert result.submitted == result.panel == 3


def test_calibration_never_reaches_audits_or_the_quality_score(world, version):
    s = session(world, version)
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version, ids=0), submit=True)
    calibration.save_scores(s, by=world.provider_manager, ratings=marks(version), submit=True)
    assert not QualityAudit.objects.exists()
    assert not Measurement.objects.filter(metric__code="quality_score").exists()


def test_krippendorffs_alpha_matches_his_worked_example():
    """Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for Communication,
    University of Pennsylvania (https://repository.upenn.edu/asc_papers/43), example C: four observers, twelve
    units, values 1–5 with missing data. The paper gives α_nominal = 0.743, α_ordinal = 0.815,
    α_interval = 0.849 and α_ratio = 0.797. The panel's alpha is the ordinal one."""
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert round(calibration.panel_alpha(data), 3) == 0.815
    as_nan = [[float("nan") if v is None else v for v in row] for row in data]
    for level, published in [("nominal", 0.743), ("interval", 0.849), ("ratio", 0.797)]:
        assert round(krippendorff.alpha(reliability_data=as_nan, level_of_measurement=level), 3) == published


def test_alpha_is_undefined_without_variation_or_a_second_auditor():
    assert calibration.panel_alpha([[1.0, 1.0]]) is None
    assert calibration.panel_alpha([[1.0, 1.0], [1.0, 1.0]]) is None


def test_the_two_sided_report_shows_the_providers_gap(world, version):
    s = session(world, version)
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version, tone=3), submit=True)
    calibration.save_scores(s, by=world.provider_manager, ratings=marks(version), submit=True)
    result = calibration.two_sided_report(world.engagement)
    row = next(r for r in result.rows if r.source == "calibration")
    assert row.provider == Decimal("100.00") and row.practice < row.provider
    assert row.gap == row.provider - row.practice and result.mean_gap == row.gap and result.compared == 1


def test_an_auditors_history_lists_their_deviation_per_closed_session(world, version):
    for tone in (3, 5):
        s = session(world, version, title=f"Tone {tone}")
        calibration.save_scores(s, by=world.practice_manager, ratings=marks(version), submit=True)
        calibration.save_scores(s, by=world.provider_manager, ratings=marks(version, tone=tone), submit=True)
    rows = calibration.auditor_history(world.provider_manager, CalibrationSession.objects.all())
    assert [(r.session.title, r.mean_absolute_deviation, r.bias) for r in rows] == [
        ("Tone 3", 0.125, -0.125),
        ("Tone 5", 0.0, 0.0),
    ]
