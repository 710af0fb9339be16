"""Ingest input that the outside test sent: each answers 400 with its row and field (413 past the size limit),
on the API and on the UI upload alike, and a refused batch writes nothing."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from slas import ingest
from slas.api.views import MAX_BODY_BYTES
from slas.models import IngestBatch, Measurement

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
HEADER = "engagement,metric,date,value,external_id\n"


def csv_body(engagement, *lines):
    return HEADER + "".join(f"{engagement.pk},{line}\n" for line in lines)


def post_csv(api, world, body):
    return api.as_user(world.provider_manager).post(URL, body.encode(), content_type="text/csv")


def post_json(api, world, body):
    return api.as_user(world.provider_manager).post(URL, body, content_type="application/json")


def the_error(response):
    assert response.status_code == 400, response.content
    assert Measurement.objects.count() == 0 and IngestBatch.objects.count() == 0
    return response.json()["errors"][0]


def test_a_bare_carriage_return_inside_a_cell_names_its_row_and_field(api, world):
    body = csv_body(world.engagement, "calls_handled,2025-03-03,5,a-1", "calls_handled,2025-03-04,5,b\r2")
    error = the_error(post_csv(api, world, body))
    assert (error["row"], error["field"]) == (2, "external_id")
    assert "carriage return" in error["message"]


def test_a_cell_longer_than_the_csv_limit_names_its_row_and_field(api, world):
    body = csv_body(world.engagement, "calls_handled,2025-03-03,5," + "x" * 131_073)
    error = the_error(post_csv(api, world, body))
    assert (error["row"], error["field"]) == (1, "external_id")
    assert "131,072" in error["message"]


def test_json_nested_100000_deep_names_its_row_and_field(api, world):
    deep = "[" * 100_000 + "]" * 100_000
    body = f'[{{"engagement": {world.engagement.pk}, "metric": "csat"}}, {{"value": {deep}}}]'
    error = the_error(post_json(api, world, body))
    assert (error["row"], error["field"]) == (2, "value")


def test_a_5001_digit_number_is_too_large_on_its_row_without_python_internals(api, world):
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2025-03-03", "external_id": "a"}
    body = json.dumps([row]).replace('"external_id"', '"value": ' + "9" * 5001 + ', "external_id"')
    error = the_error(post_json(api, world, body))
    assert (error["row"], error["field"]) == (1, "value")
    assert "too large" in error["message"] and "4300" not in json.dumps(error)


@pytest.mark.parametrize("body", ["[]", HEADER], ids=["empty array", "header-only CSV"])
def test_a_batch_without_rows_answers_no_rows(api, world, body):
    send = post_json if body == "[]" else post_csv
    response = send(api, world, body)
    assert response.status_code == 400 and "no rows" in response.json()["detail"]
    assert IngestBatch.objects.count() == 0


def test_a_whitespace_only_external_id_is_refused(api, world):
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2025-03-03", "value": 3}
    error = the_error(post_json(api, world, json.dumps([{**row, "external_id": "   "}])))
    assert (error["row"], error["field"]) == (1, "external_id")


def test_a_date_before_the_floor_is_refused(api, world):
    body = csv_body(world.engagement, "calls_handled,1999-12-31,5,old-1")
    error = the_error(post_csv(api, world, body))
    assert (error["row"], error["field"]) == (1, "date") and ingest.EARLIEST_DATE.isoformat() in error["message"]


@pytest.mark.parametrize(
    ("metric", "amounts", "field"),
    [
        ("csat", {"value": 6}, "value"),
        ("csat", {"value": 0}, "value"),
        ("csat", {"numerator": 30, "denominator": 5}, "numerator"),  # a mean of 6 over five surveys
        ("quality_score", {"value": "100.5"}, "value"),
    ],
)
def test_a_value_outside_its_metrics_range_is_refused(api, world, metric, amounts, field):
    row = {"engagement": world.engagement.pk, "metric": metric, "date": "2025-03-03", "external_id": "r", **amounts}
    error = the_error(post_json(api, world, json.dumps([row])))
    assert (error["row"], error["field"]) == (1, field)


@pytest.mark.parametrize(("metric", "value"), [("csat", 1), ("csat", 5), ("average_talk_time", 0)])
def test_values_at_the_edges_of_the_range_are_accepted(api, world, metric, value):
    row = {"engagement": world.engagement.pk, "metric": metric, "date": "2025-03-03", "external_id": "e"}
    row["value"] = value
    response = post_json(api, world, json.dumps([row]))
    assert response.status_code == 201, response.content


def post_chunked(client, body: bytes):
    """As a server passes a chunked body on: no Content-Length, the de-chunked bytes readable from wsgi.input."""
    extra = {"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": "", "wsgi.input": io.BytesIO(body)}
    return client.generic("POST", URL, body, content_type="application/json", **extra)


def test_a_chunked_body_past_the_size_limit_answers_413(api, world):
    body = b"[" + b" " * (MAX_BODY_BYTES + 10) + b"]"
    response = post_chunked(api.as_user(world.provider_manager), body)
    assert response.status_code == 413
    assert IngestBatch.objects.count() == 0


def test_a_chunked_body_within_the_limit_is_read(api, world):
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2025-03-03", "value": 2}
    body = json.dumps([{**row, "external_id": "c-1"}]).encode()
    response = post_chunked(api.as_user(world.provider_manager), body)
    assert response.status_code == 201, response.content
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize(
    "line", ["calls_handled,2025-03-04,5,b\r2", "calls_handled,2025-03-03,5," + "x" * 131_073], ids=["CR", "long"]
)
def test_the_ui_upload_shows_the_same_problems_instead_of_failing(world, line):
    client = Client()
    client.force_login(world.provider_manager)
    upload = SimpleUploadedFile("m.csv", csv_body(world.engagement, line).encode(), content_type="text/csv")
    response = client.post(reverse("slas:upload"), {"file": upload})
    assert response.status_code == 200
    assert response.context["rejected"].errors[0]["field"] == "external_id"
    assert IngestBatch.objects.count() == 0
