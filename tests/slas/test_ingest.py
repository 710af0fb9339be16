"""Ingestion through the service: all-or-nothing, idempotent by external id, corrections recompute."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from slas import ingest, services
from slas.choices import BreachStatus, KPIStatus
from slas.ingest import IngestConflict, IngestRejected, TooManyRows
from slas.models import Breach, IngestBatch, KPIValue, Measurement

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


def good(sla, **overrides):
    return {**sla.row("service_level", DAY, numerator=9, denominator=10), **overrides}


BAD_ROWS = [
    ("unknown engagement", {"engagement": 999999}, "engagement", "No engagement with id 999999"),
    ("engagement as text", {"engagement": "front desk"}, "engagement", "No engagement with id"),
    ("unknown metric", {"metric": "happiness"}, "metric", "Unknown metric"),
    ("unknown service line", {"service_line": "astrology"}, "service_line", "Unknown service line"),
    ("bad date", {"date": "2026-02-30"}, "date", "not a date"),
    ("date in another format", {"date": "02/03/2026"}, "date", "not a date"),
    ("future date", {"date": "2099-01-01"}, "date", "in the future"),
    ("bad number", {"numerator": "nine"}, "numerator", "not a number"),
    ("infinite number", {"numerator": "Infinity"}, "numerator", "not a number"),
    ("negative count", {"numerator": -1}, "numerator", "cannot be negative"),
    ("zero denominator", {"denominator": 0}, "denominator", "cannot be 0"),
    ("numerator over denominator", {"numerator": 11}, "numerator", "cannot exceed"),
    ("missing external id", {"external_id": ""}, "external_id", "required"),
    ("missing date", {"date": None}, "date", "required"),
    ("value for a ratio", {"value": 0.9, "numerator": None, "denominator": None}, "value", "is a ratio"),
    ("value and parts", {"value": 3}, "value", "not both"),
    ("typo in a field name", {"numerater": 9}, "numerater", "Unknown field"),
    ("boolean engagement", {"engagement": True}, "engagement", "No engagement"),
]


@pytest.mark.parametrize(("case", "change", "field", "message"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_one_bad_row_rejects_the_whole_batch_and_writes_nothing(sla, case, change, field, message):
    bad = {k: v for k, v in {**good(sla), **change}.items() if v is not None}
    rows = [good(sla), good(sla), bad, good(sla)]
    with pytest.raises(IngestRejected) as rejected:
        sla.push(rows)
    assert [(e["row"], e["field"]) for e in rejected.value.errors] == [(3, field)]
    assert message in rejected.value.errors[0]["message"]
    assert Measurement.objects.count() == 0 and IngestBatch.objects.count() == 0


def test_every_bad_row_is_reported_not_just_the_first(sla):
    rows = [good(sla, metric="nope"), good(sla), good(sla, denominator=0), good(sla, date="yesterday")]
    with pytest.raises(IngestRejected) as rejected:
        sla.push(rows)
    assert [(e["row"], e["field"]) for e in rejected.value.errors] == [(1, "metric"), (3, "denominator"), (4, "date")]


def test_an_engagement_of_another_tenant_reads_as_unknown(sla, world):
    with pytest.raises(IngestRejected) as rejected:
        sla.push([good(sla, engagement=world.other_engagement.pk)])
    assert rejected.value.errors[0]["message"] == f"No engagement with id {world.other_engagement.pk}."


def test_a_visible_engagement_without_permission_to_submit_is_refused(sla, world):
    for persona in (world.practice_manager, world.provider_staff):
        with pytest.raises(IngestRejected) as rejected:
            sla.push([good(sla)], by=persona)
        assert "cannot submit measurements" in rejected.value.errors[0]["message"]
    assert Measurement.objects.count() == 0


def test_an_integration_token_writes_only_to_its_providers_engagements(sla, world):
    integration = world.integration_token.user
    sla.push([good(sla)], by=integration)
    with pytest.raises(IngestRejected):
        sla.push([good(sla, engagement=world.other_engagement.pk)], by=integration)
    assert Measurement.objects.count() == 1


def test_an_agent_must_work_for_the_engagements_provider(sla, world):
    sla.push([good(sla, agent=world.agent.pk)])
    with pytest.raises(IngestRejected) as rejected:
        sla.push([good(sla, agent=world.other_agent.pk)])
    assert rejected.value.errors[0]["field"] == "agent"


def test_a_duplicate_external_id_inside_a_batch_is_rejected(sla):
    with pytest.raises(IngestRejected) as rejected:
        sla.push([good(sla, external_id="a-1"), good(sla, external_id="a-1")])
    assert rejected.value.errors == [
        {"row": 2, "field": "external_id", "code": "duplicate", "message": "External id “a-1” is also on row 1."}
    ]


def test_more_than_ten_thousand_rows_are_refused_before_any_work(sla):
    with pytest.raises(TooManyRows, match="at most 10,000 rows"):
        sla.push([good(sla)] * (ingest.MAX_ROWS + 1))


def test_a_resent_row_with_the_same_content_is_a_duplicate(sla):
    rows = [good(sla, external_id="r-1"), good(sla, external_id="r-2")]
    first = sla.push(rows)
    again = sla.push(rows)
    assert (first.created, first.duplicates) == (2, 0)
    assert (again.created, again.duplicates, again.corrected) == (0, 2, 0)
    assert Measurement.objects.count() == 2
    assert IngestBatch.objects.count() == 2  # every accepted request is on record


def test_a_changed_row_is_a_conflict_unless_corrections_are_asked_for(sla):
    target = sla.target("service_level", 80)
    sla.push([good(sla, external_id="r-1", numerator=5)])
    assert sla.kpi(target, date(2026, 3, 1)).value == Decimal("50.0000")
    with pytest.raises(IngestRejected, match="rejected") as rejected:
        sla.push([good(sla, external_id="r-1", numerator=9), good(sla, external_id="r-2")])
    assert "already ingested with different content" in rejected.value.errors[0]["message"]
    assert Measurement.objects.count() == 1

    result = sla.push([good(sla, external_id="r-1", numerator=9)], allow_corrections=True)
    assert (result.created, result.duplicates, result.corrected) == (0, 0, 1)
    assert Measurement.objects.get().numerator == 9
    assert sla.kpi(target, date(2026, 3, 1)).value == Decimal("90.0000")


def test_a_correction_that_brings_the_kpi_back_resolves_the_breach_by_data_and_keeps_it(sla):
    target = sla.target("service_level", 80)
    sla.push([good(sla, external_id="r-1", numerator=5)])
    breach = Breach.objects.get(target=target)
    assert breach.status == BreachStatus.OPEN
    sla.push([good(sla, external_id="r-1", numerator=9)], allow_corrections=True)
    breach.refresh_from_db()
    assert breach.status == BreachStatus.RESOLVED_BY_DATA and breach.resolved_at is not None
    sla.push([good(sla, external_id="r-1", numerator=1)], allow_corrections=True)
    breach.refresh_from_db()
    assert breach.status == BreachStatus.OPEN and Breach.objects.count() == 1


def test_a_correction_that_moves_a_row_to_another_month_recomputes_both(sla):
    target = sla.target("service_level", 80)
    sla.push([good(sla, external_id="r-1", numerator=5)])
    assert Breach.objects.filter(target=target, period_start=date(2026, 3, 1)).exists()
    sla.push([good(sla, external_id="r-1", numerator=5, date="2026-04-01")], allow_corrections=True)
    assert list(KPIValue.objects.filter(target=target).values_list("period_start", flat=True)) == [date(2026, 4, 1)]
    assert Breach.objects.get(period_start=date(2026, 3, 1)).status == BreachStatus.RESOLVED_BY_DATA
    assert Breach.objects.get(period_start=date(2026, 4, 1)).status == BreachStatus.OPEN


def test_a_batch_records_who_when_and_what_it_touched(sla, world):
    sla.target("service_level", 80)
    result = sla.push([good(sla), good(sla, date="2026-04-15")])
    batch = IngestBatch.objects.get()
    assert result.batch == batch
    assert batch.submitted_by == world.provider_manager
    assert (batch.row_count, batch.created_count) == (2, 2)
    assert (batch.first_date, batch.last_date) == (DAY, date(2026, 4, 15))
    assert list(batch.engagements.all()) == [world.engagement]
    assert batch.recomputed_at is not None


def test_csv_and_json_parse_to_the_same_rows(sla, world):
    text = (
        "engagement,metric,date,numerator,denominator,external_id,service_line\n"
        f"{world.engagement.pk},service_level,2026-03-02,9,10,c-1,scheduling\n"
        f"{world.engagement.pk},csat,2026-03-02,,,c-2,\n"
    )
    rows = ingest.parse_csv(text.encode())
    assert rows[0] == {
        "engagement": str(world.engagement.pk), "metric": "service_level", "date": "2026-03-02",
        "numerator": "9", "denominator": "10", "external_id": "c-1", "service_line": "scheduling",
    }  # fmt: skip
    with pytest.raises(IngestRejected) as rejected:
        sla.push(rows)
    assert rejected.value.errors == [
        {"row": 2, "field": "value", "code": "invalid", "message": "Send a value, or a numerator and a denominator."}
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a header row"),
        ("engagement,metric,date\n1,csat,2026-01-01\n", "no “external_id” column"),
        ("engagement,metric,date,external_id,colour\n", "Unknown column “colour”"),
    ],
)
def test_a_csv_with_a_bad_header_is_rejected(text, message):
    with pytest.raises(IngestRejected) as rejected:
        ingest.parse_csv(text)
    assert any(message in e["message"] for e in rejected.value.errors)


def test_a_json_body_that_is_not_an_array_of_objects_is_rejected():
    for body in ("{}", "[1, 2]", "not json"):
        with pytest.raises(IngestRejected):
            ingest.parse_json(body)


def test_a_concurrent_insert_of_the_same_external_id_is_a_conflict_that_writes_nothing(sla, monkeypatch):
    sla.push([good(sla, external_id="r-1")])
    real_plan = ingest.plan

    def plan_that_missed_the_stored_row(rows, **kwargs):
        work = real_plan([], **kwargs)  # as if the other request committed after we looked
        work.new, work.rows, work.engagement_ids = rows, len(rows), {r.engagement_id for r in rows}
        return work

    monkeypatch.setattr(ingest, "plan", plan_that_missed_the_stored_row)
    with pytest.raises(IngestConflict, match="send it again"):
        services.ingest_measurements(
            [good(sla, external_id="r-2"), good(sla, external_id="r-1")], by=sla.world.provider_manager
        )
    assert Measurement.objects.count() == 1 and IngestBatch.objects.count() == 1


def test_the_database_refuses_a_second_row_with_the_same_external_id(sla):
    sla.push([good(sla, external_id="r-1")])
    stored = Measurement.objects.get()
    stored.pk = None
    with pytest.raises(IntegrityError):
        stored.save()


def test_a_ratio_kpi_status_follows_each_batch(sla):
    target = sla.target("claim_accuracy", 95)
    sla.push([sla.row("claim_accuracy", DAY, numerator=90, denominator=100)])
    assert sla.kpi(target, date(2026, 3, 1)).status == KPIStatus.BREACH
    sla.push([sla.row("claim_accuracy", DAY, numerator=100, denominator=100)])
    assert sla.kpi(target, date(2026, 3, 1)).status == KPIStatus.MET  # 190/200 = 95%
