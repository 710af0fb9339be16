"""Two go decisions on the same gate at the same moment: one wins, the other finds the phase done. Never two
active phases, never two go rows. Needs real concurrent transactions, so it runs on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections  # noqa: F401 - `connection` is read by the skipif condition

from bpo_portal.errors import DomainError
from engagements.models import GateDecision, TransitionPhase
from engagements.services import transition
from tests.engagements import transition_fixtures

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent transactions (PostgreSQL)"),
]
plan, started = transition_fixtures.plan, transition_fixtures.started
WORKERS = 4


def test_two_goes_at_once_start_the_next_phase_once(world, started):
    target = started.target()
    for start in started.closed(target, 2):
        started.kpi(target, start, 90)
    started.criterion(target)
    barrier, refused, errors = threading.Barrier(WORKERS), [], []

    def decide():
        try:
            barrier.wait()
            transition.record_gate_decision(started.first, by=world.practice_manager, outcome="go")
        except DomainError as error:
            refused.append(error.message)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert GateDecision.objects.filter(outcome="go").count() == 1
    assert len(refused) == WORKERS - 1 and all("only the active phase" in message for message in refused)
    assert list(TransitionPhase.objects.filter(status="active").values_list("pk", flat=True)) == [started.second.pk]
