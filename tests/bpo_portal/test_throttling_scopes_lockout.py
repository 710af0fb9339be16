"""Smaller hardening: the lockout page in words, API throttling per token and per user with Retry-After, and
integration-token scopes chosen at creation and enforced on the API (tokens made before keep what they had)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import TokenKind, TokenScope
from engagements.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_lockout_page_says_15_minutes(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": world.practice_manager.email, "password": "wrong"})
    page = client.post(reverse("login"), {"username": world.practice_manager.email, "password": PASSWORD})
    assert page.status_code == 429
    text = page.content.decode()
    assert "15 minutes" in text and "PT15M" not in text


@pytest.fixture
def low_rates(monkeypatch):
    """Rates small enough to reach in a test; the class attribute is where DRF's throttles read them."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "3/min", "user": "5/min"})


def _token_client(user):
    _, raw = services.create_api_token(name="t", kind=TokenKind.PERSONAL, by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_the_default_rates_are_the_documented_ones():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"token": "600/min", "user": "1200/min"}


def test_a_token_past_its_rate_gets_429_with_retry_after_and_another_token_goes_on(world, low_rates):
    first, second = _token_client(world.practice_manager), _token_client(world.practice_manager)
    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = first.get("/api/v1/me/")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert second.get("/api/v1/me/").status_code == 200  # its own token count; the user's (5/min) has room


def test_a_user_past_the_user_rate_is_throttled_over_all_their_tokens(world, low_rates):
    clients = [_token_client(world.practice_manager) for _ in range(3)]
    codes = [client.get("/api/v1/me/").status_code for client in clients for _ in range(2)]
    assert codes == [200] * 5 + [429]
    other = _token_client(world.provider_manager)
    assert other.get("/api/v1/me/").status_code == 200


# --- Scopes ---------------------------------------------------------------------------------------------------------


def integration(world, *scopes):
    _, raw = services.create_api_token(
        name="Phone system",
        kind=TokenKind.INTEGRATION,
        provider=world.provider,
        by=world.provider_manager,
        scopes=scopes,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_a_measurements_only_token_pushes_but_cannot_read_pricing_or_engagements(world):
    client = integration(world, TokenScope.PUSH_MEASUREMENTS)
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2025-03-03", "value": 4}
    pushed = client.post("/api/v1/measurements/", [{**row, "external_id": "s-1"}], format="json")
    assert pushed.status_code == 201, pushed.content
    assert client.get("/api/v1/metrics/").status_code == 200  # the codes it sends
    for path in ("/api/v1/contract-pricing/", f"/api/v1/costs/{world.engagement.pk}/", "/api/v1/engagements/"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "scope" in refused.json()["detail"]
    assert client.get("/api/v1/kpis/").status_code == 403


def test_a_read_sla_token_reads_results_but_cannot_push(world):
    client = integration(world, TokenScope.READ_SLA)
    assert client.get("/api/v1/kpis/").status_code == 200
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2025-03-03", "value": 4}
    assert client.post("/api/v1/measurements/", [{**row, "external_id": "s-2"}], format="json").status_code == 403


def test_personal_tokens_act_as_their_person_whatever_the_scopes(api, world):
    assert api.as_user(world.practice_manager).get("/api/v1/contract-pricing/").status_code == 200


def test_an_integration_token_needs_at_least_one_scope_and_known_ones(world):
    from bpo_portal.errors import DomainError

    for scopes in ([], ["everything"]):
        with pytest.raises(DomainError):
            services.create_api_token(
                name="x", kind=TokenKind.INTEGRATION, provider=world.provider, by=world.provider_manager, scopes=scopes
            )


def test_the_token_form_offers_the_scopes_and_stores_the_chosen_ones(world):
    client = Client()
    client.force_login(world.provider_manager)
    body = {"name": "Phone system", "kind": "integration", "scopes": [TokenScope.PUSH_MEASUREMENTS]}
    response = client.post(reverse("engagements:token_create"), body)
    assert response.status_code == 200
    assert ApiToken.objects.get(name="Phone system").scopes == [TokenScope.PUSH_MEASUREMENTS]
    assert client.post(reverse("engagements:token_create"), {"name": "None", "kind": "integration"}).status_code == 302
    assert not ApiToken.objects.filter(name="None").exists()


def test_tokens_made_before_scopes_keep_everything_they_had(world):
    token = world.integration_token
    ApiToken.objects.filter(pk=token.pk).update(scopes=[])
    migration = importlib.import_module("engagements.migrations.0016_token_scopes")
    migration.keep_what_they_had(django_apps, None)
    token.refresh_from_db()
    assert set(token.scopes) == set(TokenScope.values)
