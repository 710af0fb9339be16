"""The SLA API: targets, all-or-nothing ingestion over JSON and CSV, KPIs, breaches, remediation, notifications."""

import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from engagements.models import Notification, ServiceLine
from slas import ingest, services
from slas.api import serializers, views
from slas.choices import BreachStatus, RemediationStatus
from slas.models import Breach, IngestBatch, KPIValue, Measurement, Metric, RemediationPlan, SLATarget
from tests.api_errors import field_errors

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 3)  # a Monday, safely in the past for every practice's timezone
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
_external_ids = itertools.count(1)


def url(name, *args):
    return reverse(name, args=args)


def results(response):
    assert response.status_code == 200, response.data
    return response.data["results"]


def row(engagement, metric="service_level", day=DAY, external_id=None, **amounts):
    """One JSON row; a ratio's 9 out of 10 unless told otherwise."""
    record = {
        "engagement": engagement.pk,
        "metric": metric,
        "date": day.isoformat(),
        "external_id": external_id or f"ext-{next(_external_ids)}",
    }
    record.update(amounts or {"numerator": 9, "denominator": 10})
    return {key: value for key, value in record.items() if value is not None}


def stored():
    return Measurement.objects.count(), IngestBatch.objects.count()


def in_a_fortnight():
    return timezone.localdate() + timedelta(days=14)


@pytest.fixture
def send(api, django_capture_on_commit_callbacks):
    """POST measurements as a user (or an integration token's secret); after-commit work runs as after a commit."""

    def post(who, body, *, content_type=None, corrections=None):
        client = api.as_token(who) if isinstance(who, str) else api.as_user(who)
        path = url("measurement-list") + (f"?corrections={corrections}" if corrections is not None else "")
        with django_capture_on_commit_callbacks(execute=True):
            if content_type:
                return client.post(path, body, content_type=content_type)
            return client.post(path, body, format="json")

    return post


@pytest.fixture
def target(world, django_capture_on_commit_callbacks):
    """An SLA target set by the engagement's practice manager (the home one unless told otherwise)."""

    def make(metric="service_level", threshold=90, *, engagement=None, by=None, **fields):
        fields.setdefault("effective_from", date(2024, 1, 1))
        with django_capture_on_commit_callbacks(execute=True):
            return services.save_target(
                SLATarget(
                    engagement=engagement or world.engagement,
                    metric=Metric.objects.get(code=metric),
                    threshold=Decimal(str(threshold)),
                    **fields,
                ),
                by=by or world.practice_manager,
            )

    return make


@pytest.fixture
def breach(world, target, send):
    """March's service level at 50% against a 90% target: one open breach on the home engagement."""
    target("service_level", 90)
    response = send(world.provider_manager, [row(world.engagement, numerator=5, denominator=10)])
    assert response.status_code == 201, response.data
    return Breach.objects.get()


# --- Metrics ----------------------------------------------------------------------------------------------------------


class TestMetrics:
    def test_any_signed_in_caller_reads_the_catalogue(self, api, world):
        codes = {metric["code"] for metric in results(api.as_user(world.outsider).get(url("metric-list")))}

        assert {"csat", "service_level", "days_in_ar", "calls_handled"} <= codes

    def test_a_metric_is_found_by_its_code(self, api, world):
        data = api.as_token(world.integration_raw_token).get(url("metric-detail", "service_level")).data

        assert (data["name"], data["unit"], data["direction"], data["aggregation"]) == (
            "Service level",
            "%",
            "higher",
            "ratio",
        )

    def test_the_catalogue_filters_by_aggregation(self, api, world):
        rows = results(api.as_user(world.practice_staff).get(url("metric-list"), {"aggregation": "sum"}))

        assert {metric["code"] for metric in rows} == {"calls_handled", "appointments_booked", "claims_processed"}


# --- Targets ----------------------------------------------------------------------------------------------------------


TARGET = {"metric": "service_level", "threshold": "90", "warning_threshold": "95", "effective_from": "2025-01-01"}


