"""The schema is documentation an integrator can follow: summaries, descriptions and valid examples everywhere."""

import re

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def validator_for(schema, subschema):
    registry = Registry().with_resource("urn:schema", Resource.from_contents(schema, default_specification=DRAFT202012))
    return Draft202012Validator(_rooted(subschema), registry=registry)


def _rooted(node):
    """Point the schema's local references (`#/components/…`) at the registered whole schema."""
    if isinstance(node, dict):
        return {k: ("urn:schema" + v if k == "$ref" and v.startswith("#") else _rooted(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rooted(v) for v in node]
    return node


def test_every_operation_has_a_summary_and_a_description_without_internals(schema):
    for method, path, operation in operations(schema):
        assert operation.get("summary"), (method, path)
        assert operation.get("description"), (method, path)
    internals = re.compile(r"services\.|Saved through|serializer|queryset", re.IGNORECASE)
    leaks = re.findall(r'"description": "([^"]*)"', str(schema).replace("'", '"'))
    assert not [text for text in leaks if internals.search(text)]


def test_every_response_is_described(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            assert response.get("description"), (method, path, status)


def test_every_write_has_a_request_and_a_response_example_that_the_schema_accepts(schema):
    checked = 0
    for method, path, operation in operations(schema):
        medias = []
        if method in WRITE_METHODS and "requestBody" in operation:
            medias += list(operation["requestBody"]["content"].values())
            success = [r for status, r in operation["responses"].items() if status[0] == "2" and r.get("content")]
            assert success, (method, path)
            medias += [media for response in success for media in response["content"].values()]
        for media in medias:
            examples = (
                [media["example"]] if "example" in media else [e["value"] for e in media.get("examples", {}).values()]
            )
            assert examples, (method, path)
            for example in examples:
                errors = list(validator_for(schema, media["schema"]).iter_errors(example))
                assert not errors, (method, path, [e.message for e in errors][:3])
                checked += 1
    assert checked > 150


def test_the_flows_have_hand_written_examples(schema):
    ingest = schema["paths"]["/api/v1/measurements/"]["post"]
    assert len(ingest["requestBody"]["content"]["application/json"]["examples"]) >= 1
    assert "examples" in ingest["responses"]["400"]["content"]["application/json"]
    decision = schema["paths"]["/api/v1/remediation-plans/{id}/decision/"]["post"]
    assert len(decision["requestBody"]["content"]["application/json"]["examples"]) == 2
