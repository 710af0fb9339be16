"""Webhooks: telling integrators' systems what happened on an engagement, instead of them polling for it.

- The event registry: `EVENT_TYPES`, which higher apps extend with `register_event()` in `AppConfig.ready()`
  (the audit and onboarding apps add `audit.submitted`, `dispute.decided`, `responsibility.suspended`).
- `emit(event_type, engagement, payload)`: the one call a service makes. It waits for the caller's transaction to
  commit, then records the event and one delivery per active, subscribed endpoint whose owner may see the
  engagement (`can_act_on`, the rule every engagement-scoped read uses), and sends each by a Celery task.
- Delivery: a JSON body signed with the endpoint's secret (`X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
  "<t>." + body>`), to the address the host resolved to, checked again at that moment (no private or loopback
  address outside DEBUG, even if DNS changed since registration). A failure is retried with exponential backoff
  for 24 hours by the beat job `retry_webhook_deliveries`; an endpoint failing for 24 hours is disabled and its
  owner notified.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from requests.adapters import HTTPAdapter

from bpo_portal.errors import DomainError
from engagements.access import can_act_on, is_portal_admin, membership_of
from engagements.choices import DeliveryStatus, Role
from engagements.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from engagements.notifications import notify

log = logging.getLogger(__name__)

EVENT_TYPES: dict[str, str] = {}

RETRY_FOR = timedelta(hours=24)  # a delivery is retried this long; an endpoint failing this long is disabled
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=4)
CLAIM_FOR = timedelta(minutes=5)  # an attempt in flight: no other worker takes it before this has passed
TIMEOUT = (3.05, 10)  # seconds to connect, to read the answer
USER_AGENT = "BPO-Portal-Webhooks/1"
DUE_BATCH = 200


def register_event(event_type: str, description: str) -> None:
    """Add an event type (called at import or in `AppConfig.ready()`); registering it again changes nothing."""
    EVENT_TYPES.setdefault(event_type, description)


for _type, _description in [
    ("batch.recomputed", "An ingest batch's KPIs were recomputed (once per engagement the batch touched)."),
    ("breach.opened", "An SLA target was missed (or came within its warning threshold) in a closed period."),
    ("breach.resolved", "A breach was resolved: later data brought the period back within target, or closed."),
    ("remediation.submitted", "The provider proposed a remediation plan for a breach."),
    ("remediation.decided", "The practice accepted or rejected a remediation plan."),
    ("remediation.overdue", "A remediation became overdue and was escalated to the next level."),
    ("change_request.proposed", "A change to the contract was proposed."),
    ("change_request.decided", "A change request was approved, rejected or withdrawn."),
    ("gate.decided", "The practice decided go or no-go at a transition phase's gate."),
]:
    register_event(_type, _description)


# --- Registering endpoints ------------------------------------------------------------------------------------------


def may_register(user) -> bool:
    """A practice or provider manager, an integration identity, or a portal admin."""
    membership = membership_of(user)
    return is_portal_admin(user) or bool(
        user.is_active and membership and membership.role in (Role.MANAGER, Role.INTEGRATION)
    )


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_endpoint(
    *, by, url: str, events: list[str], description: str = "", is_active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for `by`. Returns it and its secret, which is shown this once."""
    if not may_register(by):
        raise DomainError("Only a practice's or provider's managers (or an integration) can register webhooks.")
    endpoint = WebhookEndpoint(
        owner=by, url=check_url(url), events=_checked_events(events), description=description, is_active=is_active
    )
    endpoint.secret = new_secret()
    endpoint.save()
    return endpoint, endpoint.secret


@transaction.atomic
def update_endpoint(endpoint: WebhookEndpoint, *, by, **changes) -> WebhookEndpoint:
    """Change an endpoint's URL, events or description, or switch it on or off. Switching a disabled endpoint
    back on forgets its failures, so it has a full 24 hours again."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "url" in changes:
        endpoint.url = check_url(changes["url"])
    if "events" in changes:
        endpoint.events = _checked_events(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("is_active") is True and not endpoint.is_active:
        endpoint.is_active, endpoint.failing_since = True, None
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
    elif changes.get("is_active") is False and endpoint.is_active:
        endpoint.is_active, endpoint.disabled_at = False, timezone.now()
        endpoint.disabled_reason = "Switched off by its owner."
    endpoint.save()
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, by) -> None:
    endpoint.delete()  # its deliveries go with it; the events stay for the other endpoints


def _checked_events(events) -> list[str]:
    unknown = sorted(set(events or []) - set(EVENT_TYPES))
    if unknown:
        raise DomainError(f"Unknown event type(s): {', '.join(unknown)}.", field="events")
    if not events:
        raise DomainError("Choose at least one event.", field="events")
    return sorted(set(events))


# --- Where a webhook may go (SSRF) ----------------------------------------------------------------------------------


def check_url(url: str) -> str:
    """The URL if the portal may call it: https (plain http only to a loopback address, and only in DEBUG), to a
    host whose every address is public (loopback allowed in DEBUG). Raises a DomainError saying why not."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DomainError("Enter an https:// URL.", field="url")
    if parts.username or parts.password:
        raise DomainError("Leave credentials out of the URL; the signature authenticates the portal.", field="url")
    addresses = resolve(parts.hostname, _port(parts))
    if parts.scheme == "http" and not (settings.DEBUG and all(address.is_loopback for address in addresses)):
        raise DomainError("Webhook URLs must use https.", field="url")
    return url


