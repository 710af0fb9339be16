"""Security headers: a Content-Security-Policy that allows only the portal's own scripts and styles (so no template
may carry an inline script or style), and a Permissions-Policy that switches off the browser features it never uses."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path
    for path in ROOT.rglob("templates/**/*.html")
    if not {".venv", "node_modules", "staticfiles"} & set(path.relative_to(ROOT).parts)
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
TEMPLATE_TAG = re.compile(r"{%.*?%}", re.S)


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_every_page_sends_a_policy_of_self_only(client, world):
    client.force_login(world.practice_manager)
    directives = policy(client.get(reverse("home")))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in client.get(reverse("home")).headers["Content-Security-Policy"]


def test_the_login_page_and_the_api_docs_send_it_too(client, world):
    assert policy(client.get(reverse("login")))["default-src"] == "'self'"
    client.force_login(world.practice_manager)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200 and policy(docs)["script-src"] == "'self'"
    assert "<style" not in docs.content.decode()
    assert not INLINE_SCRIPT.search(docs.content.decode())  # its start-up script is a file of its own


def test_the_permissions_policy_switches_off_camera_microphone_and_location(client):
    header = client.get(reverse("login")).headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header
    assert "fullscreen=(self)" in header


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_carries_an_inline_script_handler_or_style(template):
    # Django's own tags are not HTML: `{% with onboarding=… %}` is a variable, not an onboarding= handler.
    text = TEMPLATE_TAG.sub("", template.read_text())
    assert not INLINE_SCRIPT.search(text), "move the script to static/js (data go in json_script)"
    assert not INLINE_HANDLER.search(text), "use a data attribute and a listener in static/js/portal.js"
    assert not INLINE_STYLE.search(text), "use a class in static/css/portal.css (or data-left/data-width)"


def test_the_template_check_finds_what_it_is_for():
    assert TEMPLATES and any(path.name == "base.html" for path in TEMPLATES)
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="x" type="application/json">{}</script>')
    assert INLINE_HANDLER.search('<button onclick="go()">') and INLINE_STYLE.search('<div style="left: 3%">')
    assert not INLINE_HANDLER.search(TEMPLATE_TAG.sub("", "{% with onboarding=row.onboarding %}"))
    assert INLINE_HANDLER.search(TEMPLATE_TAG.sub("", '{% if x %}<a onclick="go()">{% endif %}'))
