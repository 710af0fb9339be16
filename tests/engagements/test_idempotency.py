"""Idempotency keys: a retried POST that creates something answers its first response and does nothing again."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from bpo_portal.api.idempotency import HEADER, guards
from engagements.models import AgentAssignment, Contact, IdempotencyKey
from engagements.tasks import purge_idempotency_keys

pytestmark = pytest.mark.django_db


def contact_body(world, name="Front desk lead"):
    return {
        "engagement": world.engagement.pk,
        "side": "practice",
        "role": "Lead",
        "name": name,
        "email": "lead@example.test",
    }


def post(client, path, body, key, fmt="json"):
    return client.post(path, body, format=fmt, headers={HEADER: key})


def test_the_same_key_and_body_answers_the_first_response_and_creates_once(world, api):
    client = api.as_user(world.practice_manager)
    first = post(client, "/api/v1/contacts/", contact_body(world), "key-1")
    again = post(client, "/api/v1/contacts/", contact_body(world), "key-1")
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Contact.objects.filter(name="Front desk lead").count() == 1


def test_key_order_and_whitespace_in_the_json_do_not_make_a_different_body(world, api):
    client = api.as_user(world.practice_manager)
    body = contact_body(world)
    first = client.post("/api/v1/contacts/", body, format="json", headers={HEADER: "k"})
    reordered = '{ "email": "lead@example.test", "name": "Front desk lead", "role": "Lead", "side": "practice", '
    reordered += f'"engagement": {world.engagement.pk} }}'
    again = client.post("/api/v1/contacts/", reordered, content_type="application/json", headers={HEADER: "k"})
    assert again.status_code == 201 and again.content == first.content
    assert Contact.objects.filter(name="Front desk lead").count() == 1


def test_the_same_key_with_a_different_body_is_a_conflict_and_changes_nothing(world, api):
    client = api.as_user(world.practice_manager)
    assert post(client, "/api/v1/contacts/", contact_body(world), "key-2").status_code == 201
    clash = post(client, "/api/v1/contacts/", contact_body(world, name="Someone else"), "key-2")
    assert clash.status_code == 409
    assert "different request" in str(clash.json())
    assert not Contact.objects.filter(name="Someone else").exists()


def test_the_same_key_on_another_endpoint_is_a_conflict(world, api):
    client = api.as_user(world.provider_manager)
    assert post(client, "/api/v1/contacts/", {**contact_body(world), "side": "provider"}, "key-3").status_code == 201
    other = post(client, f"/api/v1/engagements/{world.engagement.pk}/agents/", {"agent": world.agent.pk}, "key-3")
    assert other.status_code == 409


def test_without_a_key_every_post_does_the_work(world, api):
    client = api.as_user(world.practice_manager)
    client.post("/api/v1/contacts/", contact_body(world), format="json")
    client.post("/api/v1/contacts/", contact_body(world), format="json")
    assert Contact.objects.filter(name="Front desk lead").count() == 2


def test_keys_are_per_token(world, api):
    """Two callers may happen to choose the same key: each gets its own work done."""
    first = post(api.as_user(world.practice_manager), "/api/v1/contacts/", contact_body(world), "shared")
    second = post(api.as_user(world.practice_manager), "/api/v1/contacts/", contact_body(world), "shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


def test_a_session_user_has_keys_of_their_own(world):
    client = APIClient()
    client.force_login(world.practice_manager)
    first = client.post("/api/v1/contacts/", contact_body(world), format="json", headers={HEADER: "s"})
    again = client.post("/api/v1/contacts/", contact_body(world), format="json", headers={HEADER: "s"})
    assert again.content == first.content
    assert IdempotencyKey.objects.get(key="s").token is None


def test_a_key_older_than_24_hours_is_forgotten(world, api):
    client = api.as_user(world.practice_manager)
    post(client, "/api/v1/contacts/", contact_body(world), "old")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    again = post(client, "/api/v1/contacts/", contact_body(world), "old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Contact.objects.filter(name="Front desk lead").count() == 2


def test_a_refusal_is_remembered_but_a_forbidden_request_is_not(world, api):
    staff = api.as_user(world.practice_staff)
    assert post(staff, "/api/v1/contacts/", contact_body(world), "staff").status_code == 403
    assert not IdempotencyKey.objects.filter(key="staff").exists()  # may succeed once the permission is granted

    manager = api.as_user(world.practice_manager)
    bad = {**contact_body(world), "email": "not an address"}
    first = post(manager, "/api/v1/contacts/", bad, "bad")
    again = post(manager, "/api/v1/contacts/", bad, "bad")
    assert first.status_code == again.status_code == 400
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"


def test_an_unreadable_body_is_refused_as_without_a_key_and_not_remembered(world, api):
    client = api.as_token(world.integration_raw_token)
    plain = client.post("/api/v1/measurements/", {"not": "a list"}, format="json")
    keyed = post(client, "/api/v1/measurements/", {"not": "a list"}, "unreadable")
    assert keyed.status_code == plain.status_code == 400
    assert keyed.content == plain.content
    assert not IdempotencyKey.objects.filter(key="unreadable").exists()


def test_a_malformed_key_is_refused(world, api):
    client = api.as_user(world.practice_manager)
    response = post(client, "/api/v1/contacts/", contact_body(world), "x" * 256)
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_custom_creating_action_honours_the_key(world, api):
    world.engagement.assignments.all().delete()
    client = api.as_user(world.provider_manager)
    path = f"/api/v1/engagements/{world.engagement.pk}/agents/"
    first = post(client, path, {"agent": world.agent.pk}, "assign")
    again = post(client, path, {"agent": world.agent.pk}, "assign")
    assert first.status_code == 201 and again.content == first.content
    assert AgentAssignment.objects.filter(engagement=world.engagement, agent=world.agent).count() == 1


def test_measurements_keep_their_external_id_idempotency_and_honour_the_key(world, api):
    from slas.models import Measurement

    client = api.as_token(world.integration_raw_token)
    row = {
        "engagement": world.engagement.pk,
        "metric": "service_level",
        "date": "2025-03-03",
        "external_id": "row-1",
        "numerator": 9,
        "denominator": 10,
    }
    first = post(client, "/api/v1/measurements/", [row], "batch-1")
    replay = post(client, "/api/v1/measurements/", [row], "batch-1")
    fresh = post(client, "/api/v1/measurements/", [row], "batch-2")  # a new key: external_id still dedupes
    assert first.status_code == 201, first.content
    assert replay.content == first.content and replay["Idempotent-Replayed"] == "true"
    assert fresh.status_code == 201 and fresh.json()["duplicates"] == 1
    assert Measurement.objects.filter(external_id="row-1").count() == 1


def test_the_purge_job_deletes_only_expired_keys(world, api):
    client = api.as_user(world.practice_manager)
    post(client, "/api/v1/contacts/", contact_body(world), "keep")
    post(client, "/api/v1/contacts/", contact_body(world, name="Other"), "drop")
    IdempotencyKey.objects.filter(key="drop").update(created_at=timezone.now() - timedelta(days=2))
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["keep"]


# --- Every creating endpoint, found from the URL configuration ----------------------------------------------------


def api_routes():
    """(route, callback) of every API route with a POST action, walked from the URL configuration."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (getattr(pattern.callback, "actions", None) or {}).get("post"):
                found.append((prefix + str(pattern.pattern), pattern.callback))

    walk(get_resolver().url_patterns)
    return [(route, callback) for route, callback in found if route.startswith("api/v1/") and "format" not in route]