class TestTargets:
    def test_a_practice_manager_sets_a_target_and_its_kpis_are_computed_from_existing_data(
        self, api, world, send, django_capture_on_commit_callbacks
    ):
        send(world.provider_manager, [row(world.engagement, numerator=8, denominator=10)])

        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(world.practice_manager).post(
                url("slatarget-list"), {**TARGET, "engagement": world.engagement.pk, "period": "week"}
            )

        assert response.status_code == 201, response.data
        assert response.data["engagement"] == world.engagement.pk
        assert (response.data["metric"], response.data["metric_unit"], response.data["metric_direction"]) == (
            "service_level",
            "%",
            "higher",
        )
        assert (response.data["period"], response.data["service_line"], response.data["weight"]) == (
            "week",
            None,
            "1.00",
        )
        kpi = KPIValue.objects.get(target_id=response.data["id"])
        assert (kpi.period_start, kpi.value, kpi.status) == (DAY, Decimal("80"), "breach")

    def test_a_target_may_be_set_on_one_service_line(self, api, world):
        response = api.as_user(world.practice_manager).post(
            url("slatarget-list"), {**TARGET, "engagement": world.engagement.pk, "service_line": "scheduling"}
        )

        assert response.status_code == 201, response.data
        assert response.data["service_line"] == "scheduling"

    def test_both_sides_read_the_targets_and_outsiders_see_none(self, api, world, target):
        mine = target("service_level", 90)
        target("csat", 4, engagement=world.other_engagement, by=world.outsider)

        for person in (world.practice_staff, world.provider_manager, world.provider_staff):
            assert [t["id"] for t in results(api.as_user(person).get(url("slatarget-list")))] == [mine.pk]
        assert api.as_user(world.other_provider_manager).get(url("slatarget-detail", mine.pk)).status_code == 404

    def test_the_list_filters_by_metric_and_period(self, api, world, target):
        monthly = target("service_level", 90)
        weekly = target("csat", 4, period="week")
        client = api.as_user(world.provider_staff)

        assert [t["id"] for t in results(client.get(url("slatarget-list"), {"metric": "csat"}))] == [weekly.pk]
        assert [t["id"] for t in results(client.get(url("slatarget-list"), {"period": "month"}))] == [monthly.pk]

    @pytest.mark.parametrize(
        ("change", "field", "message"),
        [
            ({"warning_threshold": "85"}, "warning_threshold", "must be at or above the threshold"),
            ({"effective_to": "2024-12-31"}, "effective_to", "cannot end before it starts"),
            ({"threshold": "120", "warning_threshold": None}, "threshold", "between 0 and 100"),
            ({"metric": "happiness"}, "metric", "is not a metric"),
            ({"period": "fortnight"}, "period", "not a valid choice"),
        ],
        ids=["warning on the wrong side", "end before start", "percentage over 100", "unknown metric", "bad period"],
    )
    def test_an_invalid_target_is_refused_naming_the_field(self, api, world, change, field, message):
        body = {**TARGET, "engagement": world.engagement.pk, **change}

        response = api.as_user(world.practice_manager).post(url("slatarget-list"), body)

        assert response.status_code == 400
        assert message in str(field_errors(response)[field][0])
        assert not SLATarget.objects.exists()

    def test_an_engagement_out_of_sight_reads_as_unknown(self, api, world):
        client = api.as_user(world.practice_manager)

        other = client.post(url("slatarget-list"), {**TARGET, "engagement": world.other_engagement.pk})
        unknown = client.post(url("slatarget-list"), {**TARGET, "engagement": 999999})

        assert other.status_code == unknown.status_code == 400
        assert field_errors(other)["engagement"] == [f"No engagement with id {world.other_engagement.pk}."]
        assert field_errors(unknown)["engagement"] == ["No engagement with id 999999."]
        assert not SLATarget.objects.exists()

    def test_the_provider_side_cannot_set_targets(self, api, world):
        for person in (world.provider_manager, world.practice_staff):
            response = api.as_user(person).post(url("slatarget-list"), {**TARGET, "engagement": world.engagement.pk})
            assert response.status_code == 403
        assert not SLATarget.objects.exists()

    def test_a_practice_manager_changes_a_threshold_and_the_periods_are_judged_again(
        self, api, world, target, send, django_capture_on_commit_callbacks
    ):
        sla_target = target("service_level", 90)
        send(world.provider_manager, [row(world.engagement, numerator=8, denominator=10)])
        assert KPIValue.objects.get(target=sla_target).status == "breach"

        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(world.practice_manager).patch(
                url("slatarget-detail", sla_target.pk), {"threshold": "75"}
            )

        assert response.status_code == 200, response.data
        assert response.data["threshold"] == "75.0000"
        assert KPIValue.objects.get(target=sla_target).status == "met"
        assert Breach.objects.get(target=sla_target).status == BreachStatus.RESOLVED_BY_DATA

    def test_a_target_keeps_its_engagement_and_metric(self, api, world, target):
        sla_target = target("service_level", 90)
        client = api.as_user(world.admin)

        moved = client.patch(url("slatarget-detail", sla_target.pk), {"engagement": world.other_engagement.pk})
        remetered = client.patch(url("slatarget-detail", sla_target.pk), {"metric": "csat"})

        assert moved.status_code == remetered.status_code == 400
        assert "stays with its engagement" in field_errors(moved)["engagement"][0]
        assert "keeps its metric" in field_errors(remetered)["metric"][0]
        sla_target.refresh_from_db()
        assert (sla_target.engagement, sla_target.metric.code) == (world.engagement, "service_level")

    def test_the_provider_cannot_change_a_target_and_outsiders_cannot_find_it(self, api, world, target):
        sla_target = target("service_level", 90)

        refused = api.as_user(world.provider_manager).patch(url("slatarget-detail", sla_target.pk), {"threshold": "1"})
        hidden = api.as_user(world.outsider).patch(url("slatarget-detail", sla_target.pk), {"threshold": "1"})

        assert (refused.status_code, hidden.status_code) == (403, 404)
        sla_target.refresh_from_db()
        assert sla_target.threshold == Decimal("90")

    def test_only_a_portal_admin_deletes_a_target(self, api, world, target):
        sla_target = target("service_level", 90)

        assert api.as_user(world.practice_manager).delete(url("slatarget-detail", sla_target.pk)).status_code == 403
        assert SLATarget.objects.filter(pk=sla_target.pk).exists()
        assert api.as_user(world.admin).delete(url("slatarget-detail", sla_target.pk)).status_code == 204
        assert not SLATarget.objects.filter(pk=sla_target.pk).exists()


# --- Ingestion: the happy paths ---------------------------------------------------------------------------------------


