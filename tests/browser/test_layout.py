"""Every page with a table fits the screen a practice manager and an account manager use, or visibly scrolls.

The demo data is the test's data: it has the widest real rows (long engagement names, every metric on the SLA
grid). The list pages are found from the URL patterns (every table view), so a new list joins the test without
anyone adding it here; detail pages that hold a grid or wide table are named below. On the way, no page may have
anything refused by the Content-Security-Policy.
"""

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from django.views.generic.list import MultipleObjectMixin
from django_tables2 import SingleTableMixin
from playwright.sync_api import expect

from engagements.models import Engagement, Practice, Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-portal-2026"
ROLES = ("manager@riverside.example", "manager@clearview.example")  # a practice and an account manager
# Pages that are not list views but carry a grid or a wide table; {e} is an engagement of the signed-in person.
DETAIL_PAGES = [
    "/",
    "/slas/",
    "/measurements/upload/",
    "/engagements/{e}/",
    "/engagements/{e}/slas/",
    "/engagements/{e}/contract/",
    "/engagements/{e}/costs/",
    "/engagements/{e}/transition/",
    "/engagements/{e}/contract/scope/",
    "/engagements/{e}/contract/versions/",
    "/engagements/{e}/due-diligence/",
    "/engagements/{e}/communication/",
    "/api/v1/docs/",
    "/engagements/{e}/history/",
]

# Finds table cells that end outside the viewport and do not sit in a scroll container whose scrollbar shows.
CLIPPED_CELLS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (['auto', 'scroll'].includes(style.overflowX) && node.scrollWidth > node.clientWidth) {
        const box = node.getBoundingClientRect();
        return box.right <= width + 1 && node.offsetHeight > node.clientHeight;  // fits, and its scrollbar shows
      }
    }
    return false;
  };
  return [...document.querySelectorAll('td, th')]
    .filter(cell => cell.offsetParent !== null)
    .filter(cell => { const box = cell.getBoundingClientRect(); return box.right > width + 1 || box.left < -1; })
    .filter(cell => !scrolls(cell))
    .map(cell => cell.textContent.trim().slice(0, 40));
}"""


def list_pages(engagement_pk: int) -> list[str]:
    """Every table view in the UI's URL patterns; an engagement's own lists get the engagement's id."""
    pages = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith(("api/", "admin/")):
                    walk(pattern.url_patterns, route)
                continue
            view = getattr(pattern.callback, "view_class", None)
            if view is None or not issubclass(view, (SingleTableMixin, MultipleObjectMixin)):
                continue
            if route.startswith("engagements/<int:pk>/"):
                route = route.replace("<int:pk>", str(engagement_pk))
            if "<" not in route:
                pages.append("/" + route)

    walk(get_resolver().url_patterns)
    return pages


def engagement_of(email: str) -> int:
    side = Practice.objects.filter(memberships__user__email=email).first() or Provider.objects.get(
        memberships__user__email=email
    )
    field = "practice" if isinstance(side, Practice) else "provider"
    return Engagement.objects.filter(**{field: side}).order_by("pk").values_list("pk", flat=True)[0]


def test_every_table_fits_the_screen_or_scrolls_for_a_practice_and_a_provider_manager(open_session, live_server):
    call_command("seed_demo", verbosity=0)
    found = list_pages(engagement_pk=0)
    assert {"/slas/breaches/", "/slas/kpis/", "/measurements/batches/", "/engagements/"} <= set(found)
    problems, refused = {}, []
    for email in ROLES:
        engagement = engagement_of(email)
        page = open_session()
        page.set_viewport_size({"width": 1366, "height": 768})
        # The Content-Security-Policy refuses inline script and style: a page that still has some says so here.
        page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text else None)
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{live_server.url}/")
        for path in list_pages(engagement) + [path.format(e=engagement) for path in DETAIL_PAGES]:
            response = page.goto(path)
            if response.status == 403 and path == "/measurements/upload/":
                continue  # only the provider uploads measurements
            assert response.status == 200, f"{email} {path}: {response.status}"
            clipped = page.evaluate(CLIPPED_CELLS)
            if clipped:
                problems[f"{email} {path}"] = clipped[:5]
    assert problems == {}
    assert refused == []
