"""Announcing breaches in bulk (issue 14): a recompute that opens 30 breaches costs the same queries as one that
opens 3, and still tells each manager once per breach and severity."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.access import engagement_managers
from engagements.models import Notification
from slas import rollups
from slas.models import Breach

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def unannounced(sla, monkeypatch):
    """`make(count, metric)`: a daily target with `count` breached days in March 2026 whose breaches were opened
    but not announced yet (the recompute's `_notify` held back), and the target."""
    real = rollups._notify

    def make(count, metric):
        monkeypatch.setattr(rollups, "_notify", lambda *args: [])
        target = sla.target(metric, 80, period="day")
        sla.push(
            [
                sla.row(metric, MARCH + timedelta(days=n), numerator=1, denominator=10, external_id=f"{metric}-{n}")
                for n in range(count)
            ]
        )
        monkeypatch.setattr(rollups, "_notify", real)
        assert Breach.objects.filter(target=target, notified_severity="").count() == count
        return target

    return make


def announce(target):
    with CaptureQueriesContext(connection) as queries:
        announced = rollups._notify([target.pk], timezone.now())
    return announced, len(queries.captured_queries)


def test_announcing_3_or_30_breaches_takes_the_same_queries(unannounced, world):
    few, many = unannounced(3, "service_level"), unannounced(30, "first_call_resolution")

    announced_few, queries_few = announce(few)
    announced_many, queries_many = announce(many)

    assert (len(announced_few), len(announced_many)) == (3, 30)
    # read and lock the breaches, stamp them, their engagements' managers, who was told already, the notifications
    assert queries_few == queries_many == 5
    assert not Breach.objects.filter(notified_severity="").exists()
    assert set(Breach.objects.values_list("notified_severity", flat=True)) == {"breach"}
    managers = {world.practice_manager.pk, world.provider_manager.pk}
    for breach in Breach.objects.all():
        told = Notification.objects.filter(key=f"breach:{breach.pk}:breach")
        assert set(told.values_list("user_id", flat=True)) == managers
        assert told.first().url.endswith(f"/breaches/{breach.pk}/")
    assert Notification.objects.count() == 2 * 33


def test_a_second_run_announces_nothing_and_does_one_query(unannounced):
    target = unannounced(4, "service_level")
    announce(target)
    assert announce(target) == ([], 1)
    assert Notification.objects.count() == 8


def test_a_warning_that_worsens_is_announced_once_more_in_bulk(sla, world):
    target = sla.target("service_level", 80, period="day", warning_threshold=90)
    days = [MARCH + timedelta(days=n) for n in range(3)]
    sla.push([sla.row("service_level", day, numerator=85, denominator=100) for day in days])
    assert Notification.objects.count() == 6  # three warnings, both sides
    sla.push([sla.row("service_level", day, numerator=0, denominator=400) for day in days])  # 17%: breaches
    breaches = Breach.objects.filter(target=target)
    assert set(breaches.values_list("severity", "notified_severity")) == {("breach", "breach")}
    worse = Notification.objects.filter(key__endswith=":breach", user=world.practice_manager)
    assert worse.count() == 3 and all("was a warning before" in n.body for n in worse)
    assert Notification.objects.count() == 12


def test_managers_of_many_engagements_are_each_engagements_managers(world):
    from tests import factories

    third = factories.make_engagement(world.practice, world.other_provider, by=world.practice_manager, name="Third")
    engagements = [world.engagement, world.other_engagement, third]
    found = rollups.managers_of(engagements)
    for engagement in engagements:
        assert sorted(u.pk for u in found[engagement.pk]) == sorted(
            engagement_managers(engagement).values_list("pk", flat=True)
        )
        assert found[engagement.pk]
    assert rollups.managers_of([]) == {}