class TestIngestion:
    def test_a_json_batch_is_stored_and_its_kpi_computed(self, api, world, target, send):
        sla_target = target("service_level", 90)
        rows = [
            row(world.engagement, numerator=9, denominator=10),
            row(world.engagement, day=DAY + timedelta(days=1), numerator=8, denominator=10, agent=world.agent.pk),
            row(world.engagement, metric="calls_handled", value=40, numerator=None, denominator=None),
        ]

        response = send(world.provider_manager, rows)

        assert response.status_code == 201, response.data
        batch = IngestBatch.objects.get()
        assert response.data == {"batch": batch.pk, "created": 3, "duplicates": 0, "corrected": 0}
        assert response["Location"] == url("ingestbatch-detail", batch.pk)
        assert Measurement.objects.filter(batch=batch).count() == 3
        kpi = KPIValue.objects.get(target=sla_target)
        assert (kpi.period_start, kpi.value, kpi.sample_size, kpi.status) == (MARCH, Decimal("85"), 20, "breach")

    def test_a_csv_batch_with_the_same_columns_is_stored(self, api, world, target, send):
        sla_target = target("service_level", 90)
        body = (
            "engagement,metric,service_line,agent,date,value,numerator,denominator,external_id\n"
            f"{world.engagement.pk},service_level,scheduling,{world.agent.pk},2025-03-03,,19,20,csv-1\n"
            f"{world.engagement.pk},csat,,,2025-03-04,4.5,,,csv-2\n"
        )

        response = send(world.provider_manager, body, content_type="text/csv")

        assert response.status_code == 201, response.data
        assert (response.data["created"], response.data["duplicates"], response.data["corrected"]) == (2, 0, 0)
        stored_row = Measurement.objects.get(external_id="csv-1")
        assert (stored_row.service_line.code, stored_row.agent, stored_row.numerator) == ("scheduling", world.agent, 19)
        assert KPIValue.objects.get(target=sla_target).value == Decimal("95")

    def test_a_resent_batch_counts_duplicates_and_creates_nothing(self, world, send):
        rows = [row(world.engagement), row(world.engagement)]
        send(world.provider_manager, rows)

        response = send(world.provider_manager, rows)

        assert response.status_code == 201
        assert (response.data["created"], response.data["duplicates"], response.data["corrected"]) == (0, 2, 0)
        assert Measurement.objects.count() == 2

    def test_changed_content_is_a_conflict_unless_corrections_are_asked_for(self, world, target, send):
        sla_target = target("service_level", 90)
        send(world.provider_manager, [row(world.engagement, external_id="call-1", numerator=9, denominator=10)])
        changed = [row(world.engagement, external_id="call-1", numerator=5, denominator=10)]

        refused = send(world.provider_manager, changed)

        assert refused.status_code == 400
        assert refused.data["errors"] == [
            {
                "row": 1,
                "field": "external_id",
                "code": "changed",
                "message": "External id “call-1” was already ingested with different content. "
                "Resend with corrections allowed to replace it.",
            }
        ]
        assert Measurement.objects.get().numerator == 9 and IngestBatch.objects.count() == 1

        corrected = send(world.provider_manager, changed, corrections="true")

        assert corrected.status_code == 201, corrected.data
        assert (corrected.data["created"], corrected.data["duplicates"], corrected.data["corrected"]) == (0, 0, 1)
        assert Measurement.objects.get().numerator == 5
        kpi = KPIValue.objects.get(target=sla_target)
        assert (kpi.value, kpi.status) == (Decimal("50"), "breach")
        assert Breach.objects.get(target=sla_target).value == Decimal("50")

    def test_a_correction_that_meets_the_target_resolves_the_breach_by_data(self, api, world, breach, send):
        external_id = Measurement.objects.get().external_id

        send(
            world.provider_manager,
            [row(world.engagement, external_id=external_id, numerator=10, denominator=10)],
            corrections="true",
        )

        data = api.as_user(world.practice_manager).get(url("breach-detail", breach.pk)).data
        assert (data["status"], data["resolved_at"] is not None) == ("resolved_by_data", True)

    def test_corrections_must_be_a_boolean(self, world, send):
        response = send(world.provider_manager, [row(world.engagement)], corrections="perhaps")

        assert response.status_code == 400
        assert field_errors(response)["corrections"] == ["Must be a valid boolean."]
        assert stored() == (0, 0)

    def test_an_integration_token_writes_to_its_providers_engagements_only(self, world, send):
        mine = send(world.integration_raw_token, [row(world.engagement)])
        theirs = send(world.integration_raw_token, [row(world.other_engagement)])

        assert mine.status_code == 201, mine.data
        assert IngestBatch.objects.get().submitted_by == world.integration_token.user
        assert theirs.status_code == 400
        assert theirs.data["errors"] == [
            {
                "row": 1,
                "field": "engagement",
                "code": "does_not_exist",
                "message": f"No engagement with id {world.other_engagement.pk}.",
            }
        ]
        assert stored() == (1, 1)

    def test_a_race_on_the_same_external_ids_answers_409_and_keeps_nothing(self, world, send, monkeypatch):
        """A resent batch (one row stored already) is classified row by row; another request stores one of its new
        external ids between that classification and the insert."""
        resent = row(world.engagement)
        assert send(world.provider_manager, [resent]).status_code == 201
        plan = ingest.plan

        def plan_then_lose_the_race(rows, **options):
            work = plan(rows, **options)
            rival = IngestBatch.objects.create(submitted_by=world.provider_manager)
            Measurement.objects.create(
                engagement=world.engagement,
                metric=rows[1].metric,
                date=DAY,
                numerator=1,
                external_id=rows[1].external_id,
                batch=rival,
            )
            return work

        monkeypatch.setattr(ingest, "plan", plan_then_lose_the_race)

        response = send(world.provider_manager, [resent, row(world.engagement)])

        assert response.status_code == 409
        assert "send it again" in response.data["detail"]
        assert stored() == (1, 1)

    def test_an_external_id_another_request_stored_first_is_a_duplicate_not_a_conflict(self, world, send, monkeypatch):
        """A batch is first stored as new in one go; an id that another request stored after this one was
        validated fails the unique index, and the batch is then classified: the same content is a duplicate."""
        theirs, validate, raced = row(world.engagement), ingest.Validator.run, []

        def validate_then_lose_the_race(validator):
            rows = validate(validator)
            if not raced:
                raced.append(True)
                services.ingest_measurements([theirs], by=world.provider_manager)  # the other request
            return rows

        monkeypatch.setattr(ingest.Validator, "run", validate_then_lose_the_race)

        response = send(world.provider_manager, [theirs, row(world.engagement)])

        assert raced and response.status_code == 201
        assert (response.data["created"], response.data["duplicates"], response.data["corrected"]) == (1, 1, 0)
        assert stored() == (2, 2)


