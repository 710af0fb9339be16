"""The change-request demo: a pending proposal and an approved change with two versions to compare, made once."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from engagements.demo import changes as change_demo
from engagements.models import ChangeRequest, ContractVersion, Engagement
from engagements.services.changes import version_diff
from tests.engagements.changes_helpers import signed_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_seed_demo_shows_a_pending_change_and_two_versions_to_diff():
    call_command("seed_demo", stdout=StringIO())
    engagement = Engagement.objects.get(name=change_demo.ENGAGEMENT)
    requests = ChangeRequest.objects.filter(contract__engagement=engagement)
    assert sorted(requests.values_list("status", flat=True)) == ["approved", "proposed"]
    pending = requests.get(status="proposed")
    assert pending.kind == "add_line" and pending.proposing_side == "provider"
    versions = ContractVersion.objects.filter(contract__engagement=engagement).order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert not version_diff(versions[1]).is_empty

    call_command("seed_demo", stdout=StringIO())
    assert ChangeRequest.objects.filter(contract__engagement=engagement).count() == 2
    assert ContractVersion.objects.filter(contract__engagement=engagement).count() == 2


def test_the_demo_works_on_the_scope_it_finds(world):
    contract = signed_contract(world.engagement, world.practice_manager)
    engagements = {change_demo.ENGAGEMENT: world.engagement}
    managers = {world.practice: world.practice_manager, world.provider: world.provider_manager}
    change_demo.seed(engagements, managers, date(2026, 3, 1))
    approved = ChangeRequest.objects.get(status="approved")
    assert (approved.kind, approved.service_line.code, approved.expected_monthly_volume) == (
        "change_volume",
        "claims",
        1200,
    )
    pending = ChangeRequest.objects.get(status="proposed")
    assert pending.service_line.code == "billing"
    contract.refresh_from_db()
    assert contract.version == 2 and contract.scope.count() == 2
