"""The schema as served tells the truth: every GET of the demo data, by every persona, passes a strict validator.

Strict: openapi-core validates each response against the served schema with every object component closed
(`additionalProperties: false`), so a field the schema does not list fails as surely as a null it does not allow,
a wrong type or a malformed e-mail. Errors (404 for an outsider, and so on) are validated as well: they must be the
one documented error object.
"""

import copy
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import TokenKind
from engagements.management.commands.seed_demo import ADMIN_EMAIL
from engagements.models import Provider

pytestmark = pytest.mark.django_db

PERSONAS = [
    ADMIN_EMAIL,
    "manager@riverside.example",  # a practice manager
    "staff@riverside.example",
    "manager@clearview.example",  # a provider's account manager
    "staff@clearview.example",
    "manager@summit.example",  # a practice with other engagements: an outsider to most rows
    "integration",  # ClearView's integration token
]


def closed(schema: dict) -> dict:
    """A copy of the schema where every object component allows only the properties it lists."""
    schema = copy.deepcopy(schema)
    for component in schema["components"]["schemas"].values():
        if component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
    return schema


@pytest.fixture
def demo(django_user_model):
    call_command("seed_demo", stdout=StringIO())
    clients = {}
    for persona in PERSONAS:
        if persona == "integration":
            provider = Provider.objects.get(name__startswith="ClearView")
            manager = django_user_model.objects.get(email="manager@clearview.example")
            _, raw = services.create_api_token(name="Sweep", kind=TokenKind.INTEGRATION, provider=provider, by=manager)
        else:
            user = django_user_model.objects.get(email=persona)
            _, raw = services.create_api_token(name="Sweep", kind=TokenKind.PERSONAL, by=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        clients[persona] = client
    return clients


@pytest.fixture
def served_schema():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return json.loads(response.content)


def check(openapi, path, response, problems):
    query = dict(response.wsgi_request.GET.items())
    request = MockRequest("http://testserver", "get", response.wsgi_request.path, args=query)
    answer = MockResponse(
        response.content, status_code=response.status_code, content_type=response.get("Content-Type", "")
    )
    errors = list(openapi.iter_response_errors(request, answer))
    if errors:
        detail = "; ".join(sorted({reason for error in errors for reason in reasons(error)}))
        problems.append(f"GET {response.wsgi_request.get_full_path()} → {response.status_code}: {detail}")


def reasons(error):
    """The innermost schema errors, each as `where: what` (openapi-core wraps jsonschema's)."""
    cause = error.__cause__ or error
    leaves = list(getattr(cause, "schema_errors", None) or [])
    if not leaves:
        yield str(cause)[:300]
        return
    while leaves:
        leaf = leaves.pop()
        if leaf.context:
            leaves.extend(leaf.context)
        else:
            yield re.sub(r"\[\d+\]", "[]", f"{leaf.json_path}: {leaf.message[:200]}")


def test_every_get_by_every_persona_passes_a_strict_validator(demo, served_schema):
    openapi = OpenAPI.from_dict(closed(served_schema))
    list_paths = [p for p, item in served_schema["paths"].items() if "get" in item and "{" not in p]
    detail_paths = [p for p, item in served_schema["paths"].items() if "get" in item and "{" in p]
    problems, checked = [], 0
    ids = {}  # list path -> a key its detail paths take, from the admin's view
    for persona, client in demo.items():
        for path in list_paths:
            response = client.get(path, {"page_size": 500} if path != "/api/v1/me/" else {})
            check(openapi, path, response, problems)
            checked += 1
            body = response.json() if response.status_code == 200 else None
            results = body.get("results") if isinstance(body, dict) else body  # a few lists are not paged
            if persona == ADMIN_EMAIL and results:
                ids[path] = results[0].get("id", results[0].get("code"))
        for path in detail_paths:
            parent = re.sub(r"\{\w+\}/.*$", "", path)
            if parent not in ids:
                continue
            response = client.get(re.sub(r"\{\w+\}", str(ids[parent]), path))
            check(openapi, path, response, problems)
            checked += 1
    assert checked > 300
    assert not problems, f"{len(problems)} of {checked} responses do not match the schema:\n" + "\n".join(problems)