# --- Ingestion: every rejected request writes nothing -----------------------------------------------------------------


REJECTIONS = [
    ("unknown engagement", {"engagement": 999999}, "engagement", "No engagement with id 999999."),
    ("unknown metric", {"metric": "happiness"}, "metric", "Unknown metric “happiness”"),
    ("bad date", {"date": "2025-02-30"}, "date", "is not a date in the form YYYY-MM-DD"),
    ("future date", {"date": "2099-01-01"}, "date", "is in the future for the practice"),
    ("bad number", {"numerator": "nine"}, "numerator", "“nine” is not a number"),
    ("negative count", {"numerator": -1}, "numerator", "numerator cannot be negative"),
    (
        "negative value",
        {"metric": "calls_handled", "value": -3, "numerator": None, "denominator": None},
        "value",
        "value cannot be negative",
    ),
    ("zero denominator", {"denominator": 0}, "denominator", "The denominator cannot be 0."),
    ("missing external id", {"external_id": None}, "external_id", "This field is required."),
    (
        "value for a ratio metric",
        {"value": 0.9, "numerator": None, "denominator": None},
        "value",
        "service_level is a ratio",
    ),
]


def _with_bad_row(world, change):
    bad = {**row(world.engagement), **change}
    return [row(world.engagement), {k: v for k, v in bad.items() if v is not None}, row(world.engagement)]


class TestRejections:
    @pytest.mark.parametrize(
        ("change", "field", "message"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
    )
    def test_one_bad_row_rejects_the_whole_json_batch(self, world, send, change, field, message):
        response = send(world.provider_manager, _with_bad_row(world, change))

        assert response.status_code == 400
        assert "Nothing was saved" in response.data["detail"]
        assert [(e["row"], e["field"]) for e in response.data["errors"]] == [(2, field)]
        assert message in response.data["errors"][0]["message"]
        assert stored() == (0, 0)

    def test_another_tenants_engagement_reads_exactly_like_an_unknown_one(self, world, send):
        other = send(world.provider_manager, [row(world.other_engagement)])
        unknown = send(world.provider_manager, [{**row(world.engagement), "engagement": 999999}])

        assert other.status_code == unknown.status_code == 400
        messages = [r.data["errors"][0]["message"] for r in (other, unknown)]
        assert messages[0].replace(str(world.other_engagement.pk), "ID") == messages[1].replace("999999", "ID")
        assert stored() == (0, 0)

    def test_a_practice_manager_may_see_the_engagement_but_not_submit_to_it(self, world, send):
        response = send(world.practice_manager, [row(world.engagement)])

        assert response.status_code == 400
        assert response.data["errors"] == [
            {
                "row": 1,
                "field": "engagement",
                "code": "forbidden",
                "message": f"You cannot submit measurements to engagement {world.engagement.pk}.",
            }
        ]
        assert stored() == (0, 0)

    def test_a_duplicate_external_id_inside_the_batch_is_refused(self, world, send):
        rows = [row(world.engagement, external_id="same"), row(world.engagement, external_id="same")]

        response = send(world.provider_manager, rows)

        assert response.status_code == 400
        assert response.data["errors"] == [
            {"row": 2, "field": "external_id", "code": "duplicate", "message": "External id “same” is also on row 1."}
        ]
        assert stored() == (0, 0)

    def test_an_external_id_with_a_nul_character_is_refused_before_the_database_sees_it(self, world, send):
        rows = [row(world.engagement, external_id="ok-1"), row(world.engagement, external_id="bad\x00id")]

        response = send(world.provider_manager, rows)

        assert response.status_code == 400
        assert response.data["errors"] == [
            {
                "row": 2,
                "field": "external_id",
                "code": "invalid",
                "message": "The external id contains control characters; send printable text only.",
            }
        ]
        assert stored() == (0, 0)

    def test_a_bad_csv_row_rejects_the_file(self, world, send):
        body = (
            "engagement,metric,date,numerator,denominator,external_id\n"
            f"{world.engagement.pk},service_level,2025-03-03,9,10,a\n"
            f"{world.engagement.pk},service_level,2099-03-03,9,10,b\n"
        )

        response = send(world.provider_manager, body, content_type="text/csv")

        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.data["errors"]] == [(2, "date")]
        assert stored() == (0, 0)

    def test_a_csv_header_with_an_unknown_column_is_refused(self, world, send):
        body = f"engagement,metric,day,value,external_id\n{world.engagement.pk},csat,2025-03-03,4,a\n"

        response = send(world.provider_manager, body, content_type="text/csv")

        assert response.status_code == 400
        assert {(e["row"], e["field"]) for e in response.data["errors"]} == {(None, "day"), (None, "date")}
        assert stored() == (0, 0)

    @pytest.mark.parametrize(
        ("body", "message"),
        [("[{", "not valid JSON"), ('{"engagement": 1}', "JSON array"), ("", "The body is empty")],
        ids=["broken json", "an object, not an array", "empty body"],
    )
    def test_a_body_that_is_not_a_list_of_rows_is_refused(self, world, send, body, message):
        response = send(world.provider_manager, body, content_type="application/json")

        assert response.status_code == 400
        assert response.data["errors"][0]["row"] is None
        assert message in response.data["errors"][0]["message"]
        assert stored() == (0, 0)

    def test_more_than_ten_thousand_rows_answer_413_naming_the_limit(self, world, send):
        rows = [row(world.engagement, external_id=f"bulk-{n}") for n in range(ingest.MAX_ROWS + 1)]

        response = send(world.provider_manager, rows)

        assert response.status_code == 413
        assert "10,000" in response.data["detail"]
        assert stored() == (0, 0)

    def test_a_body_too_large_to_be_a_batch_is_refused_before_it_is_parsed(self, world, send, monkeypatch):
        monkeypatch.setattr(views, "MAX_BODY_BYTES", 200)
        monkeypatch.setattr(views.MeasurementsJSONParser, "parse_raw", staticmethod(lambda raw: pytest.fail("parsed")))

        response = send(world.provider_manager, [row(world.engagement) for _ in range(5)])

        assert response.status_code == 413
        assert "10,000 rows" in response.data["detail"]
        assert stored() == (0, 0)

    @pytest.mark.parametrize("parser", [views.MeasurementsJSONParser, views.MeasurementsCSVParser])
    def test_a_body_sent_without_a_length_is_read_no_further_than_the_limit(self, monkeypatch, parser):
        monkeypatch.setattr(views, "MAX_BODY_BYTES", 200)
        stream = io.BytesIO(b"[" + b" " * 10_000 + b"]")

        with pytest.raises(views.BodyTooLarge):
            parser().parse(stream, parser.media_type)
        assert stream.tell() == 201

    def test_an_unsupported_media_type_is_refused(self, api, world):
        response = api.as_user(world.provider_manager).post(
            url("measurement-list"), "engagement=1", content_type="application/x-www-form-urlencoded"
        )

        assert response.status_code == 415
        assert stored() == (0, 0)


