"""No legal request answers 5xx: every operation of the generated schema, with and without a `.json` suffix
(which answers 404 on every route alike: the format is chosen with `Accept` or `?format=`).

The operations come from the OpenAPI schema the API serves, so a new endpoint is walked as soon as it exists. Path
ids are filled with a real object of the route's own model from the demo data (a phase with gate decisions, a
contract with fees…), and a write sends the schema's example body when it has one, else `{}`.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from engagements.models import AgentAssignment, Engagement

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
# Writes last and deletes at the very end, so reads see the demo as it was seeded.
ORDER = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}


def operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return sorted(found, key=lambda op: (ORDER[op[1]], op[0]))


def _model_for(path: str):
    try:
        match = resolve(path.replace("{id}", "1").replace("{agent_id}", "1"))
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None)
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


def _concrete(path: str) -> str:
    model = _model_for(path)
    obj = None
    if model is not None:
        # Prefer a row that has children (a phase with decisions, an engagement with a contract).
        for related in ("gate_decisions", "contract", "fees"):
            if any(f.name == related for f in model._meta.get_fields()):
                obj = model.objects.filter(**{f"{related}__isnull": False}).order_by("pk").first()
                break
        obj = obj or model.objects.order_by("pk").first()
    pk = obj.pk if obj is not None else Engagement.objects.order_by("pk").first().pk
    assignment = AgentAssignment.objects.filter(engagement_id=pk).first() if "{agent_id}" in path else None
    return path.replace("{id}", str(pk)).replace("{agent_id}", str(assignment.agent_id if assignment else 1))


def _body(operation: dict):
    content = (operation.get("requestBody") or {}).get("content", {})
    for media in content.values():
        for example in (media.get("examples") or {}).values():
            if isinstance(example.get("value"), dict | list):
                return example["value"]
    return {}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_no_operation_answers_5xx(demo, suffix):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(get_user_model().objects.filter(is_superuser=True).first())
    failures = []
    for path, method, operation in operations():
        url = _concrete(path)
        if suffix:
            url = url.rstrip("/") + suffix
        response = getattr(client, method)(url, _body(operation), format="json")
        if response.status_code >= 500 or (suffix and response.status_code != 404):
            failures.append(f"{method.upper()} {url} → {response.status_code}")
    assert failures == []
