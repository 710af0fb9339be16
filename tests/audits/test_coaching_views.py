"""The calibration, coaching, sampling and recognition pages, driven as a person would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import ActionPlan, AuditAssignment, CalibrationSession, SamplingPolicy
from audits.services import calibration
from engagements.choices import AgentStatus
from tests.audits.coaching_helpers import marks, session
from tests.audits.helpers import criteria, published_scorecard, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    world.agent.status = AgentStatus.LIVE
    world.agent.save()
    return published_scorecard(world.engagement, world.practice_manager)


def test_a_manager_opens_a_session_and_the_panel_scores_it_blind(world, version, client):
    client.force_login(world.practice_manager)
    url = f"/engagements/{world.engagement.pk}/calibration/new/"
    assert client.get(url).status_code == 200
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "title": "Call 42",
            "version": version.pk,
            "interaction_type": "call",
            "interaction_ref": "CALL-42",
            "interaction_date": timezone.localdate().isoformat(),
            "deadline": deadline,
            "expert": world.practice_manager.pk,
            "participants": [world.provider_manager.pk],
        },
    )
    s = CalibrationSession.objects.get()
    assert response.status_code == 302 and response.url == s.get_absolute_url()

    form = {f"c{pk}": str(v["value"]) for pk, v in marks(version, tone=2).items()}
    client.post(f"/calibration/{s.pk}/score/", {**form, "submit": "1"})
    client.force_login(world.provider_manager)
    page = client.get(s.get_absolute_url()).content.decode()
    assert 'data-testid="score-form"' in page and 'data-testid="calibration-report"' not in page

    client.post(
        f"/calibration/{s.pk}/score/",
        {**{f"c{pk}": str(v["value"]) for pk, v in marks(version).items()}, "submit": "1"},
    )
    page = client.get(s.get_absolute_url()).content.decode()
    assert 'data-testid="calibration-report"' in page and "kinder" in page
    history = client.get(f"/calibration/auditors/{world.provider_manager.pk}/").content.decode()
    assert "Call 42" in history and "calibration-history-data" in history


def test_start_an_action_plan_fills_in_the_failed_criteria(world, version, client):
    audit = submitted_audit(world, version, days_ago=2, greeting=0)
    client.force_login(world.provider_manager)
    url = f"/audits/{audit.pk}/action-plan/new/"
    page = client.get(url).content.decode()
    assert "Improve “Greeting and identification”." in page
    greeting = criteria(version)["Greeting and identification"]
    soon = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        url,
        {
            "title": "Greeting coaching",
            "owner": world.provider_manager.pk,
            "due_on": soon,
            "follow_up_on": soon,
            "item0_description": "Use the full greeting script.",
            "item0_criteria": [greeting.pk],
            "item1_description": "",
            "item2_description": "Shadow a senior agent for two calls.",
        },
    )
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert [i.description for i in plan.items.all()] == [
        "Use the full greeting script.",
        "Shadow a senior agent for two calls.",
    ]
    assert list(plan.items.first().criteria.all()) == [greeting]
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Use the full greeting script." in page


def test_a_refused_plan_form_saves_nothing(world, version, client):
    audit = submitted_audit(world, version, days_ago=2, greeting=0)
    client.force_login(world.provider_manager)
    response = client.post(
        f"/audits/{audit.pk}/action-plan/new/",
        {
            "title": "x",
            "owner": world.provider_manager.pk,
            "due_on": "2020-01-01",
            "follow_up_on": "2020-01-01",
            "item0_description": "Something",
        },
    )
    assert response.status_code == 200 and "past" in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_sampling_policy_schedule_queue_and_completion(world, version, client):
    client.force_login(world.provider_manager)
    base = f"/engagements/{world.engagement.pk}/sampling/"
    response = client.post(
        base + "edit/",
        {
            "on_target_per_week": 1,
            "below_per_week": 3,
            "ramp_per_week": 6,
            "trailing_weeks": 4,
            "clean_weeks": 4,
            "recognition_weeks": 4,
            "active": "on",
        },
    )
    assert response.status_code == 302 and SamplingPolicy.objects.get().below_per_week == 3
    client.post(base + "schedule/")
    assert AuditAssignment.objects.count() == 3
    page = client.get(base).content.decode()
    assert "Below the pass mark" in page and "coverage-chart-data" in page and "No scored audit" in page
    queue = client.get("/audits/queue/").content.decode()
    assert "Ana Reyes" in queue
    audit = submitted_audit(world, version, days_ago=1)  # does one assignment on its own
    assert AuditAssignment.objects.filter(audit=audit).exists()
    assert "1" in client.get(base).content.decode()


def test_recognition_exports_csv(world, version, client):
    submitted_audit(world, version, days_ago=1)
    client.force_login(world.practice_manager)
    response = client.get(f"/engagements/{world.engagement.pk}/recognition/?_export=csv")
    assert response.status_code == 200 and "Ana Reyes" in response.content.decode()
    assert "Recognition" in client.get(f"/engagements/{world.engagement.pk}/recognition/").content.decode()


def test_the_two_sided_page_shows_the_gap(world, version, client):
    s = session(world, version)
    calibration.save_scores(s, by=world.practice_manager, ratings=marks(version, tone=3), submit=True)
    calibration.save_scores(s, by=world.provider_manager, ratings=marks(version), submit=True)
    client.force_login(world.practice_staff)
    page = client.get(f"/engagements/{world.engagement.pk}/calibration/two-sided/").content.decode()
    assert 'data-testid="mean-gap"' in page and "7.14" in page  # tone 3 of 5 costs half of 1 weight in 7
