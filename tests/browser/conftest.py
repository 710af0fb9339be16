"""Headless Chromium driving the portal through pytest-django's live server.

One browser per session; every test gets fresh browser contexts (a context is one person's cookie jar), so two
personas can be signed in side by side. When a test fails, a screenshot of each of its pages is saved to
test-artifacts/ to show what the browser saw.
"""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect, sync_playwright

from tests.factories import PASSWORD

# Sync Playwright keeps an asyncio loop running in this thread, and Django refuses ORM calls from a thread with a
# running loop unless told it is safe. It is: the test and the live server never touch the ORM at the same time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium waits on update and sync servers it cannot reach here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# Each phase's report (setup, call, teardown), so a fixture's teardown knows whether its test failed.
_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests."
        if _running_in_ci():
            pytest.fail(f"CI is set, and browser tests must run there, but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        # Playwright hides scrollbars in headless mode; draw them, as users see them, so a test can tell a table
        # that scrolls from one that is cut off.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--hide-scrollbars"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _browser_test_defaults(settings):
    # Users are created and sign in several times per test; the production hasher would only make that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _service_line_catalogue(transactional_db):
    """The catalogue comes from a data migration, and a live-server test flushes every table when it ends; put it
    back from the migration itself so that every test can tick a service line."""
    migration = importlib.import_module("engagements.migrations.0002_service_line_catalogue")
    migration.create_catalogue(apps, schema_editor=None)


@pytest.fixture
def open_session(browser, live_server, request):
    """`open_session()` gives a page in a new browser context: a person with their own cookies."""
    contexts = []

    def open_session() -> Page:
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_session

    reports = request.node.stash.get(_reports, {})
    if any(report.failed for report in reports.values()):
        _save_screenshots(request.node, [page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()


def _save_screenshots(item, pages) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("tests/browser/")[-1])
    for number, page in enumerate(pages, start=1):
        try:
            page.screenshot(path=ARTIFACTS / f"{stem}-{number}.png", full_page=True)
        except Exception as error:  # noqa: BLE001 - a page that cannot be captured must not hide the real failure
            print(f"Could not save a screenshot of {page.url}: {error}")


@pytest.fixture
def page(open_session) -> Page:
    return open_session()


@pytest.fixture
def log_in(open_session, live_server):
    """`log_in(user)` signs the user in through the login form in a new session and returns the page, on home."""

    def log_in(user, page: Page | None = None) -> Page:
        page = page or open_session()
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(user.get_username())
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    return log_in