# --- Reading measurements and batches ---------------------------------------------------------------------------------


class TestMeasurementsAndBatches:
    def test_measurements_list_what_the_caller_can_see_filtered_and_paginated(self, api, world, send, target):
        send(world.provider_manager, [row(world.engagement, external_id="a"), row(world.engagement, metric="csat",
             external_id="b", value=4, numerator=None, denominator=None)])  # fmt: skip
        target("csat", 4, engagement=world.other_engagement, by=world.outsider)
        send(world.other_provider_manager, [row(world.other_engagement, external_id="theirs")])
        client = api.as_user(world.practice_staff)

        response = client.get(url("measurement-list"), {"page_size": 1})
        assert response.data["count"] == 2 and len(response.data["results"]) == 1
        csat = results(client.get(url("measurement-list"), {"metric": "csat"}))
        assert [(m["external_id"], m["numerator"], m["denominator"]) for m in csat] == [("b", "4.0000", "1.0000")]
        outsider = results(api.as_user(world.outsider).get(url("measurement-list")))
        assert [m["external_id"] for m in outsider] == ["theirs"]

    def test_a_batch_shows_who_sent_what_and_which_dates_it_touched(self, api, world, send):
        send(
            world.provider_manager,
            [row(world.engagement), row(world.engagement, day=DAY + timedelta(days=3)), row(world.engagement)],
        )
        batch = IngestBatch.objects.get()

        data = api.as_user(world.provider_manager).get(url("ingestbatch-detail", batch.pk)).data

        assert data["submitted_by"] == "Bea Account"
        assert data["source"] == "api"
        assert (data["row_count"], data["created_count"], data["duplicate_count"], data["corrected_count"]) == (
            3,
            3,
            0,
            0,
        )
        assert data["engagements"] == [world.engagement.pk]
        assert (data["first_date"], data["last_date"]) == ("2025-03-03", "2025-03-06")
        assert data["touched"] == [
            {
                "engagement": world.engagement.pk,
                "metric": "service_level",
                "first_date": "2025-03-03",
                "last_date": "2025-03-06",
                "days": 2,
            }
        ]
        assert data["recomputed_at"] is not None

    def test_batches_are_the_submitting_sides_records(self, api, world, send):
        send(world.integration_raw_token, [row(world.engagement)])
        batch = IngestBatch.objects.get()

        assert [b["id"] for b in results(api.as_user(world.provider_manager).get(url("ingestbatch-list")))] == [
            batch.pk
        ]
        assert results(api.as_user(world.practice_manager).get(url("ingestbatch-list"))) == []
        assert api.as_user(world.other_provider_manager).get(url("ingestbatch-detail", batch.pk)).status_code == 404


# --- KPI values and breaches ------------------------------------------------------------------------------------------


@pytest.fixture
def two_months(world, target, send):
    """Service level (monthly, 90% target) met in March and missed in April; CSAT weekly, met."""
    service_level = target("service_level", 90, warning_threshold=95)
    csat = target("csat", 4, period="week")
    send(
        world.provider_manager,
        [
            row(world.engagement, numerator=97, denominator=100),
            row(world.engagement, day=date(2025, 4, 7), numerator=80, denominator=100),
            row(world.engagement, metric="csat", value="4.5", numerator=None, denominator=None),
        ],
    )
    return service_level, csat


