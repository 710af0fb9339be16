"""Two practice managers approving at the same moment: the contract lock makes one approval wait for the other,
so two requests adding the same line never both land, and version numbers never clash.

Needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite there too).
"""

import threading

import pytest
from django.db import connection, connections

from bpo_portal.errors import DomainError
from engagements.models import ChangeRequest, ContractScope, ContractVersion
from engagements.services import changes
from tests.engagements.changes_helpers import add_billing, signed_contract

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent transactions (PostgreSQL)"),
]
WORKERS = 4


def test_concurrent_approvals_of_conflicting_requests_apply_exactly_one(world):
    contract = signed_contract(world.engagement, world.practice_manager)
    requests = [add_billing(world.engagement, world.provider_manager, expected_monthly_volume=n + 1) for n in range(4)]
    barrier, outcomes = threading.Barrier(WORKERS), []

    def approve(request):
        try:
            barrier.wait()
            changes.approve_change_request(request, by=world.practice_manager)
            outcomes.append("approved")
        except DomainError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert connection.vendor == "postgresql"
    assert len(outcomes) == WORKERS, "an approval failed without a message a person can act on"
    assert outcomes.count("approved") == 1
    assert all("out of date" in outcome for outcome in outcomes if outcome != "approved")
    assert ContractScope.objects.filter(contract=contract, service_line__code="billing").count() == 1
    assert list(ContractVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert ChangeRequest.objects.filter(status="approved").count() == 1
