"""Every API error is one object, {code, detail, errors?}, documented on every operation that can answer it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bpo_portal.api.exceptions import ERROR_CODES
from slas.models import Measurement

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    body = response.json()
    assert response.status_code == status, body
    assert response["Content-Type"].startswith("application/json")
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"code", "detail", "errors"}
    return body


def test_a_field_error_names_the_field_and_its_code(api, world):
    response = api.as_user(world.admin).post(reverse("practice-list"), {"name": world.other_practice.name})

    body = assert_error(response, 400, "validation_failed")
    assert body["errors"] == [{"field": "name", "code": "unique", "message": body["detail"]}]


def test_a_business_rule_is_a_validation_failure_with_its_message(api, world):
    response = api.as_user(world.practice_manager).post(
        reverse("engagement-status", args=[world.engagement.pk]), {"status": "steady"}
    )

    body = assert_error(response, 400, "validation_failed")
    assert body["errors"][0]["field"] in (None, "status")


def test_out_of_sight_is_not_found_and_no_token_is_not_authenticated(api, world):
    assert_error(
        api.as_user(world.outsider).get(reverse("engagement-detail", args=[world.engagement.pk])), 404, "not_found"
    )
    assert_error(APIClient().get(reverse("engagement-list")), 401, "not_authenticated")
    assert_error(api.as_token("bpo_deadbeef_nope").get(reverse("engagement-list")), 401, "authentication_failed")


def test_seen_but_not_changeable_is_forbidden(api, world):
    response = api.as_user(world.practice_staff).patch(
        reverse("practice-detail", args=[world.practice.pk]), {"name": "Renamed"}
    )

    assert_error(response, 403, "forbidden")


def test_a_path_no_route_matches_answers_the_error_object_not_html(api, world):
    assert_error(api.as_user(world.practice_manager).get("/api/v1/engagements/1.5/"), 404, "not_found")


def test_form_bodies_are_refused_write_bodies_are_json(api, world):
    response = api.as_user(world.admin).post(
        reverse("practice-list"), "name=Form", content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 415, "unsupported_media_type")


def test_the_ingest_keeps_its_row_items_and_adds_a_code(api, world):
    body = [{"engagement": world.engagement.pk, "metric": "service_level", "date": "2025-03-03"}]

    response = api.as_token(world.integration_raw_token).post(reverse("measurement-list"), body, format="json")

    error = assert_error(response, 400, "ingest_rejected")
    assert error["errors"] == [
        {"row": 1, "field": "external_id", "code": "required", "message": "This field is required."},
        {"row": 1, "field": "value", "code": "invalid", "message": "Send a value, or a numerator and a denominator."},
    ]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "query",
    [{"page": 0}, {"page": "x"}, {"page_size": "null"}, {"page_size": 0}, {"page_size": 501}],
)
def test_page_parameters_are_checked_strictly(api, world, query):
    response = api.as_user(world.practice_manager).get(reverse("engagement-list"), query)

    body = assert_error(response, 400, "validation_failed")
    assert body["errors"][0]["field"] in query


def test_a_page_past_the_last_is_not_found(api, world):
    response = api.as_user(world.practice_manager).get(reverse("engagement-list"), {"page": 2})

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("query", [{"period_from": ""}, {"engagement": ""}, {"is_active": "null"}])
def test_typed_filters_sent_empty_or_not_boolean_are_refused(api, world, query):
    path = reverse("metric-list") if "is_active" in query else reverse("kpivalue-list")

    body = assert_error(api.as_user(world.practice_manager).get(path, query), 400, "validation_failed")
    assert body["errors"][0]["field"] == next(iter(query))


def test_an_id_filter_naming_an_engagement_out_of_sight_matches_nothing_like_an_unknown_one(api, world):
    """Issue 11 chose an empty page for an id the caller cannot see, the same as for one that does not exist."""
    client = api.as_user(world.practice_manager)
    hidden = client.get(reverse("kpivalue-list"), {"engagement": world.other_engagement.pk})
    unknown = client.get(reverse("kpivalue-list"), {"engagement": 999999})

    assert hidden.status_code == unknown.status_code == 200
    assert hidden.json()["results"] == unknown.json()["results"] == []


def test_every_operation_documents_the_errors_it_can_answer(schema_doc):
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in schema_doc["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {"401", "403", "429"}
            if method in ("post", "put", "patch", "delete"):
                expected |= {"400", "409"}
            if "{" in path:
                expected.add("404")
            assert expected <= set(responses), (method, path, sorted(responses))
            for status, response in responses.items():
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error, (method, path, status)
                    assert response["description"]


def test_the_error_codes_are_published_in_the_schema(schema_doc):
    description = schema_doc["components"]["schemas"]["Error"]["properties"]["code"]["description"]

    for code in ("not_found", "forbidden", "not_authenticated", "validation_failed", "ingest_rejected"):
        assert f"`{code}`" in description
    assert {"conflict", "too_large", "rate_limited"} <= set(ERROR_CODES)


@pytest.fixture
def schema_doc():
    return APIClient().get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()


def test_a_view_that_applies_its_filterset_itself_checks_parameters_as_strictly(api, world):
    client = api.as_user(world.practice_manager)

    assert_error(client.get(reverse("service-credit-list"), {"month_to": "not a date"}), 400, "validation_failed")
    assert_error(client.get(reverse("service-credit-list"), {"engagement": "null"}), 400, "validation_failed")
    assert client.get(reverse("service-credit-list"), {"month_to": "2026-01-31"}).status_code == 200


def test_a_number_sent_for_text_is_refused(api, world):
    response = api.as_user(world.admin).patch(
        reverse("practice-detail", args=[world.practice.pk]), {"name": 1.5}, format="json"
    )

    body = assert_error(response, 400, "validation_failed")
    assert body["errors"] == [
        {"field": "name", "code": "not_text", "message": "Must be text (a JSON string), not a number."}
    ]
