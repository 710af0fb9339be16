"""Who gets into the API and what each identity reaches: tokens, sessions, outsiders, staff and integrations."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import TokenKind
from engagements.models import ApiToken, Engagement, Practice

pytestmark = pytest.mark.django_db

LISTS = ["practice-list", "provider-list", "engagement-list", "agent-list", "serviceline-list", "api-me"]


def url(name, *args):
    return reverse(name, args=args)


def ids(response):
    return {row["id"] for row in response.data["results"]}


def home_objects(world):
    """Detail URLs of the home tenant's engagement, agent and practice."""
    return {
        "engagement": url("engagement-detail", world.engagement.pk),
        "agent": url("agent-detail", world.agent.pk),
        "practice": url("practice-detail", world.practice.pk),
    }


# --- Getting in -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
def test_anonymous_callers_get_401_with_the_token_scheme_named(world, name):
    response = APIClient().get(url(name))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize(
    "header",
    [
        "Token bpo_deadbeef_not-a-real-secret",
        "Token something-else-entirely",
        "Token",
        "Token one two",
    ],
)
def test_a_wrong_or_malformed_token_gets_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(url("engagement-list")).status_code == 401


def test_the_right_prefix_with_the_wrong_secret_gets_401(api, world):
    raw = world.integration_raw_token
    forged = raw[: raw.rindex("_") + 1] + "x" * 43

    assert api.as_token(forged).get(url("engagement-list")).status_code == 401


def test_a_bearer_header_works_like_a_token_header(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.integration_raw_token}")

    assert client.get(url("engagement-list")).status_code == 200


def test_a_revoked_personal_token_gets_401(api, world):
    token, raw = services.create_api_token(name="laptop", kind=TokenKind.PERSONAL, by=world.practice_manager)
    client = api.as_token(raw)
    assert client.get(url("engagement-list")).status_code == 200

    services.revoke_api_token(token, by=world.practice_manager)

    response = client.get(url("engagement-list"))
    assert response.status_code == 401
    assert response.data["detail"] == "This token has been revoked."


def test_a_revoked_integration_token_gets_401(api, world):
    services.revoke_api_token(world.integration_token, by=world.provider_manager)

    assert api.as_token(world.integration_raw_token).get(url("engagement-list")).status_code == 401


def test_the_token_of_someone_who_left_stops_working(api, world):
    client = api.as_user(world.practice_staff)
    membership = world.practice_staff.membership

    services.deactivate_member(membership, by=world.practice_manager)

    assert client.get(url("engagement-list")).status_code == 401


def test_using_a_token_records_when_it_was_last_used(api, world):
    token = world.integration_token
    assert token.last_used_at is None

    api.as_token(world.integration_raw_token).get(url("engagement-list"))

    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_last_use_is_recorded_at_most_once_a_minute(api, world):
    client = api.as_token(world.integration_raw_token)
    client.get(url("api-me"))
    first_use = ApiToken.objects.get(pk=world.integration_token.pk).last_used_at

    client.get(url("api-me"))

    assert ApiToken.objects.get(pk=world.integration_token.pk).last_used_at == first_use


def test_a_signed_in_browser_session_can_use_the_api(world):
    client = APIClient()
    client.force_login(world.practice_manager)

    response = client.get(url("api-me"))

    assert response.status_code == 200
    assert response.data["token"] is None


# --- Tenancy walls ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "other_provider_manager"])
@pytest.mark.parametrize("kind", ["engagement", "agent", "practice"])
def test_an_outsider_gets_404_for_the_home_tenant_s_objects(api, world, persona, kind):
    client = api.as_user(getattr(world, persona))
    target = home_objects(world)[kind]

    assert client.get(target).status_code == 404
    assert client.patch(target, {"name": "Taken over", "full_name": "Taken over"}).status_code == 404
    assert client.put(target, {"name": "Taken over", "full_name": "Taken over"}).status_code == 404
    assert client.delete(target).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "other_provider_manager"])
