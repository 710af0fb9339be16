import logging
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bpo_portal.checks import check_no_global_tenant_permissions, global_permission_holders
from bpo_portal.middleware import SESSION_STARTED_KEY
from engagements.access import engagements_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sessions_expire_after_thirty_idle_minutes_and_renew_on_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_ends_twelve_hours_after_login_however_active(client, world):
    client.force_login(world.practice_manager)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # really signed out, not just redirected once


def test_login_locks_out_after_repeated_failures_and_logs_them(world, caplog):
    client = Client()
    url = reverse("login")
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(url, {"username": world.practice_manager.email, "password": "wrong"})
    assert any("AXES" in record.getMessage() or "failed" in record.getMessage().lower() for record in caplog.records)
    locked = client.post(url, {"username": world.practice_manager.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_signs_in_before_the_limit(world):
    client = Client()
    client.post(reverse("login"), {"username": world.practice_manager.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": world.practice_manager.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.practice_manager.pk)


def test_forms_reject_a_post_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.practice_manager)
    response = client.post(reverse("engagements:engagement_status", args=[world.engagement.pk]), {"status": "ended"})
    assert response.status_code == 403
    world.engagement.refresh_from_db()
    assert world.engagement.status == "vetting"


def test_no_non_admin_holds_a_model_level_permission_on_tenant_models(world):
    assert global_permission_holders() == ([], [])
    assert check_no_global_tenant_permissions(None, databases=["default"]) == []


def test_a_stray_global_permission_is_reported_and_widens_nothing(world):
    from django.contrib.auth.models import Permission

    world.outsider.user_permissions.add(Permission.objects.get(codename="view_engagement"))
    users, _ = global_permission_holders()
    assert users == [world.outsider]
    assert [e.id for e in check_no_global_tenant_permissions(None, databases=["default"])] == ["bpo_portal.E001"]
    assert world.engagement not in engagements_for(world.outsider)  # accept_global_perms=False


def test_health_reports_database_and_embedded_broker(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "embedded (tasks run in-process)", "status": "ok"}


def test_health_answers_503_when_the_broker_is_down(client, settings):
    from bpo_portal.celery import app

    app.conf.task_always_eager = False
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