class TestKPIs:
    def test_kpi_values_carry_their_period_target_and_verdict(self, api, world, two_months):
        service_level, _ = two_months

        rows = results(api.as_user(world.provider_staff).get(url("kpivalue-list"), {"metric": "service_level"}))

        assert [(k["period_start"], k["value"], k["status"]) for k in rows] == [
            ("2025-04-01", "80.00", "breach"),
            ("2025-03-01", "97.00", "met"),
        ]
        april = rows[0]
        assert april["target"] == service_level.pk
        assert (april["engagement"], april["metric"], april["service_line"], april["grain"]) == (
            world.engagement.pk,
            "service_level",
            None,
            "month",
        )
        assert (april["period_end"], april["sample_size"], april["numerator"], april["denominator"]) == (
            "2025-04-30",
            "100.0000",
            "80.0000",
            "100.0000",
        )
        assert (april["threshold"], april["warning_threshold"]) == ("90.0000", "95.0000")
        assert april["computed_at"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"status": "breach"}, [("service_level", "2025-04-01")]),
            ({"status": ["met", "warning"], "metric": "service_level"}, [("service_level", "2025-03-01")]),
            ({"grain": "week"}, [("csat", "2025-03-03")]),
            ({"period": "2025-03-05"}, [("service_level", "2025-03-01"), ("csat", "2025-03-03")]),
            ({"period_from": "2025-04-01"}, [("service_level", "2025-04-01")]),
        ],
        ids=["status", "several statuses and a metric", "grain", "period containing a date", "from"],
    )
    def test_the_list_filters_by_metric_period_and_status(self, api, world, two_months, query, expected):
        rows = results(api.as_user(world.practice_manager).get(url("kpivalue-list"), query))

        assert sorted((k["metric"], k["period_start"]) for k in rows) == sorted(expected)

    def test_the_list_filters_by_engagement_and_never_shows_another_tenants(self, api, world, two_months, target, send):
        target("service_level", 90, engagement=world.other_engagement, by=world.outsider)
        send(world.other_provider_manager, [row(world.other_engagement)])

        mine = results(api.as_user(world.practice_manager).get(url("kpivalue-list")))
        theirs = results(api.as_user(world.outsider).get(url("kpivalue-list")))
        filtered = api.as_user(world.admin).get(url("kpivalue-list"), {"engagement": world.other_engagement.pk})

        assert {k["engagement"] for k in mine} == {world.engagement.pk} and len(mine) == 3
        assert {k["engagement"] for k in theirs} == {world.other_engagement.pk} and len(theirs) == 1
        assert {k["engagement"] for k in results(filtered)} == {world.other_engagement.pk}
        # Someone else's engagement reads like an unknown id: an empty page, as every engagement filter answers.
        hidden = api.as_user(world.outsider).get(url("kpivalue-list"), {"engagement": world.engagement.pk})
        unknown = api.as_user(world.outsider).get(url("kpivalue-list"), {"engagement": 999_999})
        assert hidden.status_code == unknown.status_code == 200
        assert results(hidden) == results(unknown) == []
        assert api.as_user(world.outsider).get(url("kpivalue-list"), {"engagement": "x"}).status_code == 400


class TestBreaches:
    def test_a_missed_target_shows_as_a_breach_with_its_plans(self, api, world, breach):
        plan = services.submit_remediation_plan(
            breach, by=world.provider_manager, actions="Add two agents at peak", owner="Bea", due_on=in_a_fortnight()
        )

        data = api.as_user(world.practice_staff).get(url("breach-detail", breach.pk)).data

        assert (data["engagement"], data["metric"], data["grain"]) == (world.engagement.pk, "service_level", "month")
        assert (data["period_start"], data["period_end"]) == ("2025-03-01", "2025-03-31")
        assert (data["severity"], data["status"], data["value"], data["threshold"]) == (
            "breach",
            "open",
            "50.00",
            "90.0000",
        )
        assert data["target"] == breach.target_id and data["opened_at"] and data["resolved_at"] is None
        assert [(p["id"], p["status"], p["owner"]) for p in data["remediation_plans"]] == [
            (plan.pk, "submitted", "Bea")
        ]

    def test_the_list_filters_by_status_severity_and_metric(self, api, world, two_months):
        client = api.as_user(world.provider_manager)

        open_breaches = results(client.get(url("breach-list"), {"status": "open"}))
        assert [(b["metric"], b["period_start"], b["severity"]) for b in open_breaches] == [
            ("service_level", "2025-04-01", "breach")
        ]
        assert results(client.get(url("breach-list"), {"severity": "warning"})) == []
        assert results(client.get(url("breach-list"), {"metric": "csat"})) == []
        assert results(client.get(url("breach-list"), {"status": "closed"})) == []

    def test_outsiders_never_see_the_breach(self, api, world, breach):
        assert results(api.as_user(world.outsider).get(url("breach-list"))) == []
        assert api.as_user(world.other_provider_manager).get(url("breach-detail", breach.pk)).status_code == 404


# --- Query counts -----------------------------------------------------------------------------------------------------


