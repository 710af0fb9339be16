"""The "Measurement corrections" page: what each correction replaced, for every persona, with the API's scope and
FilterSet, its filters, paging, CSV export and a query count that does not grow with the rows."""

import csv
import io
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from engagements.choices import Role
from slas.models import MeasurementCorrection
from tests import factories
from tests.test_access_matrix import DIRECTORY, PERSONAS, check, persona_user, ui_client

pytestmark = pytest.mark.django_db

URL = "/measurements/corrections/"
DAY = date(2025, 3, 3)


def correct(sla, engagement, by, *, external_id, before, after, metric="service_level", day=DAY, agent=None, of=10):
    """Send one row, then a correction of it: one MeasurementCorrection holding `before`."""
    extra = {"agent": agent.pk} if agent is not None else {}
    first = sla.row(metric, day, engagement=engagement, external_id=external_id, denominator=of, **extra)
    sla.push([{**first, "numerator": before}], by=by)
    return sla.push([{**first, "numerator": after}], by=by, allow_corrections=True)


@pytest.fixture
def corrections(world, sla):
    """One correction on the home engagement (by its provider) and one on the other tenant's engagement."""
    correct(sla, world.engagement, world.provider_manager, external_id="home-1", before=5, after=9, agent=world.agent)
    correct(sla, world.other_engagement, world.other_provider_manager, external_id="other-1", before=2, after=3)
    return {c.measurement.engagement_id: c for c in MeasurementCorrection.objects.select_related("measurement")}


def listed(response):
    return [row.record.measurement.external_id for row in response.context["table"].page.object_list]


