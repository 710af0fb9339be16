"""Contract terms rules: checkpoints generated and regenerated with the terms, outcomes recorded by the rules,
termination without penalty judged from the SLA breaches, the reminders the terms give rise to, and the
contract's dates in the practice's own calendar."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements import services
from engagements.choices import CheckpointOutcome, EngagementStatus, ReminderKind, Side
from engagements.models import Checkpoint
from engagements.reminders import BOTH
from engagements.services import terms
from slas.models import Breach, Metric, SLATarget

pytestmark = pytest.mark.django_db

TERMS = {
    "starts_on": date(2026, 1, 31),
    "ends_on": date(2027, 1, 31),
    "evaluation_months": 6,
    "notice_days": 60,
    "auto_renew": True,
    "renewal_term_months": 12,
    "termination_breach_count": 2,
    "termination_window_months": 3,
}


@pytest.fixture
def contract(world):
    return services.save_contract(world.engagement, by=world.practice_manager, **TERMS)


def due_dates(contract):
    return list(contract.checkpoints.order_by("due_on").values_list("sequence", "due_on", "outcome"))


def make_breach(engagement, start, *, severity="breach", status="open", metric="service_level"):
    target, _ = SLATarget.objects.get_or_create(
        engagement=engagement,
        metric=Metric.objects.get(code=metric),
        period="week",
        defaults={"threshold": Decimal("80"), "effective_from": date(2024, 1, 1)},
    )
    return Breach.objects.create(
        target=target,
        period_start=start,
        period_end=start + timedelta(days=6),
        severity=severity,
        status=status,
        value=Decimal("70"),
        threshold=Decimal("80"),
        opened_at=timezone.now(),
    )


# --- Checkpoints ------------------------------------------------------------------------------------------------------


class TestCheckpoints:
    def test_recording_a_contract_generates_its_checkpoints_over_the_evaluation_period(self, contract):
        assert due_dates(contract) == [(1, date(2026, 4, 30), "pending"), (2, date(2026, 7, 31), "pending")]

    def test_a_new_interval_replaces_the_pending_checkpoints(self, world, contract):
        services.save_contract(world.engagement, by=world.practice_manager, checkpoint_interval_months=2)
        assert [day for _, day, _ in due_dates(contract)] == [date(2026, 3, 31), date(2026, 5, 31), date(2026, 7, 31)]

    def test_a_recorded_outcome_survives_a_change_of_terms_and_everything_is_numbered_again(self, world, contract):
        first = contract.checkpoints.get(due_on=date(2026, 4, 30))
        terms.record_checkpoint_outcome(first, by=world.practice_manager, outcome="continue", today=date(2026, 5, 1))

        services.save_contract(world.engagement, by=world.practice_manager, starts_on=date(2026, 2, 15))

        assert due_dates(contract) == [
            (1, date(2026, 4, 30), "continue"),  # history: kept although the schedule moved
            (2, date(2026, 5, 15), "pending"),
            (3, date(2026, 8, 15), "pending"),
        ]

    def test_saving_the_same_terms_again_changes_no_checkpoint(self, world, contract):
        before = list(contract.checkpoints.values_list("pk", "due_on", "sequence"))
        services.save_contract(world.engagement, by=world.practice_manager, **TERMS)
        assert list(contract.checkpoints.values_list("pk", "due_on", "sequence")) == before

    def test_a_longer_evaluation_moves_the_last_checkpoint_to_its_new_end(self, world, contract):
        services.save_contract(world.engagement, by=world.practice_manager, evaluation_months=12)
        days = [day for _, day, _ in due_dates(contract)]
        assert days == [date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31), date(2027, 1, 31)]

    def test_a_refused_change_of_terms_leaves_the_checkpoints_alone(self, world, contract):
        before = due_dates(contract)
        with pytest.raises(DomainError):
            services.save_contract(world.engagement, by=world.practice_manager, ends_on=date(2025, 1, 1))
        assert due_dates(contract) == before


class TestRecordingAnOutcome:
    def test_the_practice_records_an_outcome_with_who_and_when(self, world, contract):
        checkpoint = contract.checkpoints.first()
        recorded = terms.record_checkpoint_outcome(
            checkpoint, by=world.practice_manager, outcome="end", notes="Too many missed calls.", today=date(2026, 5, 1)
        )
        assert (recorded.outcome, recorded.notes, recorded.recorded_by) == (
            "end",
            "Too many missed calls.",
            world.practice_manager,
        )
        assert recorded.recorded_at is not None
        assert LogEntry.objects.get_for_object(recorded).filter(action=LogEntry.Action.UPDATE).exists()

    def test_recording_before_the_checkpoints_day_is_refused_and_writes_nothing(self, world, contract):
        checkpoint = contract.checkpoints.first()
        with pytest.raises(DomainError, match="on or after that day"):
            terms.record_checkpoint_outcome(
                checkpoint, by=world.practice_manager, outcome="continue", today=date(2026, 4, 29)
            )
        checkpoint.refresh_from_db()
        assert checkpoint.is_pending and checkpoint.recorded_at is None

    def test_continuing_with_conditions_needs_the_conditions(self, world, contract):
        checkpoint = contract.checkpoints.first()
        with pytest.raises(DomainError) as refused:
            terms.record_checkpoint_outcome(
                checkpoint, by=world.practice_manager, outcome="conditions", notes="  ", today=date(2026, 5, 1)
            )
        assert refused.value.field == "notes"
        checkpoint.refresh_from_db()
        assert checkpoint.is_pending

    @pytest.mark.parametrize("outcome", ["pending", "maybe", ""])
    def test_an_outcome_must_be_a_decision(self, world, contract, outcome):
        with pytest.raises(DomainError) as refused:
            terms.record_checkpoint_outcome(
                contract.checkpoints.first(), by=world.practice_manager, outcome=outcome, today=date(2026, 5, 1)
            )
        assert refused.value.field == "outcome"

    def test_an_ended_engagements_checkpoints_stay_as_they_were(self, world, contract):
        services.change_engagement_status(world.engagement, EngagementStatus.ENDED, by=world.practice_manager)
        with pytest.raises(DomainError, match="has ended"):
            terms.record_checkpoint_outcome(
                contract.checkpoints.first(), by=world.practice_manager, outcome="continue", today=date(2026, 5, 1)
            )

    def test_the_database_refuses_conditions_without_notes(self, contract):
        checkpoint = contract.checkpoints.first()
        checkpoint.outcome = CheckpointOutcome.CONTINUE_WITH_CONDITIONS
        with pytest.raises(Exception, match="(?i)constraint|check"):
            checkpoint.save()


# --- Termination without penalty -----------------------------------------------------------------------------------


class TestTerminationEligibility:
    TODAY = date(2026, 10, 15)  # the evaluation ended on 31 Jul; the window reaches back to 15 Jul

    def test_it_does_not_apply_during_the_evaluation_period(self, world, contract):
        make_breach(world.engagement, date(2026, 6, 1))
        make_breach(world.engagement, date(2026, 6, 8))
        result = terms.termination_eligibility(contract, date(2026, 7, 31))
        assert not result.eligible and "evaluation period until 31 Jul 2026" in result.reason
        assert result.breaches == []

    def test_n_breaches_within_m_months_after_the_evaluation_make_it_eligible(self, world, contract):
        first = make_breach(world.engagement, date(2026, 9, 7))
        assert not terms.termination_eligibility(contract, self.TODAY).eligible
        second = make_breach(world.engagement, date(2026, 10, 5))

        result = terms.termination_eligibility(contract, self.TODAY)

        assert result.eligible and result.found == 2
        assert result.breaches == [second, first]
        assert result.counts_from == date(2026, 7, 31)
        assert "may end the contract without penalty" in result.reason

    @pytest.mark.parametrize(
        "other",
        [
            {"severity": "warning"},
            {"status": "resolved_by_data"},  # a data error, not a miss
            {"start": date(2026, 7, 27)},  # started in the evaluation period
            {"start": date(2026, 10, 19)},  # not started yet, in the practice's calendar
        ],
        ids=["warning", "resolved-by-data", "during-evaluation", "future"],
    )
    def test_what_does_not_count(self, world, contract, other):
        make_breach(world.engagement, date(2026, 9, 7))
        make_breach(world.engagement, other.pop("start", date(2026, 10, 5)), **other)
        result = terms.termination_eligibility(contract, self.TODAY)
        assert not result.eligible and result.found == 1
        assert "1 of the 2 SLA breaches within 3 months" in result.reason

    def test_old_breaches_fall_out_of_the_window(self, world, contract):
        make_breach(world.engagement, date(2026, 9, 7))
        make_breach(world.engagement, date(2026, 10, 5))
        assert not terms.termination_eligibility(contract, date(2027, 1, 6)).eligible  # 7 Sep is 4 months back

    def test_a_closed_breach_still_counts_and_another_engagements_does_not(self, world, contract):
        make_breach(world.engagement, date(2026, 9, 7), status="closed")
        make_breach(world.other_engagement, date(2026, 10, 5))
        assert terms.termination_eligibility(contract, self.TODAY).found == 1

    def test_an_ended_or_unstarted_contract_is_never_eligible(self, world, contract):
        contract = services.save_contract(world.engagement, by=world.practice_manager, auto_renew=False)
        assert "ended on 31 Jan 2027" in terms.termination_eligibility(contract, date(2027, 2, 1)).reason
        assert "not started" in terms.termination_eligibility(contract, date(2026, 1, 1)).reason


# --- Reminders --------------------------------------------------------------------------------------------------------


def items(today, kind=None):
    from engagements.models import Engagement

    found = list(terms.due_items(Engagement.objects.all(), today))
    return [item for item in found if kind is None or item.kind == kind]


class TestDueItems:
    def test_a_checkpoint_is_due_from_a_week_before_until_its_outcome_is_recorded(self, world, contract):
        assert items(date(2026, 4, 22), ReminderKind.CHECKPOINT_DUE) == []
        (due,) = items(date(2026, 4, 23), ReminderKind.CHECKPOINT_DUE)
        assert (due.due_on, due.side, due.level, due.engagement) == (
            date(2026, 4, 30),
            Side.PRACTICE,
            "warning",
            world.engagement,
        )
        assert due.url.endswith(f"/contract/#checkpoint-{due.item.pk}")
        (overdue,) = items(date(2026, 5, 10), ReminderKind.CHECKPOINT_DUE)
        assert overdue.level == "danger" and "was due" in overdue.title

        terms.record_checkpoint_outcome(
            overdue.item, by=world.practice_manager, outcome="continue", today=date(2026, 5, 10)
        )
        assert items(date(2026, 5, 10), ReminderKind.CHECKPOINT_DUE) == []

    def test_the_notice_deadline_is_due_from_thirty_days_before_it_to_both_sides(self, contract):
        assert items(date(2026, 11, 1), ReminderKind.NOTICE_DEADLINE) == []  # 31 days before 2 Dec
        (due,) = items(date(2026, 11, 2), ReminderKind.NOTICE_DEADLINE)
        assert (due.due_on, due.side, due.level, due.item) == (date(2026, 12, 2), BOTH, "danger", contract)
        assert items(date(2026, 12, 2), ReminderKind.NOTICE_DEADLINE)
        assert items(date(2026, 12, 3), ReminderKind.NOTICE_DEADLINE) == []

    def test_the_notice_deadline_of_a_renewal_term_is_a_new_reminder(self, contract):
        (due,) = items(date(2027, 11, 15), ReminderKind.NOTICE_DEADLINE)
        assert due.due_on == date(2027, 12, 2)  # the first renewal ends on 31 Jan 2028

    def test_a_long_renewal_is_called_out_to_the_practice_until_its_notice_deadline(self, world, contract):
        assert items(date(2026, 6, 1), ReminderKind.LONG_RENEWAL) == []
        services.save_contract(world.engagement, by=world.practice_manager, renewal_term_months=36)
        (due,) = items(date(2026, 6, 1), ReminderKind.LONG_RENEWAL)
        assert (due.due_on, due.side) == (date(2026, 12, 2), Side.PRACTICE)
        assert items(date(2026, 12, 3), ReminderKind.LONG_RENEWAL) == []
        (next_term,) = items(date(2027, 2, 1), ReminderKind.LONG_RENEWAL)
        assert next_term.due_on == date(2029, 12, 2)  # the renewal runs to 31 Jan 2030

    def test_an_ended_engagement_has_nothing_left_to_remind_of(self, world, contract):
        services.change_engagement_status(world.engagement, EngagementStatus.ENDED, by=world.practice_manager)
        assert items(date(2026, 11, 2)) == []
        assert items(date(2026, 5, 10)) == []


# --- The contract's own dates -----------------------------------------------------------------------------------------


class TestContractDates:
    def test_the_notice_deadline_follows_the_current_term_across_renewals(self, contract):
        assert contract.notice_deadline_on(date(2026, 6, 1)) == date(2026, 12, 2)
        assert contract.notice_deadline_on(date(2027, 2, 1)) == date(2027, 12, 2)
        assert contract.current_term_ends_on(date(2029, 3, 1)) == date(2030, 1, 31)
        assert contract.days_to_notice_deadline(date(2026, 11, 22)) == 10
        assert contract.notice_deadline_near(date(2026, 11, 22))

    def test_today_is_the_practices_date(self, world, contract, monkeypatch):
        # 05:00 UTC on 3 Nov: still 2 Nov in Los Angeles, already 3 Nov in Manila; the deadline is 2 Dec.
        monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 3, 5, 0, tzinfo=UTC))
        contract.engagement.practice.timezone = "America/Los_Angeles"
        assert contract.local_today() == date(2026, 11, 2)
        assert contract.days_to_notice_deadline() == 30
        contract.engagement.practice.timezone = "Asia/Manila"
        assert contract.local_today() == date(2026, 11, 3)
        assert contract.days_to_notice_deadline() == 29
        assert contract.notice_deadline_is_near

    def test_a_contract_recorded_before_checkpoints_existed_gets_them_from_the_migration(self, world):
        contract = services.save_contract(world.engagement, by=world.practice_manager, **TERMS)
        Checkpoint.objects.filter(contract=contract).delete()
        from importlib import import_module

        from django.apps import apps

        import_module("engagements.migrations.0007_terms").generate_checkpoints(apps, None)
        assert [day for _, day, _ in due_dates(contract)] == [date(2026, 4, 30), date(2026, 7, 31)]


def test_the_demo_front_desk_engagement_may_end_without_penalty():
    from io import StringIO

    from django.core.management import call_command

    from engagements.models import Contract

    call_command("seed_demo", stdout=StringIO())
    front_desk = Contract.objects.get(engagement__name="Front desk 2026")
    result = terms.termination_eligibility(front_desk)
    assert result.eligible, result.reason
    assert front_desk.notice_deadline_is_near
    assert not front_desk.checkpoints.pending().filter(due_on__lt=front_desk.local_today()).exists()
    assert Contract.objects.get(engagement__name="Revenue cycle 2026").has_long_renewal
