"""An account manager creates an integration token in the UI and an outside system uses it on the API."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_get(url: str, token: str):
    """A bare request, as an integration makes it: the token and nothing else, no browser session cookie."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live server's own URL
        return response.status, json.load(response)


def test_an_integration_token_created_in_the_ui_reads_only_its_providers_engagements(world, log_in, live_server):
    page = log_in(world.provider_manager)
    page.get_by_test_id("nav-group-account").click()  # the account group of the menu
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()

    token_form = page.get_by_test_id("token-form")
    token_form.get_by_label("Name").fill("Claims status feed")
    token_form.get_by_label("Integration").check()
    token_form.get_by_label("Read engagements, agents and the rest of the portal").check()
    token_form.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="Token “Claims status feed” created")).to_be_visible()
    expect(page.get_by_text(f"It is scoped to {world.provider.name}.")).to_be_visible()
    secret = page.get_by_test_id("token-secret").input_value()
    assert secret.startswith("bpo_")

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("cell", name="Claims status feed")).to_be_visible()
    expect(page.locator(f"input[value='{secret}']")).to_have_count(0)
    assert secret not in page.content()

    status, body = api_get(f"{live_server.url}/api/v1/engagements/", secret)
    assert status == 200
    assert body["count"] == 1
    assert [engagement["id"] for engagement in body["results"]] == [world.engagement.pk]
    assert {engagement["provider"]["id"] for engagement in body["results"]} == {world.provider.pk}
