"""The responsibilities pages: the matrix (states, missing reasons, the readiness columns other areas register,
filters, paging, CSV), the grant form that shows what is missing, the ladder editor, and the onboarding page's
section and timeline."""

from datetime import timedelta

import pytest
from django.test import Client

from engagements.choices import AgentStatus
from engagements.models import ServiceLine
from onboarding import readiness
from onboarding.models import Responsibility, Rung, TrainingCompletion
from onboarding.readiness import Cell
from onboarding.services import responsibilities as services
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.responsibilities.conftest import make_ready, today

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _matrix(world, user=None, query=""):
    return _client(user or world.practice_manager).get(f"/engagements/{world.engagement.pk}/responsibilities/{query}")


@pytest.fixture
def two_agents(world, setup):
    """Ana holds scheduling; Bo's is suspended (HIPAA expired); Cy is in training."""
    make_ready(world, setup)
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    bo = factories.make_agent(world.provider, full_name="Bo Lapsed")
    bo_onboarding = make_onboarding(world.engagement, agent=bo, stage=AgentStatus.LIVE)
    make_ready(world, setup, agent=bo, user=world.provider_manager)
    services.grant(bo_onboarding, setup.first, by=world.provider_manager)
    TrainingCompletion.objects.filter(agent=bo).update(expires_on=today() - timedelta(days=1))
    services.recheck_all()
    make_onboarding(world.engagement, agent=factories.make_agent(world.provider, full_name="Cy Trainee"))
    return bo


def test_the_matrix_shows_held_suspended_why_and_missing_what_beside_registered_readiness(
    world, setup, two_agents, monkeypatch
):
    def source(onboardings):
        return {o.pk: Cell(f"{o.agent.full_name[:2]} ok") for o in onboardings}

    column = (10, "training_test", "Training (test)", source)
    monkeypatch.setattr(readiness, "COLUMNS", [column])
    page = _matrix(world).content.decode()
    assert "Training (test)" in page and "An ok" in page and "Bo ok" in page
    assert "Held" in page and "Suspended" in page and "Module “HIPAA essentials” not passed or expired." in page
    assert "not live" in page  # Cy, in training
    assert "Grant" not in page.split("responsibilities-matrix")[1]  # the practice sees, but does not grant


def test_the_matrix_filters_by_state_on_a_line_and_by_name(world, setup, two_agents):
    page = _matrix(world, query="?state=suspended&line=scheduling").content.decode()
    assert "Bo Lapsed" in page and "Ana Reyes" not in page
    page = _matrix(world, query="?q=cy").content.decode()
    assert "Cy Trainee" in page and "Bo Lapsed" not in page
    page = _matrix(world, query="?stage=live").content.decode()
    assert "Cy Trainee" not in page and "Ana Reyes" in page


def test_the_matrix_exports_the_filtered_rows_as_csv(world, setup, two_agents):
    response = _matrix(world, query="?stage=live&_export=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("Agent,Employee ID,Stage,Appointment scheduling and reminders")
    assert len(lines) == 3 and any(line.startswith("Bo Lapsed") and "suspended" in line for line in lines)


def test_the_matrix_pages_its_agents(world, setup):
    for n in range(27):
        make_onboarding(world.engagement, agent=factories.make_agent(world.provider, full_name=f"Zz Agent {n:02d}"))
    first = _matrix(world).content.decode()
    assert "Page 1 of 2" in first and "Zz Agent 26" not in first
    assert "Zz Agent 26" in _matrix(world, query="?page=2").content.decode()


def test_the_grant_form_shows_what_is_missing_and_a_refused_post_changes_nothing(world, setup):
    url = f"/onboardings/{setup.onboarding.pk}/responsibilities/{setup.first.pk}/grant/"
    client = _client(world.provider_manager)
    page = client.get(url).content.decode()
    assert "Module “HIPAA essentials” not passed or expired." in page and "Document “NDA”" in page
    response = client.post(url)
    assert response.status_code == 302 and not Responsibility.objects.exists()
    make_ready(world, setup)
    assert "Every prerequisite holds." in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Responsibility.objects.get().is_held


def test_the_grant_page_revokes_and_reinstates(world, setup):
    make_ready(world, setup)
    grant = services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    client = _client(world.provider_manager)
    client.post(f"/responsibilities/{grant.pk}/revoke/", {"reason": ""})
    grant.refresh_from_db()
    assert grant.is_held  # no reason, no revocation
    client.post(f"/responsibilities/{grant.pk}/revoke/", {"reason": "Moved to claims."})
    grant.refresh_from_db()
    assert grant.status == "revoked"
    page = client.get(f"/responsibilities/{grant.pk}/").content.decode()
    assert "Moved to claims." in page and "Bea Account" in page


def test_the_ladder_editor_sets_the_default_then_adds_edits_moves_and_removes_rungs(world):
    client = _client(world.practice_manager)
    base = f"/engagements/{world.engagement.pk}/ladder/"
    assert "Start from the default ladder" in client.get(base).content.decode()
    client.post(base + "default/")
    assert Rung.objects.filter(ladder__engagement=world.engagement).count() == 5
    data_entry = ServiceLine.objects.get(code="data_entry")
    client.post(base + "rungs/", {"service_line": data_entry.pk, "hold_weeks": 2, "target_days": 28})
    rung = Rung.objects.get(service_line=data_entry)
    assert rung.position == 6
    response = client.post(
        f"/ladder-rungs/{rung.pk}/edit/",
        {
            "service_line": data_entry.pk,
            "hold_weeks": 3,
            "target_metric": "pass_rate",
            "target_threshold": "80",
            "target_days": 14,
        },
    )
    assert response.status_code == 302
    rung.refresh_from_db()
    assert (rung.hold_weeks, rung.target_metric, rung.target_days) == (3, "pass_rate", 14)
    client.post(f"/ladder-rungs/{rung.pk}/move/", {"direction": "up"})
    rung.refresh_from_db()
    assert rung.position == 5
    client.post(f"/ladder-rungs/{rung.pk}/delete/")
    assert not Rung.objects.filter(pk=rung.pk).exists()
    page = client.get(base).content.decode()
    rungs_table = page.split('data-testid="ladder-rungs"')[1].split("</table>")[0]
    assert "Data entry" not in rungs_table and "Billing" in rungs_table


def test_a_target_without_a_threshold_is_refused_by_the_editor(world, setup):
    rung = setup.rungs[2]
    response = _client(world.provider_manager).post(
        f"/ladder-rungs/{rung.pk}/edit/",
        {"service_line": rung.service_line_id, "hold_weeks": 4, "target_metric": "quality_score", "target_days": 28},
    )
    assert response.status_code == 200 and "A target needs its threshold." in response.content.decode()


def test_the_onboarding_page_shows_the_rungs_held_and_next_and_the_timeline(world, setup):
    make_ready(world, setup)
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    page = _client(world.practice_staff).get(setup.onboarding.get_absolute_url()).content.decode()
    assert 'data-testid="onboarding-responsibilities"' in page
    assert "Appointment scheduling and reminders: granted" in page
    assert "is not held" not in page.split("onboarding-responsibilities")[1].split("Customer service")[0]


def test_the_engagement_page_has_a_responsibilities_card(world, setup):
    page = _client(world.provider_staff).get(world.engagement.get_absolute_url()).content.decode()
    assert 'data-testid="responsibilities-card"' in page
