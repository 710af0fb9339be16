"""Personas shared by the whole suite: each side's manager and staff, an outsider, an admin, an integration."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from bpo_portal.celery import app as celery_app
from engagements import services
from engagements.choices import Role, TokenKind
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests make dozens of users and do not test the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The API's throttle counts live in the cache: each test starts with none, whoever ran before."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_runs_in_process(request):
    """Tasks run inline in tests unless a test is marked `worker`, which sends them to a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _catalogues_survive_flushes(request):
    """Transactional tests end with a flush, which empties the catalogues that data migrations created (service
    lines, metrics); a test that runs after one, in the same process, would find them gone. Every database test
    therefore starts with them: a transactional one loads them, any other loads them when they are missing (inside
    its own transaction). Neither the order of tests nor how xdist shares files out between workers matters."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & names
    )
    if not (transactional or marker or "db" in names):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from engagements.models import ServiceLine
    from slas.models import Metric

    if transactional or not (ServiceLine.objects.exists() and Metric.objects.exists()):
        for module in ("engagements.migrations.0002_service_line_catalogue", "slas.migrations.0002_metric_catalogue"):
            importlib.import_module(module).create_catalogue(apps, None)
        importlib.import_module("slas.migrations.0007_metric_valid_range").set_ranges(apps, None)


@pytest.fixture
def world(db):
    """Two practices and two providers. `home` is the pair whose engagement the personas share; `other` is
    another practice and provider with an engagement of their own that no home persona may see."""
    practice = factories.make_practice("Riverside Eye Care")
    provider = factories.make_provider("ClearView Health Services")
    other_practice = factories.make_practice("Summit Vision Center")
    other_provider = factories.make_provider("Northstar Revenue Partners")

    practice_manager = factories.make_member(practice, Role.MANAGER, first_name="Paula", last_name="Manager")
    practice_staff = factories.make_member(practice, Role.STAFF, first_name="Sam", last_name="Staff")
    provider_manager = factories.make_member(provider, Role.MANAGER, first_name="Bea", last_name="Account")
    provider_staff = factories.make_member(provider, Role.STAFF, first_name="Tom", last_name="Analyst")
    outsider = factories.make_member(other_practice, Role.MANAGER, first_name="Olga", last_name="Outsider")
    other_provider_manager = factories.make_member(other_provider, Role.MANAGER)
    admin = get_user_model().objects.create_superuser(
        username="admin@example.test", email="admin@example.test", password=factories.PASSWORD
    )

    engagement = factories.make_engagement(practice, provider, by=practice_manager, name="Front desk")
    other_engagement = factories.make_engagement(other_practice, other_provider, by=outsider, name="Other front desk")
    agent = factories.make_agent(provider, full_name="Ana Reyes")
    services.assign_agent(engagement, agent, by=provider_manager)
    other_agent = factories.make_agent(other_provider, full_name="Omar Other")
    # The agent persona: Ana's own login (role agent). She sees her own audits, never the engagement's workspace.
    agent_user = factories.make_agent_login(agent, first_name="Ana", last_name="Reyes")

    token, raw_token = services.create_api_token(
        name="Call-centre feed", kind=TokenKind.INTEGRATION, provider=provider, by=provider_manager
    )
    return SimpleNamespace(
        practice=practice,
        provider=provider,
        other_practice=other_practice,
        other_provider=other_provider,
        practice_manager=practice_manager,
        practice_staff=practice_staff,
        provider_manager=provider_manager,
        provider_staff=provider_staff,
        outsider=outsider,
        other_provider_manager=other_provider_manager,
        admin=admin,
        engagement=engagement,
        other_engagement=other_engagement,
        agent=agent,
        other_agent=other_agent,
        agent_user=agent_user,
        integration_token=token,
        integration_raw_token=raw_token,
    )


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` signs it in with a fresh personal token of that user."""
    client = APIClient()

    def as_user(user):
        _, raw = services.create_api_token(name="test", kind=TokenKind.PERSONAL, by=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    def as_token(raw):
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    client.as_user = as_user
    client.as_token = as_token
    return client
