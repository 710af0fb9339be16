"""The demo reads like a year of real use on any day: its history is dated when it would have happened."""

import logging

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from engagements.models import Contract, Engagement, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    return Engagement.objects.select_related("practice")


def test_an_engagement_opens_before_its_contract_is_signed_and_walks_its_stages_in_order(demo):
    for engagement in demo:
        contract = Contract.objects.filter(engagement=engagement).first()
        changes = list(engagement.status_changes.order_by("pk").values_list("changed_at", flat=True))
        assert changes == sorted(changes), engagement.name
        assert changes[0].date() == engagement.created_at.date()
        if contract and contract.signed_on <= timezone.localdate():
            assert engagement.created_at.date() < contract.signed_on, engagement.name


def test_due_diligence_is_decided_inside_vetting(demo):
    from engagements.models import DueDiligenceReview

    for review in DueDiligenceReview.objects.exclude(decided_at=None).select_related("engagement"):
        contracting = review.engagement.status_changes.filter(to_status="contracting").first()
        assert review.engagement.created_at < review.decided_at
        if contracting:
            assert review.decided_at <= contracting.changed_at, review.engagement.name


def test_nothing_is_dated_in_the_future_and_the_history_spans_months(demo):
    now = timezone.now()
    stamps = list(LogEntry.objects.values_list("timestamp", flat=True))
    assert max(stamps) <= now and (max(stamps) - min(stamps)).days > 180
    notified = {moment.date() for moment in Notification.objects.values_list("created_at", flat=True)}
    assert len(notified) > 20  # spread over the months of data, not all at the moment the seed ran
    assert max(Notification.objects.values_list("created_at", flat=True)) <= now


def test_running_the_seed_again_redates_nothing(demo):
    before = dict(LogEntry.objects.values_list("pk", "timestamp"))
    opened = dict(Engagement.objects.values_list("pk", "created_at"))
    call_command("seed_demo", verbosity=0)
    assert {pk: stamp for pk, stamp in LogEntry.objects.values_list("pk", "timestamp") if pk in before} == before
    assert dict(Engagement.objects.values_list("pk", "created_at")) == opened


def test_eager_celery_tasks_do_not_log_a_line_each():
    assert logging.getLogger("celery.app.trace").getEffectiveLevel() >= logging.WARNING
