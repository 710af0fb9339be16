"""A request that meets the database restarting or unreachable answers 503 with Retry-After, never 500."""

import logging

import pytest
from django import db
from django.db.backends import utils as db_utils
from django.test import Client

from bpo_portal.middleware import database_is_away

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_away(monkeypatch):
    """From now on every query fails the way psycopg2 fails while PostgreSQL restarts."""

    def refuse(*args, **kwargs):
        raise db.OperationalError("server closed the connection unexpectedly\n\tThis probably means the server ...")

    def go_away():
        monkeypatch.setattr(db_utils.CursorWrapper, "execute", refuse)
        monkeypatch.setattr(db_utils.CursorWrapper, "executemany", refuse)

    return go_away


@pytest.fixture
def browser():
    # The test client re-raises a view's exception by default; a real client gets the response.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("debug", [False, True])
def test_an_api_request_answers_503_in_the_error_shape(world, database_away, browser, settings, debug):
    settings.DEBUG = debug
    token = world.integration_raw_token
    database_away()

    response = browser.get("/api/v1/engagements/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "send the request again" in body["detail"]


def test_a_measurement_push_reads_its_body_and_answers_503(world, database_away, browser):
    token = world.integration_raw_token
    database_away()
    body = '[{"engagement": 1, "metric": "calls_handled", "date": "2026-03-02", "value": 1, "external_id": "x"}]'

    response = browser.post(
        "/api/v1/measurements/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.parametrize("debug", [False, True])
def test_a_page_answers_503_with_the_products_own_page(world, database_away, browser, settings, debug):
    settings.DEBUG = debug
    browser.force_login(world.practice_manager)
    database_away()

    response = browser.get("/engagements/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "database is not answering" in page
    assert "Traceback" not in page and len(page) < 5000  # not Django's debug page


def test_it_is_logged_as_a_503_not_a_500(world, database_away, browser, caplog):
    caplog.set_level(logging.WARNING)
    browser.force_login(world.practice_manager)
    database_away()

    browser.get("/engagements/")

    messages = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("Service Unavailable" in message for message in messages), messages
    assert not any("Internal Server Error" in message for message in messages), messages


def test_other_errors_still_answer_500(world, browser, monkeypatch):
    from engagements.views import EngagementListView

    def broken(self, *args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(EngagementListView, "get_queryset", broken)
    browser.force_login(world.practice_manager)
    assert browser.get("/engagements/").status_code == 500


def test_a_deadlock_is_the_requests_own_conflict_not_the_database_away():
    psycopg2 = pytest.importorskip("psycopg2")
    error = db.OperationalError("deadlock detected")
    error.__cause__ = psycopg2.errors.DeadlockDetected("deadlock detected")
    assert not database_is_away(error)
    refused = db.OperationalError("connection refused")
    refused.__cause__ = psycopg2.OperationalError("connection refused")
    assert database_is_away(refused)
    assert database_is_away(db.InterfaceError("connection already closed"))
    assert not database_is_away(ValueError("not a database error"))


def _refused_port() -> int:
    import socket

    with socket.socket() as probe:  # bound then closed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_push_is_answered_while_the_caches_redis_refuses_connections(world, settings):
    """The throttle counts live in Redis when REDIS_URL is set; with Redis down a push must still land (the cache
    fails open: a miss, logged), not answer 500 as it did before bench/faults.py caught it."""
    from datetime import date

    from django.core.cache import cache
    from rest_framework.test import APIClient

    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_refused_port()}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    assert cache.get("anything", "missed") == "missed"  # the cache really is unreachable, and misses
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.integration_raw_token}")
    row = {
        "engagement": world.engagement.pk,
        "metric": "csat",
        "date": date(2026, 3, 2).isoformat(),
        "external_id": "cache-down-1",
    }
    response = client.post("/api/v1/measurements/", [{**row, "value": 4}], format="json")
    assert response.status_code == 201, response.content
