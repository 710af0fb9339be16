"""The home chart shows what the stage counters do not: open SLA breaches by engagement over the last 12 weeks."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from slas.models import Breach
from slas.templatetags.sla import breach_trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    return get_user_model().objects


def test_each_engagement_with_open_breaches_gets_a_series_of_twelve_weeks(demo):
    trend = breach_trend(demo.get(email="manager@riverside.example"))
    assert len(trend["labels"]) == 12
    open_now = Breach.objects.filter(
        target__engagement__name="Front desk 2026", severity="breach", resolved_at=None
    ).count()
    front_desk = next(series for series in trend["series"] if series["label"] == "Front desk 2026")
    assert len(front_desk["values"]) == 12 and front_desk["values"][-1] == open_now > 0


def test_it_counts_only_the_users_engagements(demo):
    trend = breach_trend(demo.get(email="manager@clearview.example"))
    assert [series["label"] for series in trend["series"]] == ["Front desk 2026"]  # not Northstar's Claims and A/R


def test_the_home_page_shows_the_trend_instead_of_repeating_the_stage_counters(client, demo):
    client.force_login(demo.get(email="manager@summit.example"))
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="breach-trend"' in page and "status-chart" not in page
    assert "No SLA breaches were open in the last 12 weeks." in page