def test_an_outsider_gets_404_for_every_action_on_the_home_engagement(api, world, persona):
    client = api.as_user(getattr(world, persona))
    pk = world.engagement.pk

    assert client.get(url("engagement-history", pk)).status_code == 404
    assert client.get(url("engagement-contract", pk)).status_code == 404
    assert client.put(url("engagement-contract", pk), {"starts_on": "2026-01-01"}).status_code == 404
    assert client.post(url("engagement-status", pk), {"status": "ended"}).status_code == 404
    assert client.get(url("engagement-agents", pk)).status_code == 404
    assert client.post(url("engagement-agents", pk), {"agent": world.agent.pk}).status_code == 404
    assert client.delete(url("engagement-unassign-agent", pk, world.agent.pk)).status_code == 404
    world.engagement.refresh_from_db()
    assert world.engagement.status == "vetting"


@pytest.mark.parametrize("persona", ["outsider", "other_provider_manager"])
def test_an_outsider_never_sees_the_home_tenant_in_lists(api, world, persona):
    client = api.as_user(getattr(world, persona))

    assert world.engagement.pk not in ids(client.get(url("engagement-list")))
    assert world.agent.pk not in ids(client.get(url("agent-list")))
    assert world.practice.pk not in ids(client.get(url("practice-list")))
    assert world.engagement.pk not in ids(client.get(url("engagement-list"), {"q": "Front desk"}))


def test_filtering_on_a_practice_or_engagement_you_cannot_see_is_refused_not_answered(api, world):
    client = api.as_user(world.outsider)

    assert client.get(url("engagement-list"), {"practice": world.practice.pk}).status_code == 400
    # An engagement filter answers an id you cannot see with an empty page, as it does an unknown one.
    hidden = client.get(url("agent-list"), {"engagement": world.engagement.pk})
    assert hidden.status_code == 200 and not ids(hidden)


# --- Staff see but do not change --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, name, attr, payload",
    [
        ("practice_staff", "practice-detail", "practice", {"website": "https://example.test"}),
        ("practice_staff", "engagement-detail", "engagement", {"summary": "Staff edit"}),
        ("provider_staff", "engagement-detail", "engagement", {"summary": "Staff edit"}),
        ("provider_staff", "provider-detail", "provider", {"languages": "Klingon"}),
        ("provider_staff", "agent-detail", "agent", {"languages": "Klingon"}),
        ("practice_manager", "agent-detail", "agent", {"languages": "Klingon"}),
        ("provider_manager", "practice-detail", "practice", {"website": "https://example.test"}),
    ],
)
def test_view_only_callers_get_403_on_writes_to_objects_they_can_see(api, world, persona, name, attr, payload):
    client = api.as_user(getattr(world, persona))
    target = url(name, getattr(world, attr).pk)
    before = client.get(target).data

    assert client.patch(target, payload).status_code == 403
    assert client.put(target, {**before, **payload}).status_code == 403
    assert client.delete(target).status_code in (403, 405)
    assert client.get(target).data == before


# --- Integration tokens -----------------------------------------------------------------------------------------------


def test_an_integration_reads_its_provider_s_engagements_and_no_others(api, world):
    client = api.as_token(world.integration_raw_token)

    assert ids(client.get(url("engagement-list"))) == {world.engagement.pk}
    assert client.get(url("engagement-detail", world.engagement.pk)).status_code == 200
    assert client.get(url("engagement-detail", world.other_engagement.pk)).status_code == 404
    assert client.get(url("engagement-history", world.other_engagement.pk)).status_code == 404


def test_an_integration_cannot_write_practices(api, world):
    client = api.as_token(world.integration_raw_token)

    assert client.post(url("practice-list"), {"name": "Integration Practice"}).status_code == 403
    assert client.patch(url("practice-detail", world.practice.pk), {"website": "https://x.test"}).status_code == 403
    assert client.delete(url("practice-detail", world.practice.pk)).status_code == 403
    assert (
        client.patch(url("practice-detail", world.other_practice.pk), {"website": "https://x.test"}).status_code == 404
    )
    assert not Practice.objects.filter(name="Integration Practice").exists()


def test_an_integration_can_neither_change_an_engagement_nor_start_one(api, world):
    client = api.as_token(world.integration_raw_token)

    assert client.patch(url("engagement-detail", world.engagement.pk), {"summary": "x"}).status_code == 403
    assert client.post(url("engagement-status", world.engagement.pk), {"status": "ended"}).status_code == 403
    created = client.post(
        url("engagement-list"), {"name": "Bot", "practice": world.practice.pk, "provider": world.provider.pk}
    )
    assert created.status_code == 403
    assert not Engagement.objects.filter(name="Bot").exists()
