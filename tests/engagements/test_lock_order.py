"""One lock order (engagements.locking): engagement → contract → the contract's children → SLA rows.

The outside test had six clients PATCH an engagement's contract and one of its one-off fees at once: `save_contract`
locked the engagement then the contract, the fee path the contract then the engagement, and PostgreSQL broke the
deadlocks with 500s. Every service now locks through the one helper, top-down; the concurrency test needs real
concurrent transactions (PostgreSQL). A conflict that still happens answers 409 with a retry hint.
"""

import re
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections
from rest_framework.test import APIClient

from engagements import services
from engagements.models import Contract, OneOffFee
from engagements.services import money

ROUNDS, PER_KIND = 4, 2  # each round: two contract PATCHes, two fee-amount PATCHes, two fee-description PATCHes
REPO = Path(__file__).resolve().parents[2]


def unsigned_contract(world) -> Contract:
    return services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        evaluation_months=6,
        notice_days=60,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent transactions (PostgreSQL)")
def test_mixed_contract_and_fee_patches_never_deadlock_and_lose_no_write(world):
    contract = unsigned_contract(world)
    fee = money.save_fee(contract, by=world.practice_manager, kind="implementation", amount=Decimal("100.00"))
    contract_url = f"/api/v1/engagements/{world.engagement.pk}/contract/"
    fee_url = f"/api/v1/one-off-fees/{fee.pk}/"

    for round_number in range(1, ROUNDS + 1):
        notice = 30 + round_number
        amount = f"{100 + round_number}.00"
        description = f"Set-up, round {round_number}"
        edits = [(contract_url, {"notice_days": notice})] * PER_KIND
        edits += [(fee_url, {"amount": amount})] * PER_KIND + [(fee_url, {"description": description})] * PER_KIND
        barrier, statuses = threading.Barrier(len(edits)), []

        def patch(url, body, barrier=barrier, statuses=statuses):
            client = APIClient(raise_request_exception=False)
            client.force_authenticate(world.practice_manager)
            try:
                barrier.wait()
                statuses.append(client.patch(url, body, format="json").status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=patch, args=edit) for edit in edits]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert connection.vendor == "postgresql"
        assert statuses == [200] * len(edits), statuses
        stored_fee = OneOffFee.objects.get(pk=fee.pk)
        assert (stored_fee.amount, stored_fee.description) == (Decimal(amount), description), "a fee edit was lost"
        assert Contract.objects.get(pk=contract.pk).notice_days == notice


@pytest.mark.django_db
def test_a_lock_conflict_answers_409_with_a_retry_hint(api, world, monkeypatch):
    contract = unsigned_contract(world)

    class Deadlock(OperationalError):
        pgcode = "40P01"

    def deadlocked(*args, **kwargs):
        raise Deadlock("deadlock detected")

    monkeypatch.setattr(services, "save_contract", deadlocked)
    response = api.as_user(world.practice_manager).patch(
        f"/api/v1/engagements/{world.engagement.pk}/contract/", {"notice_days": 45}, format="json"
    )
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert "try again" in response.json()["detail"].lower()
    assert Contract.objects.get(pk=contract.pk).notice_days == 60


def test_services_take_row_locks_only_through_the_one_helper():
    """`select_for_update` with a join locks parent and child in an order PostgreSQL picks: only the helper locks."""
    allowed = {"engagements/locking.py"}
    offenders = []
    for app in ("engagements", "slas", "audits", "onboarding"):
        for path in (REPO / app).rglob("*.py"):
            relative = str(path.relative_to(REPO))
            if relative in allowed or "migrations" in path.parts or "services" not in relative:
                continue
            for match in re.finditer(r"(\w+)\.objects\.select_for_update\(", path.read_text()):
                # Not engagement rows, or after its contract; webhook rows belong to their owner and are locked alone,
                # as are the rows of a library or a person rather than an engagement: a provider's or practice's
                # training module, a policy document (after its engagement if it has one), an agent's quiz attempt,
                # a typing-test link (its e-mail is sent in a transaction of its own).
                exempt = ("Invitation", "ContractScope", "WebhookEndpoint", "WebhookDelivery", "TrainingModule")
                exempt += ("PolicyDocument", "QuizAttempt", "TypingTestLink")
                if match.group(1) not in exempt:
                    offenders.append(f"{relative}: {match.group(1)}")
    assert offenders == []


@pytest.mark.django_db
def test_a_lock_conflict_on_a_ui_form_asks_to_try_again(world, monkeypatch):
    from django.test import Client
    from django.urls import reverse

    from bpo_portal.views import ServiceFormMixin

    class Deadlock(OperationalError):
        pgcode = "40P01"

    def deadlocked(self, form):
        raise Deadlock("deadlock detected")

    monkeypatch.setattr(ServiceFormMixin, "perform_save", deadlocked)
    client = Client()
    client.force_login(world.practice_manager)
    url = reverse("engagements:engagement_edit", args=[world.engagement.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    response = client.post(url, {**data, "name": "Renamed"})
    assert response.status_code == 200
    assert "Try again" in response.content.decode()
    world.engagement.refresh_from_db()
    assert world.engagement.name == "Front desk"
