"""Agents sign in: a provider's managers invite an agent like any colleague, linked to their Agent record; the
agent's login holds no permission on any engagement and reaches none of their side's rows."""

import pytest
from django.urls import reverse
from guardian.shortcuts import get_objects_for_user

from bpo_portal.errors import DomainError
from engagements import services
from engagements.access import engagements_for
from engagements.choices import Role, TokenKind
from engagements.models import Agent, Invitation, Membership
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "lens-and-frames-42"


def test_a_provider_manager_invites_an_agent_and_the_login_is_linked(client, world):
    agent = factories.make_agent(world.provider, full_name="Rosa Lim")
    client.force_login(world.provider_manager)
    people = client.get(reverse("engagements:people")).content.decode()
    assert "Rosa Lim" in people  # offered in the invitation form: agents without a login
    client.post(reverse("engagements:invite"), {"email": "rosa@example.test", "role": "agent", "agent": agent.pk})
    invitation = Invitation.objects.get(email="rosa@example.test")
    assert invitation.role == Role.AGENT and invitation.agent == agent
    _, link = services.invite_member(
        organization=world.provider, email="rosa2@example.test", role=Role.AGENT, by=world.provider_manager, agent=agent
    )
    client.logout()
    client.post(
        link.replace("http://127.0.0.1:8000", ""),
        {"first_name": "Rosa", "last_name": "Lim", "password": PASSWORD, "password_again": PASSWORD},
    )
    membership = Membership.objects.get(user__email="rosa2@example.test")
    assert membership.is_agent and membership.agent == agent and membership.provider == world.provider


def test_a_second_login_for_the_same_agent_is_refused(world):
    with pytest.raises(DomainError, match="already has a login"):
        services.invite_member(
            organization=world.provider,
            email="x@example.test",
            role=Role.AGENT,
            by=world.provider_manager,
            agent=world.agent,
        )


def test_only_a_provider_invites_agents_and_only_its_own(world):
    with pytest.raises(DomainError, match="Only a provider"):
        services.invite_member(
            organization=world.practice,
            email="a@example.test",
            role=Role.AGENT,
            by=world.practice_manager,
            agent=world.agent,
        )
    with pytest.raises(DomainError, match="does not work for your provider"):
        services.invite_member(
            organization=world.provider,
            email="b@example.test",
            role=Role.AGENT,
            by=world.provider_manager,
            agent=world.other_agent,
        )
    with pytest.raises(DomainError, match="Choose the agent"):
        services.invite_member(
            organization=world.provider, email="c@example.test", role=Role.AGENT, by=world.provider_manager
        )
    assert not Invitation.objects.filter(role=Role.AGENT).exists()


def test_an_agent_login_holds_no_permission_on_any_engagement(world):
    assert not engagements_for(world.agent_user).exists()
    assert not get_objects_for_user(world.agent_user, "engagements.view_engagement", accept_global_perms=False).exists()
    assert not Agent.objects.for_user(world.agent_user).exists()
    assert not Membership.objects.for_user(world.agent_user).exists()


def test_an_agents_role_cannot_be_changed_into_a_colleagues(world):
    with pytest.raises(DomainError):
        services.change_member_role(world.agent_user.membership, Role.MANAGER, by=world.provider_manager)
    world.agent_user.membership.refresh_from_db()
    assert world.agent_user.membership.is_agent


def test_the_database_refuses_an_agent_login_without_an_agent_record(world):
    from django.db import IntegrityError, transaction

    user = factories.make_member(world.provider, Role.STAFF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=user).update(role=Role.AGENT)


def test_an_agent_signs_in_to_their_own_home_without_the_workspace(client, world):
    client.force_login(world.agent_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("audits:agent_home")
    page = client.get(response.url).content.decode()
    assert 'data-testid="nav-my-audits"' in page
    for workspace in ("engagements:engagement_list", "slas:portfolio", "engagements:agent_list", "engagements:people"):
        assert f'href="{reverse(workspace)}"' not in page


def test_an_agents_token_reads_only_their_own_things(world, api):
    client = api.as_user(world.agent_user)
    assert client.get("/api/v1/engagements/").json()["results"] == []
    assert client.get("/api/v1/agents/").json()["results"] == []
    assert client.get("/api/v1/measurements/").json()["results"] == []
    assert client.get(f"/api/v1/engagements/{world.engagement.pk}/").status_code == 404
    assert client.get(f"/api/v1/agents/{world.agent.pk}/").status_code == 404


def test_an_agent_may_make_a_personal_token_only(world):
    _, raw = services.create_api_token(name="mine", kind=TokenKind.PERSONAL, by=world.agent_user)
    assert raw.startswith("bpo_")
    with pytest.raises(DomainError):
        services.create_api_token(name="feed", kind=TokenKind.INTEGRATION, by=world.agent_user, provider=world.provider)
