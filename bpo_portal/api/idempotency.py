"""Idempotency keys: a POST that creates something may carry `Idempotency-Key: <any string>`, and a retry with
the same key and the same body within 24 hours answers the first response again without doing the work twice.

Implemented once, for every creating operation: `IdempotentCreateMixin` sits on the API's base viewset, and
`add_idempotency_header` (a drf-spectacular postprocessing hook) documents the header on exactly the operations
the mixin guards. An operation "creates" when it is a viewset's `create`, or a custom action the viewset names in
`creating_actions`.

How "once" holds under concurrency: the first request inserts its key row inside a transaction that also holds
the work and is committed only with the response stored. A second request with the same key blocks on the unique
index until the first commits, then finds the stored response and replays it (or, had the first failed and rolled
back, goes ahead itself). Nothing is ever left "in progress".
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.request import Empty

from bpo_portal.api.exceptions import Conflict

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"
# Answers that invite the caller to try again (sign in, get the permission, wait, resend) are not remembered, nor
# are server errors: the key is released and the next attempt runs for real.
NOT_REMEMBERED = {401, 403, 409, 423, 429}


def remembers(status_code: int) -> bool:
    return status_code < 500 and status_code not in NOT_REMEMBERED


def guards(view_class, action: str | None) -> bool:
    """Whether `action` of `view_class` is a creating POST that honours idempotency keys (the schema hook asks)."""
    return (
        issubclass(view_class, IdempotentCreateMixin)
        and "post" in view_class.http_method_names
        and action in view_class.idempotent_actions()
    )


class IdempotentCreateMixin:
    """Honours `Idempotency-Key` on every creating POST of a view (see the module docstring)."""

    creating_actions: tuple[str, ...] = ()

    @classmethod
    def idempotent_actions(cls) -> set[str]:
        return {"create", *cls.creating_actions}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(HEADER)
        if key is not None and request.method == "POST" and guards(type(self), getattr(self, "action", None)):
            self.post = self._with_idempotency_key(self.post, _valid_key(key))

    def _with_idempotency_key(self, handler, key: str):
        def run(request, *args, **kwargs):
            try:
                fingerprint = fingerprint_of(request)
            except Exception as exc:  # an unreadable body: nothing to remember, the view refuses it its own way
                _fail_again_on_next_read(request, exc)
                return handler(request, *args, **kwargs)
            token = request.auth if _is_token(request.auth) else None
            with transaction.atomic():
                stored = _claim(request.user, token, key, fingerprint, request)
                if stored is not None:
                    return _replay(stored)
                response = self._answer_once(handler, request, *args, **kwargs)
                _remember(request.user, token, key, response)
                return response

        return run

    def _answer_once(self, handler, request, *args, **kwargs):
        """The view's own answer, rendered, with its work in a savepoint of its own (rolled back if it raises)."""
        try:
            with transaction.atomic():
                response = handler(request, *args, **kwargs)
        except Exception as exc:  # answered as DRF would answer it, so that a refusal is remembered too
            response = self.handle_exception(exc)
        response = self.finalize_response(request, response, *args, **kwargs)
        response.render()
        return response


def _is_token(auth) -> bool:
    from engagements.models import ApiToken

    return isinstance(auth, ApiToken)


def _valid_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise serializers.ValidationError(
            {HEADER: [f"An idempotency key is 1 to {MAX_KEY_LENGTH} printable ASCII characters."]}
        )
    return key


def fingerprint_of(request) -> str:
    """SHA-256 of what was asked: method, path, query string and the parsed body (so key order and whitespace in
    the JSON do not matter, and an uploaded file counts by its content)."""
    body = json.dumps(_plain(request.data), sort_keys=True, separators=(",", ":"), default=_file_digest)
    query = sorted(request.query_params.lists())
    parts = [request.method, request.path, json.dumps(query), body]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _fail_again_on_next_read(request, exc) -> None:
    """After a failed parse DRF keeps an empty body, so a view reading it would see `{}` rather than the error.
    Make the view's first read fail as ours did, then leave the empty body in place as DRF would."""
    emptied = {name: request.__dict__[name] for name in ("_data", "_files", "_full_data") if name in request.__dict__}
    for name in emptied:
        setattr(request, name, Empty)  # DRF's "not parsed yet"

    def parse_fails_once():
        del request._parse
        for name, value in emptied.items():
            setattr(request, name, value)
        raise exc

    request._parse = parse_fails_once


def _plain(data):
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): every value, in order
        return dict(data.lists())
    return data


def _file_digest(value):
    if hasattr(value, "chunks"):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{digest.hexdigest()}"
    return str(value)


def _claim(user, token, key: str, fingerprint: str, request):
    """Take the key for this request, or return the response stored for it. Refuses a key reused for another
    request. Waits (on the unique index) while another request holding the same key is still running."""
    from engagements.models import IdempotencyKey

    mine = IdempotencyKey.objects.of(user, token).filter(key=key)
    mine.expired().delete()  # a key older than 24 hours is free again
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user=user,
                token=token,
                key=key,
                fingerprint=fingerprint,
                method=request.method,
                path=request.path[:500],
                status_code=0,
                body=b"",
            )
        return None
    except IntegrityError:
        stored = mine.get()
    if stored.fingerprint != fingerprint:
        raise Conflict(
            f"The idempotency key “{key}” was already used for a different request "
            f"({stored.method} {stored.path} with another body). Use a new key for a new request."
        )
    return stored


def _remember(user, token, key: str, response) -> None:
    from engagements.models import IdempotencyKey

    mine = IdempotencyKey.objects.of(user, token).filter(key=key)
    if not remembers(response.status_code):
        mine.delete()
        return
    mine.update(
        status_code=response.status_code,
        content_type=response.get("Content-Type", "")[:200],
        location=response.get("Location", "")[:500],
        body=bytes(response.content),
    )


def _replay(stored) -> HttpResponse:
    response = HttpResponse(bytes(stored.body), status=stored.status_code, content_type=stored.content_type or None)
    if stored.location:
        response["Location"] = stored.location
    response[REPLAYED_HEADER] = "true"
    return response


def add_idempotency_header(result, generator, request, public):
    """drf-spectacular postprocessing hook: the `Idempotency-Key` header on every operation the mixin guards."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": (
            "Any unique string (a UUID is a good choice). Sending the same key with the same body again within "
            "24 hours returns the first response (with `Idempotent-Replayed: true`) and does nothing again; the "
            "same key with a different body answers 409 `conflict`. Server errors, 401, 403, 409 and 429 are not "
            "remembered: retry with the same key."
        ),
    }
    for path, _path_regex, method, callback in generator.endpoints:
        if method != "POST":
            continue
        view = generator.create_view(callback, method)
        if not guards(type(view), getattr(view, "action", None)):
            continue
        operation = result["paths"].get(generator.coerce_path(path, method, view), {}).get("post")
        if operation is not None:
            operation.setdefault("parameters", []).append(parameter)
    return result
