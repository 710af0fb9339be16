"""The portal's own error pages, and a refused request that logs one line."""

import io
import logging
import sys

import pytest
from django.urls import reverse

from bpo_portal.log_filters import ForbiddenWithoutTraceback

pytestmark = pytest.mark.django_db


def test_an_unknown_page_shows_the_portals_404_without_the_url_list(client, settings, world):
    settings.DEBUG = False
    client.force_login(world.practice_manager)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We couldn’t find that page" in page and "URLconf" not in page
    assert 'data-testid="main-menu"' in page  # the portal's own frame, with its menu


def test_a_refused_action_shows_the_portals_403(client, settings, world):
    settings.DEBUG = False
    client.force_login(world.practice_staff)
    response = client.get(reverse("engagements:engagement_create"))
    assert response.status_code == 403
    assert "you can’t do that" in response.content.decode()


@pytest.fixture
def console():
    """What the configured console handler writes, for the length of a test."""
    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_403_logs_one_line_and_no_traceback(client, world, console):
    client.force_login(world.practice_staff)
    assert client.get(reverse("engagements:engagement_create")).status_code == 403
    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and "Forbidden" in lines[0] and "/engagements/new/" in lines[0]
    assert "Traceback" not in console.getvalue()


def test_a_500_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Server error", (), sys.exc_info())
    record.status_code = 500
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is not None