def resolve(hostname: str, port: int) -> list:
    """Every address `hostname` resolves to, each one allowed; else a DomainError (nothing is sent)."""
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DomainError(f"The host “{hostname}” cannot be resolved.", field="url") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not allowed_address(address):
            raise DomainError(
                f"The host “{hostname}” resolves to {address}, a private, loopback or reserved address; webhooks "
                "only go to public addresses.",
                field="url",
            )
    return addresses


def allowed_address(address) -> bool:
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if address.is_loopback:
        return settings.DEBUG
    return address.is_global and not address.is_multicast


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


# --- Emitting -------------------------------------------------------------------------------------------------------


def emit(event_type: str, engagement, payload: dict) -> None:
    """Tell the endpoints subscribed to `event_type` about it, once the caller's transaction has committed (at
    once outside a transaction). Never fails the caller: a problem here is logged, the service's work stands."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unregistered webhook event type {event_type!r}: register_event() it first.")
    data = json.loads(json.dumps(payload, default=str))  # what the caller meant now, as JSON
    transaction.on_commit(partial(record_event, event_type, engagement.pk, data), robust=True)


def record_event(event_type: str, engagement_id: int, payload: dict) -> WebhookEvent | None:
    """Store the event and a delivery for each endpoint that should hear of it, and send them after commit."""
    from engagements.models import Engagement
    from engagements.tasks import deliver_webhook

    engagement = Engagement.objects.filter(pk=engagement_id).first()
    if engagement is None:
        return None
    with transaction.atomic():
        event = WebhookEvent.objects.create(event_type=event_type, engagement=engagement, payload=payload)
        # Endpoints are few (a handful per organisation), and JSON list containment is not portable to SQLite.
        endpoints = [e for e in WebhookEndpoint.objects.active().select_related("owner") if event_type in e.events]
        now = timezone.now()
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
                for endpoint in endpoints
                if endpoint.owner.is_active and can_act_on(endpoint.owner, engagement)
            ],
            ignore_conflicts=True,
        )
        for delivery_id in event.deliveries.values_list("pk", flat=True):
            transaction.on_commit(partial(deliver_webhook.delay, delivery_id), robust=True)
    return event


def change_request_payload(request) -> dict:
    return {
        "change_request": request.pk,
        "contract": request.contract_id,
        "kind": request.kind,
        "status": request.status,
        "summary": request.summary,
    }


# --- Delivering -----------------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Signature` header: `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>." + body>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def body_of(event: WebhookEvent) -> bytes:
    return json.dumps(
        {
            "id": event.event_id,
            "type": event.event_type,
            "created_at": event.created_at.isoformat(),
            "engagement": {"id": event.engagement_id, "name": event.engagement.name},
            "data": event.payload,
        },
        separators=(",", ":"),
    ).encode()


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling each time, at most 4 hours apart."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def attempt_delivery(delivery_id: int, now=None) -> str:
    """Make one attempt at a pending delivery that is due, and record how it went. Returns the outcome.

    The conditional update claims the attempt, so two workers (the task and the retry job) never send the same
    delivery at once; a worker killed mid-attempt leaves it to be claimed again after CLAIM_FOR.
    """
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if not due.update(next_attempt_at=now + CLAIM_FOR):
        return "not-due"
    delivery = WebhookDelivery.objects.select_related("endpoint__owner", "event__engagement").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.is_active:
        return _give_up(delivery, "The endpoint is disabled.")
    if not (endpoint.owner.is_active and can_act_on(endpoint.owner, event.engagement)):
        return _give_up(delivery, "The endpoint's owner can no longer see this engagement.")
    code, duration_ms, error = send(endpoint, event, delivery, now)
    if code is not None and 200 <= code < 300:
        return _succeeded(delivery, code, duration_ms, now)
    return _failed(delivery, code, duration_ms, error, now)


def send(endpoint: WebhookEndpoint, event: WebhookEvent, delivery: WebhookDelivery, now):
    """POST the signed event. Returns (status code or None, milliseconds, error message)."""
    body = body_of(event)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": event.event_id,
        "X-Webhook-Event": event.event_type,
        "X-Webhook-Delivery": str(delivery.pk),
        "X-Webhook-Timestamp": str(timestamp),
        "X-Signature": sign(endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    try:
        response = post_pinned(endpoint.url, body, headers)
    except DomainError as refused:
        return None, None, refused.message
    except requests.RequestException as error:
        return None, _ms_since(started), f"{error.__class__.__name__}: {error}"[:300]
    code = response.status_code
    return code, _ms_since(started), "" if 200 <= code < 300 else f"HTTP {code}"  # a redirect is not followed


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class _PinnedHostAdapter(HTTPAdapter):
    """Connects to the address checked a moment ago while TLS still verifies the certificate of the URL's host
    (SNI and hostname check), so a DNS answer that changes between check and connect cannot redirect us."""

    def __init__(self, hostname: str, **kwargs):
        self.hostname = hostname
        super().__init__(**kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def post_pinned(url: str, body: bytes, headers: dict):
    parts = urlsplit(url)
    address = resolve(parts.hostname, _port(parts))[0]  # checked now, at delivery time
    host = f"[{address}]" if address.version == 6 else str(address)
    pinned = urlunsplit((parts.scheme, f"{host}:{_port(parts)}", parts.path or "/", parts.query, ""))
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the address checked is the one called
        session.mount(f"{parts.scheme}://", _PinnedHostAdapter(parts.hostname))
        response = session.post(
            pinned,
            data=body,
            headers={**headers, "Host": parts.netloc},
            timeout=TIMEOUT,
            allow_redirects=False,
            stream=True,  # the answer's body is not needed: do not download it
            verify=settings.WEBHOOK_CA_BUNDLE or True,
        )
        response.close()
        return response


@transaction.atomic
def _succeeded(delivery, code: int, duration_ms: int, now) -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SUCCEEDED,
        attempts=delivery.attempts + 1,
        first_attempt_at=delivery.first_attempt_at or now,
        last_attempt_at=now,
        delivered_at=now,
        next_attempt_at=None,
        response_code=code,
        duration_ms=duration_ms,
        error="",
    )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
    return "delivered"


@transaction.atomic
def _failed(delivery, code, duration_ms, error: str, now) -> str:
    first = delivery.first_attempt_at or now
    attempts = delivery.attempts + 1
    retry_at = now + retry_delay(attempts)
    gave_up = now - first >= RETRY_FOR
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
        attempts=attempts,
        first_attempt_at=first,
        last_attempt_at=now,
        next_attempt_at=None if gave_up else min(retry_at, first + RETRY_FOR),
        response_code=code,
        duration_ms=duration_ms,
        error=error[:300],
    )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
    elif endpoint.is_active and now - endpoint.failing_since >= RETRY_FOR:
        disable(endpoint, now)
    return "gave-up" if gave_up else "will-retry"


def _give_up(delivery, reason: str) -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, error=reason
    )
    return "gave-up"


def disable(endpoint: WebhookEndpoint, now) -> None:
    """Switch off an endpoint that has failed for 24 hours, stop its pending deliveries, and tell its owner."""
    endpoint.is_active, endpoint.disabled_at = False, now
    since = f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
    endpoint.disabled_reason = f"Every delivery failed for 24 hours (since {since})."
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, error="The endpoint was disabled."
    )
    notify(
        get_user_model().objects.filter(pk=endpoint.owner_id),
        key=f"webhook-disabled:{endpoint.pk}:{int(endpoint.failing_since.timestamp())}",
        title=f"Webhook endpoint disabled: {endpoint.url}"[:200],
        body=f"{endpoint.disabled_reason} Fix the receiver, switch the endpoint back on and redeliver what it missed.",
        url=reverse("engagements:webhook_detail", args=[endpoint.pk]),
    )


def deliver_due(now=None, limit: int = DUE_BATCH) -> int:
    """The retry job: attempt every pending delivery whose time has come (a bounded batch). Returns how many."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(attempt_delivery(pk, now=now) in ("delivered", "will-retry", "gave-up") for pk in ids)


@transaction.atomic
def redeliver(delivery: WebhookDelivery, *, by, now=None) -> WebhookDelivery:
    """Send a delivery again (the same event id), now, with a fresh 24 hours of retries."""
    delivery = WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery.pk)
    if not delivery.endpoint.is_active:
        raise DomainError("This endpoint is switched off: switch it back on before redelivering.")
    now = now or timezone.now()
    delivery.status, delivery.next_attempt_at, delivery.first_attempt_at = DeliveryStatus.PENDING, now, None
    delivery.error = ""
    delivery.save(update_fields=["status", "next_attempt_at", "first_attempt_at", "error"])
    from engagements.tasks import deliver_webhook

    transaction.on_commit(partial(deliver_webhook.delay, delivery.pk), robust=True)
    return delivery