def exported(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# Whose rows each persona sees: the sides of an engagement see its corrections, nobody else does. The agent's own
# login sees no engagement's workspace, as the API's `/measurement-corrections/` (the same scope) answers them.
SEES = {
    "practice_manager": ["home-1"],
    "practice_staff": ["home-1"],
    "provider_manager": ["home-1"],
    "provider_staff": ["home-1"],
    "outsider": ["other-1"],
    "other_provider_manager": ["other-1"],
    "admin": ["other-1", "home-1"],
    "agent": [],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_its_engagements_corrections(world, corrections, persona, api):
    before = LogEntry.objects.count()
    client = ui_client(world, persona)
    page = client.get(URL)
    check(page, DIRECTORY[persona], api=False)
    export = client.get(URL, {"_export": "csv"})
    check(export, DIRECTORY[persona], api=False)
    assert LogEntry.objects.count() == before, "reading the page wrote something"
    if persona == "anonymous":
        return
    assert sorted(listed(page)) == sorted(SEES[persona])
    assert sorted(row["External id"] for row in exported(export)) == sorted(SEES[persona])
    # The page and the API answer the same rows (one scope, one FilterSet).
    answered = api.as_user(persona_user(world, persona)).get("/api/v1/measurement-corrections/")
    assert sorted(c["external_id"] for c in answered.json()["results"]) == sorted(SEES[persona])
    hidden = client.get(URL, {"engagement": world.engagement.pk})  # a hidden id is an empty page, not a 400
    assert hidden.status_code == 200
    assert listed(hidden) == [e for e in SEES[persona] if e.startswith("home")]


def test_a_row_says_when_what_from_what_to_what_and_who(client, world, corrections):
    client.force_login(world.practice_manager)
    html = client.get(URL).content.decode()
    correction = corrections[world.engagement.pk]
    for text in ("Front desk", "Service level", "3 Mar 2025", "Ana Reyes", "home-1", "5 / 10", "9 / 10", "Bea Account"):
        assert text in html
    assert f"#{correction.batch_id}" in html
    # The batch is the submitting side's record: the practice sees its number, not a link to a page it cannot open.
    assert reverse("slas:batch_detail", args=[correction.batch_id]) not in html
    client.force_login(world.provider_manager)
    assert reverse("slas:batch_detail", args=[correction.batch_id]) in client.get(URL).content.decode()
    [row] = exported(client.get(URL, {"_export": "csv"}))
    assert row["Old value → new value"] == "5 / 10 → 9 / 10"
    assert (row["Batch"], row["Who"], row["Engagement"]) == (str(correction.batch_id), "Bea Account", "Front desk")


def test_each_correction_shows_the_value_its_own_batch_put_in_place(client, world, sla):
    """Corrected twice: the first correction went 5 → 7 (what the second replaced), the second 7 → 9 (the value now)."""
    row = sla.row("service_level", DAY, external_id="twice", denominator=10)
    sla.push([{**row, "numerator": 5}])
    sla.push([{**row, "numerator": 7}], allow_corrections=True)
    sla.push([{**row, "numerator": 9}], allow_corrections=True)
    client.force_login(world.practice_staff)
    rows = exported(client.get(URL, {"_export": "csv"}))
    assert [r["Old value → new value"] for r in rows] == ["7 / 10 → 9 / 10", "5 / 10 → 7 / 10"]  # newest first


def test_the_filters_narrow_by_engagement_metric_dates_and_agent(client, api, world, sla, corrections):
    second = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing desk")
    correct(sla, second, world.provider_manager, external_id="home-2", before=1, after=2, day=date(2025, 4, 10))
    correct(sla, world.engagement, world.provider_manager, external_id="home-3", before=3, after=4, metric="csat", of=1)
    client.force_login(world.provider_manager)
    assert sorted(listed(client.get(URL))) == ["home-1", "home-2", "home-3"]
    assert sorted(listed(client.get(URL, {"engagement": second.pk}))) == ["home-2"]
    assert sorted(listed(client.get(URL, {"metric": "csat"}))) == ["home-3"]
    assert sorted(listed(client.get(URL, {"date_from": "2025-04-01"}))) == ["home-2"]
    assert sorted(listed(client.get(URL, {"date_to": "2025-03-31"}))) == ["home-1", "home-3"]
    assert listed(client.get(URL, {"agent": world.agent.pk})) == ["home-1"]
    assert listed(client.get(URL, {"agent": world.other_agent.pk})) == []  # another provider's agent: nothing
    batch = corrections[world.engagement.pk].batch_id
    assert listed(client.get(URL, {"batch": batch})) == ["home-1"]
    assert [r["External id"] for r in exported(client.get(URL, {"metric": "csat", "_export": "csv"}))] == ["home-3"]
    # The API takes the same filters.
    answered = api.as_user(world.provider_manager).get("/api/v1/measurement-corrections/", {"metric": "csat"})
    assert [c["external_id"] for c in answered.json()["results"]] == ["home-3"]
    by_agent = api.get("/api/v1/measurement-corrections/", {"agent": world.agent.pk, "date_from": "2025-03-01"})
    assert [c["external_id"] for c in by_agent.json()["results"]] == ["home-1"]
    # The filter form offers only what the user can see.
    form = client.get(URL).context["filter"].form
    assert world.other_engagement not in form.fields["engagement"].queryset
    assert world.other_agent not in form.fields["agent"].queryset


def test_the_page_is_paged(client, world, sla):
    rows = [sla.row("service_level", DAY, external_id=f"p-{n}", numerator=1, denominator=2) for n in range(30)]
    sla.push(rows)
    sla.push([{**row, "numerator": 2} for row in rows], allow_corrections=True)
    client.force_login(world.practice_manager)
    first = client.get(URL)
    assert len(listed(first)) == 25 and first.context["table"].paginator.count == 30
    assert len(listed(client.get(URL, {"page": 2}))) == 5
    assert len(exported(client.get(URL, {"_export": "csv"}))) == 30  # the export has every filtered row


def test_the_sla_pages_link_to_it(client, world, sla, corrections):
    client.force_login(world.practice_manager)
    engagement_page = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk])).content.decode()
    assert f"{URL}?engagement={world.engagement.pk}" in engagement_page
    assert URL in client.get(reverse("slas:portfolio")).content.decode()
    client.force_login(world.provider_manager)
    batch = corrections[world.engagement.pk].batch_id
    assert f"{URL}?batch={batch}" in client.get(reverse("slas:batch_detail", args=[batch])).content.decode()


def test_staff_of_a_side_with_a_new_member_see_it_too(client, world, corrections):
    """Access follows the engagement, not the person who corrected: a colleague added later sees the rows."""
    colleague = factories.make_member(world.practice, Role.STAFF, first_name="New", last_name="Colleague")
    client.force_login(colleague)
    assert listed(client.get(URL)) == ["home-1"]


@pytest.mark.parametrize("persona", ["practice_manager", "provider_manager"])
def test_queries_do_not_grow_with_rows(client, world, sla, persona, django_assert_max_num_queries):
    client.force_login(getattr(world, persona))

    def add(n, prefix):
        engagement = factories.make_engagement(world.practice, world.provider, by=world.practice_manager)
        agent = factories.make_agent(world.provider)
        rows = [
            sla.row("service_level", DAY, engagement=engagement, external_id=f"{prefix}-{i}", agent=agent.pk)
            | {"numerator": 1, "denominator": 2}
            for i in range(n)
        ]
        sla.push(rows)
        sla.push([{**row, "numerator": 2} for row in rows], allow_corrections=True)

    add(2, "few")
    client.get(URL)
    with django_assert_max_num_queries(25) as few:
        client.get(URL)
    baseline = len(few)
    for n in range(4):
        add(6, f"many{n}")  # more rows, engagements, agents and batches: a full page
    with django_assert_max_num_queries(baseline):
        assert len(listed(client.get(URL))) == 25
    with django_assert_max_num_queries(baseline):
        assert len(exported(client.get(URL, {"_export": "csv"}))) == 26