def _grow(world, target, send, months: int) -> None:
    """`months` monthly batches of service level and first call resolution, each month missed: a KPI value and a
    breach per target and month, each breach answered with a plan (and both sides notified)."""
    scheduling = ServiceLine.objects.get(code="scheduling")
    targets = [target("service_level", 90), target("first_call_resolution", 80, service_line=scheduling)]
    for month in range(months):
        day = date(2024 + month // 12, 1 + month % 12, 10)
        rows = [
            row(world.engagement, day=day, numerator=5, denominator=10),
            row(world.engagement, "first_call_resolution", day, service_line="scheduling", numerator=1, denominator=2),
        ]
        assert send(world.provider_manager, rows).status_code == 201
    for breach in Breach.objects.filter(target__in=targets):
        services.submit_remediation_plan(
            breach, by=world.provider_manager, actions="Retrain", owner="Bea", due_on=in_a_fortnight()
        )


# The token, then the page's count and rows; plus one query per prefetch (a breach's plans, a batch's engagements)
# and the metric catalogue for a batch's touched dates. Measured, and the same at 2 and at 12 months of data.
LIST_QUERIES = {
    "kpivalue-list": 3,
    "breach-list": 4,
    "remediationplan-list": 3,
    "slatarget-list": 3,
    "measurement-list": 4,  # + the membership read that scopes the agent filter
    "ingestbatch-list": 5,
    "notification-list": 3,
}


# Batches are the submitting side's records, and portal admins are not notified: nothing to list there.
LIST_CASES = [
    (name, persona)
    for name in LIST_QUERIES
    for persona in ("practice_manager", "provider_manager", "admin")
    if (name, persona) not in {("ingestbatch-list", "practice_manager"), ("notification-list", "admin")}
]


@pytest.mark.parametrize("months", [2, 12])
@pytest.mark.parametrize(("list_name", "persona"), LIST_CASES)
def test_sla_lists_run_a_constant_number_of_queries(
    api, world, target, send, django_assert_max_num_queries, months, list_name, persona
):
    _grow(world, target, send, months)
    client = api.as_user(getattr(world, persona))
    client.get(url("metric-list"))  # a token's first use stamps it; later requests within a minute do not

    with django_assert_max_num_queries(LIST_QUERIES[list_name]):
        response = client.get(url(list_name))

    assert response.status_code == 200
    assert response.data["count"] >= (2 if list_name == "slatarget-list" else months)


# --- Remediation ------------------------------------------------------------------------------------------------------


def _propose(api, world, for_breach, **changes):
    body = {"breach": for_breach.pk, "actions": "Add two agents at peak hours", "owner": "Bea Account"}
    body["due_on"] = in_a_fortnight().isoformat()
    return api.as_user(world.provider_manager).post(url("remediationplan-list"), {**body, **changes})


class TestRemediation:
    def test_a_plan_goes_from_proposal_to_closure_over_the_api(self, api, world, breach):
        proposed = _propose(api, world, breach)
        assert proposed.status_code == 201, proposed.data
        plan_id = proposed.data["id"]
        assert (proposed.data["status"], proposed.data["engagement"], proposed.data["submitted_by"]) == (
            "submitted",
            world.engagement.pk,
            "Bea Account",
        )

        accepted = api.as_user(world.practice_manager).post(
            url("remediationplan-decision", plan_id), {"accept": True, "note": "Go ahead"}
        )
        assert accepted.status_code == 200, accepted.data
        assert (accepted.data["status"], accepted.data["decided_by"], accepted.data["decision_note"]) == (
            "accepted",
            "Paula Manager",
            "Go ahead",
        )

        done = api.as_user(world.provider_manager).post(url("remediationplan-done", plan_id))
        assert (done.status_code, done.data["status"]) == (200, "done")
        assert done.data["completed_at"]

        closed = api.as_user(world.practice_manager).post(url("remediationplan-close", plan_id))
        assert (closed.status_code, closed.data["status"]) == (200, "closed")
        breach.refresh_from_db()
        assert breach.status == BreachStatus.CLOSED
        assert api.as_user(world.provider_staff).get(url("breach-detail", breach.pk)).data["status"] == "closed"

    def test_a_rejected_plan_needs_a_reason_and_makes_room_for_a_new_one(self, api, world, breach):
        plan_id = _propose(api, world, breach).data["id"]
        decide = api.as_user(world.practice_manager)

        silent = decide.post(url("remediationplan-decision", plan_id), {"accept": False})
        assert silent.status_code == 400
        assert "Say why" in field_errors(silent)["note"][0]
        assert RemediationPlan.objects.get(pk=plan_id).status == RemediationStatus.SUBMITTED

        rejected = decide.post(url("remediationplan-decision", plan_id), {"accept": False, "note": "Too vague"})
        assert rejected.data["status"] == "rejected"
        assert _propose(api, world, breach, actions="Hire and train three agents").status_code == 201

    def test_a_second_live_plan_for_the_same_breach_is_refused(self, api, world, breach):
        _propose(api, world, breach)

        response = _propose(api, world, breach)

        assert response.status_code == 400
        assert "already has a remediation plan in progress" in field_errors(response)["detail"][0]
        assert RemediationPlan.objects.count() == 1

    @pytest.mark.parametrize(
        ("change", "field"),
        [({"due_on": "2020-01-01"}, "due_on"), ({"owner": ""}, "owner"), ({"breach": 999999}, "breach")],
        ids=["due in the past", "no owner", "unknown breach"],
    )
    def test_an_invalid_proposal_is_refused_naming_the_field(self, api, world, breach, change, field):
        response = _propose(api, world, breach, **change)

        assert response.status_code == 400
        assert field in field_errors(response)
        assert not RemediationPlan.objects.exists()

    def test_the_wrong_side_is_refused_with_403_and_outsiders_with_404(self, api, world, breach):
        plan_id = _propose(api, world, breach).data["id"]

        assert api.as_user(world.practice_manager).post(url("remediationplan-list"), {}).status_code == 403
        assert api.as_user(world.provider_manager).post(
            url("remediationplan-decision", plan_id), {"accept": True}
        ).status_code == 403  # fmt: skip
        assert api.as_user(world.provider_staff).post(url("remediationplan-done", plan_id)).status_code == 403
        assert api.as_user(world.outsider).post(
            url("remediationplan-decision", plan_id), {"accept": True}
        ).status_code == 404  # fmt: skip
        foreign = api.as_user(world.other_provider_manager).post(
            url("remediationplan-list"),
            {"breach": breach.pk, "actions": "x", "owner": "y", "due_on": in_a_fortnight().isoformat()},
        )
        assert foreign.status_code == 400
        assert field_errors(foreign)["breach"] == [f"No breach with id {breach.pk}."]
        assert RemediationPlan.objects.get().status == RemediationStatus.SUBMITTED

    def test_a_step_out_of_order_is_refused_with_the_services_message(self, api, world, breach):
        plan_id = _propose(api, world, breach).data["id"]

        early_done = api.as_user(world.provider_manager).post(url("remediationplan-done", plan_id))
        early_close = api.as_user(world.practice_manager).post(url("remediationplan-close", plan_id))

        assert (early_done.status_code, early_close.status_code) == (400, 400)
        assert field_errors(early_done)["detail"] == ["Only an accepted plan can be reported done."]
        assert field_errors(early_close)["detail"] == ["Only a plan reported done can be closed."]
        api.as_user(world.practice_manager).post(url("remediationplan-decision", plan_id), {"accept": True})
        again = api.as_user(world.practice_manager).post(url("remediationplan-decision", plan_id), {"accept": True})
        assert again.status_code == 400
        assert "only a submitted plan can be decided" in field_errors(again)["detail"][0]
        assert RemediationPlan.objects.get().status == RemediationStatus.ACCEPTED

    def test_a_decision_needs_accept(self, api, world, breach):
        plan_id = _propose(api, world, breach).data["id"]

        response = api.as_user(world.practice_manager).post(url("remediationplan-decision", plan_id), {"note": "ok"})

        assert response.status_code == 400 and "accept" in field_errors(response)

    def test_plans_filter_by_status_and_stay_within_the_tenancy(self, api, world, breach):
        plan_id = _propose(api, world, breach).data["id"]

        submitted = results(api.as_user(world.practice_staff).get(url("remediationplan-list"), {"status": "submitted"}))
        closed = results(api.as_user(world.practice_staff).get(url("remediationplan-list"), {"status": "closed"}))

        assert [p["id"] for p in submitted] == [plan_id] and closed == []
        assert results(api.as_user(world.outsider).get(url("remediationplan-list"))) == []

    def test_plans_are_not_edited_or_deleted_directly(self, api, world, breach):
        plan_id = _propose(api, world, breach).data["id"]
        client = api.as_user(world.admin)

        assert client.patch(url("remediationplan-detail", plan_id), {"owner": "x"}).status_code == 405
        assert client.delete(url("remediationplan-detail", plan_id)).status_code == 405
        assert RemediationPlan.objects.get().owner == "Bea Account"


# --- Notifications ----------------------------------------------------------------------------------------------------


class TestNotifications:
    def test_each_manager_reads_their_own_breach_notification(self, api, world, breach):
        mine = results(api.as_user(world.practice_manager).get(url("notification-list")))

        assert [n["title"] for n in mine] == [f"SLA breach: Service level Mar 2025 — {world.engagement.name}"]
        assert mine[0]["engagement"] == world.engagement.pk and mine[0]["read_at"] is None
        assert results(api.as_user(world.outsider).get(url("notification-list"))) == []
        assert results(api.as_user(world.practice_staff).get(url("notification-list"))) == []

    def test_marking_read_touches_only_the_callers_own(self, api, world, breach):
        mine = Notification.objects.get(user=world.practice_manager)
        theirs = Notification.objects.get(user=world.provider_manager)

        foreign = api.as_user(world.practice_manager).post(url("notification-read"), {"ids": [theirs.pk]})
        listed = api.as_user(world.practice_manager).post(url("notification-read"), {"ids": [mine.pk]})

        assert (foreign.status_code, foreign.data, listed.data) == (200, {"marked": 0}, {"marked": 1})
        theirs.refresh_from_db()
        mine.refresh_from_db()
        assert theirs.read_at is None and mine.read_at is not None

    def test_marking_read_without_ids_marks_all(self, api, world, breach):
        response = api.as_user(world.provider_manager).post(url("notification-read"))

        assert response.data == {"marked": 1}
        assert not Notification.objects.filter(user=world.provider_manager, read_at__isnull=True).exists()
        assert Notification.objects.filter(user=world.practice_manager, read_at__isnull=True).exists()

    def test_ids_must_be_a_list_of_numbers(self, api, world, breach):
        response = api.as_user(world.provider_manager).post(url("notification-read"), {"ids": ["all"]})

        assert response.status_code == 400
        assert Notification.objects.filter(read_at__isnull=True).count() == 2


# --- Documentation and rendering --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_the_ingest_endpoint_documents_json_and_csv_bodies_and_its_refusals(schema):
    create = schema["paths"]["/api/v1/measurements/"]["post"]

    assert set(create["requestBody"]["content"]) == {"application/json"}  # CSV is described in words
    assert "text/csv" in create["description"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"201", "400", "409", "413"} <= set(create["responses"])
    assert [p["name"] for p in create["parameters"]] == ["corrections", "Idempotency-Key"]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/v1/sla-targets/", {"201", "400", "403"}),
        ("patch", "/api/v1/sla-targets/{id}/", {"200", "400", "403", "404"}),
        ("post", "/api/v1/remediation-plans/", {"201", "400", "403"}),
        ("post", "/api/v1/remediation-plans/{id}/decision/", {"200", "400", "403", "404"}),
        ("post", "/api/v1/remediation-plans/{id}/done/", {"200", "400", "403", "404"}),
        ("post", "/api/v1/remediation-plans/{id}/close/", {"200", "400", "403", "404"}),
        ("get", "/api/v1/breaches/{id}/", {"200", "404"}),
        ("post", "/api/v1/notifications/read/", {"200", "400"}),
    ],
)
def test_each_sla_operation_is_summarised_with_its_refusals(schema, method, path, statuses):
    operation = schema["paths"][path][method]

    assert operation["summary"]
    assert statuses <= set(operation["responses"])