def creating_endpoints():
    """(route, view class, action) of every API route whose POST creates, as the mixin itself decides."""
    return [
        (route, callback.cls, callback.actions["post"])
        for route, callback in api_routes()
        if guards(callback.cls, callback.actions["post"])
    ]


def test_every_viewset_that_can_create_is_guarded():
    """No create action on the API escapes the mixin (one place, not per-view code)."""
    unguarded = [
        route
        for route, callback in api_routes()
        if callback.actions["post"] == "create"
        and "post" in callback.cls.http_method_names
        and not guards(callback.cls, "create")
    ]
    assert unguarded == []
    assert len(creating_endpoints()) >= 20


def test_every_creating_endpoint_replays_and_refuses_a_changed_body(world):
    """An admin posting an incomplete body to every creating endpoint: the answer (mostly a 400) is replayed
    byte for byte, and the same key with another body is a conflict. Nothing is created by any of it."""
    client = APIClient()
    client.force_login(world.admin)
    checked = 0
    for route, _view, _action in creating_endpoints():
        path = "/" + re.sub(r"\(\?P<\w+>[^)]*\)", str(world.engagement.pk), route).replace("^", "").replace("$", "")
        key = str(uuid.uuid4())

        def probe(value, path=path):
            return [{"probe": value}] if path.endswith("/measurements/") else {"probe": value}  # a batch is a list

        fmt = "json"
        first = post(client, path, probe(True), key)
        if first.status_code == 415:  # an upload takes multipart only (an unparsed body is never remembered)
            fmt = "multipart"
            first = post(client, path, probe(True), key, fmt)
        if first.status_code in (401, 403, 404, 405, 409):
            continue
        again = post(client, path, probe(True), key, fmt)
        assert (again.status_code, again.content) == (first.status_code, first.content), path
        assert again.get("Idempotent-Replayed") == "true", (path, first.status_code, first.content)
        assert post(client, path, probe(False), key, fmt).status_code == 409, path
        checked += 1
    assert checked >= 15


def test_the_schema_documents_the_header_on_every_creating_post_and_no_other(world):
    import yaml

    client = APIClient()
    client.force_login(world.admin)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    with_header, without = [], []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"]
            (with_header if HEADER in names else without).append((method, path))
    assert ("post", "/api/v1/contacts/") in with_header
    assert ("post", "/api/v1/measurements/") in with_header
    assert ("post", "/api/v1/engagements/{id}/agents/") in with_header
    assert ("post", "/api/v1/transition-phases/{id}/gate-decision/") in with_header
    assert ("post", "/api/v1/remediation-plans/{id}/decision/") in without
    assert all(method == "post" for method, _ in with_header)
    documented_posts = {path for method, path in with_header + without if method == "post"}
    creating = {
        "/" + re.sub(r"\(\?P<\w+>[^)]*\)", "{id}", route.strip("^$").replace("^", "").replace("$", ""))
        for route, _view, _action in creating_endpoints()
    }
    assert {path for _, path in with_header} == creating & documented_posts
