"""Refresh the README's screenshots (docs/screenshot-home.png and docs/screenshots/) from a running demo.

    make run                                   # in one terminal: the demo at http://127.0.0.1:8000
    .venv/bin/python docs/take_screenshots.py  # in another (PORTAL_URL=… for another address)

Signs in as the practice manager and the provider's account manager of the demo and takes a full-page screenshot
of home, "Front desk 2026" (engagement, SLA page, costs, transition, contract), the SLA portfolio and the breaches
list at 1366×768 and 1920×1080. Needs Chromium (Debian's `chromium` package) and the dev dependencies (Playwright).
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "demo-portal-2026"
ENGAGEMENT = "Front desk 2026"
DOCS = Path(__file__).resolve().parent
PEOPLE = {"practice-manager": "manager@riverside.example", "account-manager": "manager@clearview.example"}
SIZES = {"1366": (1366, 768), "1920": (1920, 1080)}
# name → path; "{id}" is the engagement's id, read from the home page's link to it
PAGES = {
    "home": "/",
    "engagement": "/engagements/{id}/",
    "sla-page": "/engagements/{id}/slas/",
    "portfolio": "/slas/",
    "breaches": "/slas/breaches/",
    "costs": "/engagements/{id}/costs/",
    "transition": "/engagements/{id}/transition/",
    "contract": "/engagements/{id}/contract/",
}


def sign_in(page, email: str) -> None:
    page.goto(f"{PORTAL_URL}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{PORTAL_URL}/")


def engagement_id(page) -> str:
    href = page.get_by_role("link", name=ENGAGEMENT).first.get_attribute("href")
    return href.strip("/").split("/")[-1]


def main() -> int:
    out = DOCS / "screenshots"
    out.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for person, email in PEOPLE.items():
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                sign_in(page, email)
                pk = engagement_id(page)
                for name, path in PAGES.items():
                    response = page.goto(PORTAL_URL + path.format(id=pk))
                    if response is None or response.status != 200:
                        print(f"{person} {path}: {response.status if response else 'no answer'}", file=sys.stderr)
                        return 1
                    page.wait_for_load_state("networkidle")
                    target = out / f"{person}-{name}-{size}.png"
                    page.screenshot(path=target, full_page=True)
                    print(target.relative_to(DOCS.parent))
                    if (person, name, size) == ("practice-manager", "home", "1366"):
                        page.screenshot(path=DOCS / "screenshot-home.png", full_page=True)
                page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
