"""Recognition and consequence: who passed every audit, who needs training and supervision."""

import pytest

from audits.services import recognition
from engagements import services as engagement_services
from engagements.choices import AgentStatus
from tests import factories
from tests.audits.helpers import published_scorecard, submitted_audit

pytestmark = pytest.mark.django_db


def test_recognition_and_support_lists(world):
    version = published_scorecard(world.engagement, world.practice_manager, pass_mark=80)
    world.agent.status = AgentStatus.LIVE
    world.agent.save()
    submitted_audit(world, version, days_ago=2)
    submitted_audit(world, version, days_ago=9)
    struggling = factories.make_agent(world.provider, full_name="Ben Low", status=AgentStatus.LIVE)
    engagement_services.assign_agent(world.engagement, struggling, by=world.provider_manager)
    world.agent, saved = struggling, world.agent
    submitted_audit(world, version, days_ago=3, ids=0)
    world.agent = saved
    unaudited = factories.make_agent(world.provider, full_name="Cy None", status=AgentStatus.LIVE)
    engagement_services.assign_agent(world.engagement, unaudited, by=world.provider_manager)

    entries = recognition.recognition(world.engagement)
    assert [(e.list, e.agent.full_name) for e in entries] == [("recognition", "Ana Reyes"), ("support", "Ben Low")]
    assert "Critical fail" in entries[1].reason


@pytest.mark.django_db
def test_the_demo_shows_bands_plans_sampling_and_a_calibration_report():
    from io import StringIO

    from django.core.management import call_command

    from audits.choices import Band, PlanStatus
    from audits.models import ActionPlan, AuditAssignment, CalibrationSession
    from audits.services import calibration, sampling
    from engagements.models import Engagement

    call_command("seed_demo", stdout=StringIO())
    engagement = Engagement.objects.get(name="Front desk 2026")
    bands = {sampling.band_for(a.agent, engagement).band for a in engagement.assignments.select_related("agent")}
    assert {Band.ON_TARGET, Band.BELOW, Band.CRITICAL} <= bands
    assert set(ActionPlan.objects.values_list("status", flat=True)) == {PlanStatus.EFFECTIVE, PlanStatus.OPEN}
    assert AuditAssignment.objects.filter(
        engagement=engagement, week_start=sampling.week_start(sampling.today_of(engagement))
    ).exists()
    report = calibration.report(CalibrationSession.objects.get(engagement=engagement))
    assert report.submitted == 2 and report.auditors[0].tendency == "kinder"
