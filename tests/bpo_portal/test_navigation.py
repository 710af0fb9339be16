"""The grouped main menu: apps add entries in one line, and each role sees only the entries it can use."""

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from bpo_portal import navigation

pytestmark = pytest.mark.django_db


def menu_labels(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return {key: [entry.label for entry in group.entries] for key, group in navigation.menu_for(request).items()}


def test_the_menu_groups_work_directory_and_account_entries(world):
    menu = menu_labels(world.practice_manager)
    assert menu["work"] == ["Engagements", "SLAs", "Quality", "Compliance", "Onboarding"]
    assert menu["directory"] == ["Practices", "Providers", "Agents", "Certifications"]
    assert menu["account"] == ["People", "API tokens", "API docs", "Access log"]


def test_an_agent_sees_their_own_entries_and_none_of_the_workspace(world):
    menu = menu_labels(world.agent_user)
    assert menu["work"] == ["My action plans", "My audits", "My training", "My documents"]
    assert "directory" not in menu
    assert "People" not in menu["account"] and "Access log" not in menu["account"]


def test_only_a_portal_admin_sees_the_admin_entry(world):
    assert "Admin" in menu_labels(world.admin)["account"]
    assert "Admin" not in menu_labels(world.provider_manager)["account"]


def test_people_is_shown_only_to_someone_on_a_side(world):
    assert "People" in menu_labels(world.provider_staff)["account"]
    assert "People" not in menu_labels(world.admin)["account"]


def test_an_app_adds_an_entry_to_a_group_with_one_line(world):
    navigation.register("work", "Notices", "engagements:notification_list", names=("notices",), order=35)
    try:
        assert menu_labels(world.practice_manager)["work"] == [
            "Engagements",
            "SLAs",
            "Quality",
            "Notices",
            "Compliance",
            "Onboarding",
        ]
    finally:
        navigation.unregister("engagements:notification_list")
    assert menu_labels(world.practice_manager)["work"] == ["Engagements", "SLAs", "Quality", "Compliance", "Onboarding"]


def test_an_entry_hidden_from_a_role_is_left_out_and_an_empty_group_disappears(world):
    navigation.register("work", "Hidden", "health", visible=lambda request: request.user.is_superuser, order=99)
    try:
        assert "Hidden" not in menu_labels(world.practice_manager)["work"]
        assert "Hidden" in menu_labels(world.admin)["work"]
    finally:
        navigation.unregister("health")


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError, match="Unknown menu group"):
        navigation.register("reports", "Reports", "home")
    assert all(item.url_name != "home" for item in navigation.ITEMS)


def test_the_entry_for_the_page_is_marked_active(world):
    path = reverse("slas:breach_list")
    request = RequestFactory().get(path)
    request.user = world.practice_manager
    request.resolver_match = resolve(path)
    menu = navigation.menu_for(request)
    assert [entry.label for entry in menu["work"].entries if entry.active] == ["SLAs"]
    assert not menu["directory"].active


def test_the_page_renders_the_groups_as_dropdowns(client, world):
    client.force_login(world.practice_manager)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-group-directory"' in page and 'data-testid="nav-group-account"' in page
    assert 'data-testid="nav-people"' in page
