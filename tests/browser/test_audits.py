"""Quality audits in the browser: an auditor audits an agent, the agent signs in, reads the feedback and disputes
it, the provider's manager decides, and the corrected score is what the SLA page shows."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from audits.models import QualityAudit
from engagements.choices import Role
from slas import services as sla_services
from slas.models import Metric, SLATarget
from slas.periods import local_today
from tests import factories
from tests.audits.helpers import published_scorecard
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as_agent(open_session, user):
    """Agents land on their own home, not the workspace's (so not through `log_in`, which expects "/")."""
    page = open_session()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_an_audit_disputed_by_the_agent_and_decided_corrects_the_quality_score(world, log_in, open_session):
    today = local_today(world.practice.timezone)
    version = published_scorecard(world.engagement, world.provider_manager)
    target = sla_services.save_target(
        SLATarget(
            engagement=world.engagement,
            metric=Metric.objects.get(code="quality_score"),
            threshold=Decimal("85"),
            effective_from=today.replace(day=1),
        ),
        by=world.practice_manager,
    )
    qa_lead = factories.make_member(world.provider, Role.MANAGER, first_name="Quinn", last_name="Lead")

    # The QA lead audits Ana's call: the identifiers were (so it seems) not verified — a critical fail.
    auditor = log_in(qa_lead)
    errors = []
    auditor.on("pageerror", lambda error: errors.append(str(error)))
    auditor.goto(f"/engagements/{world.engagement.pk}/quality/")
    auditor.get_by_test_id("new-audit").click()
    auditor.get_by_label("Agent").select_option(label="Ana Reyes")
    auditor.get_by_label("Scorecard").select_option(label=str(version))
    auditor.get_by_label("Interaction reference").fill("CALL-20261201-0042")
    auditor.get_by_label("Interaction date").fill(today.isoformat())
    auditor.get_by_role("button", name="Save").click()
    expect(auditor).to_have_url(re.compile(r"/audits/\d+/rate/$"))
    auditor.get_by_label("Greeting and identification").select_option(label="Yes")
    auditor.get_by_label("Empathy and tone").select_option(label="5")
    auditor.get_by_label("Insurance captured").select_option(label="4")
    expect(auditor.locator("#live-score")).to_have_text("100.00")  # the live score, from the server's function
    auditor.get_by_label("Two patient identifiers verified").select_option(label="No")
    expect(auditor.locator("#live-score")).to_have_text("0.00")
    expect(auditor.locator("#live-result")).to_contain_text("Critical fail")
    auditor.get_by_label("Overall feedback").fill("Identifiers not checked before the appointment was read out.")
    auditor.get_by_test_id("submit-audit").click()
    expect(auditor.get_by_test_id("score")).to_have_text("0.00")
    audit = QualityAudit.objects.get()
    assert audit.critical_failed and audit.auditor == qa_lead

    # Ana signs in to her own home, reads the feedback and disputes the identifiers rating.
    agent = sign_in_as_agent(open_session, world.agent_user)
    expect(agent).to_have_url(re.compile(r"/me/audits/$"))
    expect(agent.get_by_role("link", name="Engagements")).to_have_count(0)
    agent.get_by_test_id("to-acknowledge").get_by_role("link").click()
    expect(agent.get_by_test_id("feedback")).to_contain_text("Identifiers not checked")
    agent.get_by_test_id("dispute").click()
    agent.get_by_label("Two patient identifiers verified").select_option(label="Yes")
    agent.get_by_label("Reason").fill("I verified name and date of birth before the transfer; it is in the notes.")
    agent.get_by_role("button", name="Raise dispute").click()
    expect(agent.get_by_test_id("dispute-status")).to_have_text("Open")

    # The account manager (not the auditor) decides: accepted.
    manager = log_in(world.provider_manager)
    manager.goto("/disputes/?to_decide=on")
    manager.get_by_test_id("dispute-table").locator("tbody a").first.click()
    manager.get_by_test_id("decide-form").locator("select[name^=decision_]").select_option("accept")
    manager.get_by_label("Decision note").fill("Listened again: verified before the transfer. Accepted.")
    manager.get_by_test_id("decide").click()
    expect(manager.get_by_test_id("outcome")).to_contain_text("Score now 100.00")

    # Ana sees the outcome; the SLA page shows the corrected quality score.
    agent.reload()
    expect(agent.get_by_test_id("dispute-status")).to_have_text("Decided")
    expect(agent.get_by_test_id("score")).to_have_text("100.00")
    practice = log_in(world.practice_manager)
    practice.goto(f"/engagements/{world.engagement.pk}/slas/")
    expect(practice.locator(f"#target-{target.pk}").get_by_test_id("current-value")).to_have_text("100 / 100")
    audit.refresh_from_db()
    assert audit.score == 100 and audit.score_history.get().score == 0
    assert errors == []
