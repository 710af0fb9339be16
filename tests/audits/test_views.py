"""The quality pages: what they show, the live score, CSV export, and constant queries as audits grow."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import QualityAudit
from audits.services import audits as audit_services
from audits.services import disputes
from tests.audits.helpers import FULL_MARKS, criteria, ratings, submitted_audit

pytestmark = pytest.mark.django_db


def test_the_rating_form_shows_criteria_by_section_and_warns_about_patient_data(client, world, version):
    audit = submitted_audit(world, version, submit=False)
    client.force_login(world.provider_manager)
    page = client.get(reverse("audits:audit_rate", args=[audit.pk])).content.decode()
    form = page[page.index("Opening") :]  # the menu above has a "Compliance" entry of its own
    assert form.index("Greeting and identification") < form.index("Compliance")
    assert "must not contain patient details" in page and "audits/live_score.js" in page
    assert "<script>" not in page.replace("<script src=", "")  # no inline script: the CSP allows files only
    assert ">N/A<" in page  # where allowed (insurance)


def test_the_live_score_comes_from_the_one_score_function(client, world, version):
    audit = submitted_audit(world, version, submit=False)
    client.force_login(world.provider_manager)
    found = criteria(version)
    url = reverse("audits:audit_score_preview", args=[audit.pk])
    body = {f"rating_{found['Greeting and identification'].pk}": "1", f"rating_{found['Empathy and tone'].pk}": "3"}
    answer = client.post(url, body).json()
    assert answer["score"] == "83.33" and answer["rated"] == 2 and answer["total"] == 4  # (2 + 0.5) / 3
    body[f"rating_{found['Two patient identifiers verified'].pk}"] = "0"
    answer = client.post(url, body).json()
    assert answer["score"] == "0.00" and answer["critical_failed"] and answer["score_before_critical"] == "41.67"


def test_rating_and_submitting_from_the_form(client, world, version):
    audit = audit_services.create_audit(
        engagement=world.engagement,
        agent=world.agent,
        version=version,
        by=world.provider_manager,
        interaction_ref="CALL-9",
        interaction_date=timezone.localdate(),
    )
    client.force_login(world.provider_manager)
    url = reverse("audits:audit_rate", args=[audit.pk])
    form = {
        f"rating_{pk}": str(spec.get("value", "na")) if "value" in spec else "na"
        for pk, spec in ratings(version, **FULL_MARKS).items()
    }
    incomplete = dict(list(form.items())[:2])
    page = client.post(url, {**incomplete, "submit": "1", "feedback": "Nice"})
    assert page.status_code == 200 and "Rate every criterion" in page.content.decode()
    audit.refresh_from_db()
    assert audit.is_draft
    response = client.post(url, {**form, "submit": "1", "feedback": "Nice"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == "submitted" and audit.score == 100 and audit.feedback == "Nice"


def test_the_audit_page_shows_the_score_and_the_agent_acknowledges(client, world, version):
    audit = submitted_audit(world, version, ids=0)
    client.force_login(world.agent_user)
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Critical fail" in page and "Good call overall." in page and "I have read this feedback" in page
    client.post(reverse("audits:audit_acknowledge", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == "acknowledged" and not audit.acknowledged_on_behalf


def test_the_qa_page_shows_rates_the_pareto_and_agents(client, world, version):
    submitted_audit(world, version, days_ago=1)
    submitted_audit(world, version, days_ago=2, ids=0, greeting=0)
    submitted_audit(world, version, days_ago=3, greeting=0, by=world.practice_manager)
    client.force_login(world.practice_manager)
    response = client.get(reverse("audits:engagement_qa", args=[world.engagement.pk]))
    context = response.context
    assert context["summary"].audits == 3 and context["summary"].auto_fail_rate == Decimal("33.33")
    assert context["pareto"][0]["name"] == "Greeting and identification" and context["pareto"][0]["failures"] == 2
    assert context["agents"][0]["agent"] == world.agent and context["agents"][0]["audits"] == 3
    assert sum(context["trend"]["counts"]) == 3
    page = response.content.decode()
    assert "qa-trend-data" in page and "audits/qa_charts.js" in page


def test_the_engagement_page_has_a_quality_card(client, world, version):
    submitted_audit(world, version)
    client.force_login(world.practice_staff)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert (
        'data-testid="quality-summary"' in page and reverse("audits:engagement_qa", args=[world.engagement.pk]) in page
    )


def test_the_agent_home_lists_feedback_to_read_and_dispute_outcomes(client, world, version):
    audit = submitted_audit(world, version, by=world.practice_manager, greeting=0)
    greeting = criteria(version)["Greeting and identification"]
    dispute = disputes.raise_dispute(audit, by=world.agent_user, reason="I did.", items={greeting.pk: {"value": 1}})
    disputes.decide_dispute(
        dispute, by=world.practice_manager, note="Heard it: accepted.", decisions={greeting.pk: {"decision": "accept"}}
    )
    submitted_audit(world, version, days_ago=2)
    client.force_login(world.agent_user)
    page = client.get(reverse("audits:agent_home")).content.decode()
    assert 'data-testid="to-acknowledge"' in page and "Heard it: accepted." in page and "score now 100" in page


def test_the_csv_export_has_the_filtered_audits(client, world, version):
    submitted_audit(world, version, days_ago=1)
    submitted_audit(world, version, days_ago=2, ids=0)
    client.force_login(world.practice_manager)
    response = client.get(reverse("audits:audit_list") + "?critical_failed=true&_export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 and rows[0]["Result"] == "critical fail" and rows[0]["Agent"] == "Ana Reyes"


def test_starting_from_a_starter_scorecard(client, world):
    client.force_login(world.practice_manager)
    response = client.post(
        reverse("audits:scorecard_create"),
        {"engagement": world.engagement.pk, "starter": "front_office", "pass_mark": "85"},
    )
    scorecard = world.engagement.scorecards.get()
    assert response.status_code == 302 and scorecard.name == "Eye-care front office"
    draft = scorecard.draft_version
    critical = {c.name for c in draft.ordered_criteria() if c.critical}
    assert critical == {
        "Two patient identifiers verified before disclosing anything",
        "HIPAA minimum-necessary disclosure",
    }
    assert len(draft.ordered_criteria()) == 9


def _many_audits(world, version, n):
    for day in range(n):
        submitted_audit(world, version, days_ago=day % 20 + 1, tone=(day % 5) + 1)


@pytest.mark.parametrize(
    "url",
    [
        "/audits/",
        "/audits/?_export=csv",
        "/disputes/",
        "/scorecards/",
        "/me/audits/",
        "/api/v1/audits/",
        "/api/v1/disputes/",
        "/api/v1/scorecards/",
        "QA",
        "AGENT",
    ],
)
def test_list_queries_do_not_grow_with_audits(client, world, version, url):
    user = world.agent_user if url == "/me/audits/" else world.provider_manager
    client.force_login(user)
    url = {"QA": f"/engagements/{world.engagement.pk}/quality/", "AGENT": f"/agents/{world.agent.pk}/quality/"}.get(
        url, url
    )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _many_audits(world, version, 2)
    few = count()
    _many_audits(world, version, 12)
    assert QualityAudit.objects.count() == 14
    assert count() == few


def test_interaction_date_in_the_future_is_refused_on_the_form(client, world, version):
    client.force_login(world.provider_manager)
    response = client.post(
        reverse("audits:audit_create") + f"?engagement={world.engagement.pk}",
        {
            "engagement": world.engagement.pk,
            "agent": world.agent.pk,
            "version": version.pk,
            "interaction_type": "call",
            "interaction_ref": "jane@example.com",
            "interaction_date": str(timezone.localdate() + timedelta(days=1)),
        },
    )
    assert response.status_code == 200 and "e-mail address" in response.content.decode()
    assert not QualityAudit.objects.exists()


def test_other_areas_add_actions_to_an_audits_page_through_the_extension_registry(client, world, version):
    from audits import extensions

    def plan_action(request, audit):
        return ("Start an action plan", "/plans/new/") if not audit.passed else None

    extensions.register(extensions.AUDIT_ACTIONS, plan_action)
    try:
        failed = submitted_audit(world, version, ids=0)
        passed = submitted_audit(world, version, days_ago=2)
        client.force_login(world.provider_manager)
        assert "Start an action plan" in client.get(failed.get_absolute_url()).content.decode()
        assert "Start an action plan" not in client.get(passed.get_absolute_url()).content.decode()
    finally:
        extensions.AUDIT_ACTIONS.remove(plan_action)


def test_the_coaching_areas_show_on_the_core_pages_through_their_registries(client, world, version):
    """A failed audit offers an action plan; the QA page links the queue, sampling, recognition and calibration and
    shows coverage; an agent's quality page shows their sampling band — and an agent sees none of it."""
    failed = submitted_audit(world, version, ids=0)  # a critical criterion failed
    client.force_login(world.provider_manager)
    page = client.get(reverse("audits:audit_detail", args=[failed.pk])).content.decode()
    assert reverse("audits:action_plan_from_audit", args=[failed.pk]) in page
    passed = submitted_audit(world, version, days_ago=2)
    page = client.get(reverse("audits:audit_detail", args=[passed.pk])).content.decode()
    assert reverse("audits:action_plan_from_audit", args=[passed.pk]) not in page

    qa = client.get(reverse("audits:engagement_qa", args=[world.engagement.pk])).content.decode()
    for url in (reverse("audits:queue"), reverse("audits:sampling", args=[world.engagement.pk])):
        assert url in qa
    assert 'data-testid="coaching-panel"' in qa
    agent_page = client.get(reverse("audits:agent_quality", args=[world.agent.pk])).content.decode()
    assert 'data-testid="agent-band-panel"' in agent_page

    client.force_login(world.agent_user)
    assert (
        reverse("audits:action_plan_from_audit", args=[failed.pk])
        not in client.get(reverse("audits:audit_detail", args=[failed.pk])).content.decode()
    )