def test_read_only_resources_document_no_writes(schema):
    for path in ("/api/v1/metrics/", "/api/v1/kpis/", "/api/v1/breaches/", "/api/v1/ingest-batches/"):
        assert set(schema["paths"][path]) == {"get"}, path
    assert set(schema["paths"]["/api/v1/remediation-plans/{id}/"]) == {"get"}


@pytest.mark.parametrize("name", ["measurement-list", "slatarget-list", "remediationplan-list", "breach-list"])
def test_the_browsable_api_renders_for_a_signed_in_manager(world, name):
    client = APIClient()
    client.force_login(world.provider_manager)

    response = client.get(url(name), HTTP_ACCEPT="text/html")

    assert response.status_code == 200


def test_the_documented_row_has_exactly_the_columns_the_parser_accepts():
    """The schema's row and the CSV header are one contract: a documented field the parser refused (or the other
    way round) would break integrations."""
    assert list(serializers.MeasurementRowSerializer().fields) == list(ingest.COLUMNS)


def test_filtering_measurements_by_another_tenants_agent_reads_like_an_unknown_id(api, world):
    client = api.as_user(world.practice_manager)
    other = client.get("/api/v1/measurements/", {"agent": world.other_agent.pk})
    unknown = client.get("/api/v1/measurements/", {"agent": 999999})
    assert other.status_code == unknown.status_code == 200
    assert other.json()["results"] == unknown.json()["results"] == []
    assert client.get("/api/v1/measurements/", {"agent": world.agent.pk}).status_code == 200
