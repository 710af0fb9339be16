"""The change history written for people: labels and names instead of raw values, system fields left out, one
action's rows together; the last few on the engagement page and the full, filterable history with its CSV."""

import csv
import io
from datetime import date

import pytest
from auditlog.context import set_actor
from django.urls import reverse

from bpo_portal.history import present
from engagements.history import engagement_log
from engagements.models import Contract

pytestmark = pytest.mark.django_db


def change(obj, by, **fields):
    """A save by a person, as a request through the audit-log middleware records it."""
    with set_actor(by):
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


def history_text(engagement) -> list[tuple]:
    return [
        (item.kind, item.action, [(c.label, c.before, c.after) for c in item.changes])
        for group in present(engagement_log(engagement))
        for item in group.items
    ]


def test_a_foreign_key_change_names_the_rows_not_their_ids(world):
    engagement = world.engagement
    change(engagement, world.practice_manager, practice=world.other_practice)
    changed = history_text(engagement)[0]
    assert changed == ("Engagement", "changed", [("Practice", "Riverside Eye Care", "Summit Vision Center")])


def test_choices_read_as_their_labels_and_dates_in_the_portals_format(world):
    change(world.engagement, world.practice_manager, status="contracting")
    kind, action, changes = history_text(world.engagement)[0]
    assert changes == [("Status", "Vetting", "Contracting")]


def test_fields_the_system_sets_are_left_out_and_a_change_of_only_those_is_not_shown(world):
    contract = Contract.objects.create(
        engagement=world.engagement, starts_on=date(2026, 3, 1), ends_on=date(2027, 3, 1), signed_on=date(2026, 3, 1)
    )
    before = len(history_text(world.engagement))
    contract.version = 7  # set by the system when terms change: not something a person did
    contract.save()
    assert len(history_text(world.engagement)) == before


def test_one_persons_action_is_one_row_and_another_persons_is_another(world):
    contract = Contract.objects.create(
        engagement=world.engagement, starts_on=date(2026, 3, 1), ends_on=date(2027, 3, 1), signed_on=date(2026, 3, 1)
    )
    change(world.engagement, world.practice_manager, status="contracting")
    change(contract, world.practice_manager, notice_days=45)  # the same save of the contract form
    change(world.engagement, world.provider_manager, name="Front desk 2026")
    groups = present(engagement_log(world.engagement))
    assert [group.actor for group in groups[:2]] == [world.provider_manager, world.practice_manager]
    assert [item.kind for item in groups[1].items] == ["Contract", "Engagement"]


def test_the_engagement_page_shows_the_last_few_actions_and_links_the_full_history(client, world):
    change(world.engagement, world.practice_manager, status="contracting")
    client.force_login(world.provider_manager)
    page = client.get(world.engagement.get_absolute_url()).content.decode()
    assert 'data-testid="recent-history"' in page and "Vetting" in page and "Contracting" in page
    assert reverse("engagements:engagement_history", args=[world.engagement.pk]) in page
    assert "recorded by" not in page.lower() and "sequence" not in page.lower()


def test_the_full_history_filters_by_what_and_who(client, world):
    change(world.engagement, world.practice_manager, status="contracting")
    client.force_login(world.practice_manager)
    url = reverse("engagements:engagement_history", args=[world.engagement.pk])
    everything = client.get(url)
    assert everything.status_code == 200
    assert len(everything.context["groups"]) >= 2
    only_assignments = client.get(url, {"kind": "agentassignment"})
    kinds = {item.kind for group in only_assignments.context["groups"] for item in group.items}
    assert kinds == {"Agent assignment"}
    # the world's provider manager assigned the agent; the practice manager changed the stage
    by_manager = client.get(url, {"who": world.practice_manager.pk})
    assert {group.actor for group in by_manager.context["groups"]} == {world.practice_manager}


def test_the_history_exports_as_csv_with_one_row_per_change(client, world):
    change(world.engagement, world.practice_manager, status="contracting")
    client.force_login(world.practice_manager)
    url = reverse("engagements:engagement_history", args=[world.engagement.pk])
    response = client.get(url, {"_export": "csv"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["When", "Who", "What", "Action", "Field", "Before", "After"]
    assert any(row[4:] == ["Status", "Vetting", "Contracting"] and row[1] == "Paula Manager" for row in rows)


def test_an_outsider_gets_404_on_the_history_and_its_csv(client, world):
    client.force_login(world.outsider)
    url = reverse("engagements:engagement_history", args=[world.engagement.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"_export": "csv"}).status_code == 404


def test_the_history_page_costs_the_same_queries_with_more_entries(client, world, django_assert_max_num_queries):
    client.force_login(world.practice_manager)
    url = reverse("engagements:engagement_history", args=[world.engagement.pk])
    for status in ("contracting", "transitioning", "steady"):
        change(world.engagement, world.practice_manager, status=status)
    with django_assert_max_num_queries(40):
        client.get(url)
