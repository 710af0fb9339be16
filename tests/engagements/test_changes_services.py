"""Change requests: pricing each kind, the rules of who proposes, approves, rejects and withdraws, atomic approval
into a new contract version, stale requests, and the diff between versions."""

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from bpo_portal.errors import DomainError
from engagements import services
from engagements.choices import EngagementStatus
from engagements.models import ChangeRequest, Contract, ContractScope, ContractVersion, Notification, ServiceLine
from engagements.pricing import monthly_cost, terms_of
from engagements.services import changes
from tests import factories
from tests.engagements.changes_helpers import MONTHLY, add_billing, signed_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(world):
    return signed_contract(world.engagement, world.practice_manager)


def line(code):
    return ServiceLine.objects.get(code=code)


def propose(world, by=None, **fields):
    return changes.propose_change_request(world.engagement, by=by or world.provider_manager, reason="Why", **fields)


def everything():
    """Every row a change request can touch."""
    return (
        sorted(Contract.objects.values_list("pk", "version", "ends_on", "notice_days", "hourly_rate", "updated_at")),
        sorted(ContractScope.objects.values_list("pk", "service_line", "expected_monthly_volume", "fte", "unit_rate")),
        sorted(ChangeRequest.objects.values_list("pk", "status", "monthly_cost_delta")),
        ContractVersion.objects.count(),
        LogEntry.objects.count(),
    )


def test_the_fixture_costs_what_was_computed_by_hand(contract):
    assert monthly_cost(terms_of(contract)) == MONTHLY


# Each delta computed by hand from the fixture's terms (see changes_helpers).
DELTAS = [
    # billing, 500 units at 4.00: +2,000
    (
        {
            "kind": "add_line",
            "service_line": "billing",
            "basis": "per_unit",
            "expected_monthly_volume": 500,
            "unit_rate": "4.00",
        },
        "2000.00",
    ),
    # customer service, 1.5 FTE × 160 h × 20.00: +4,800
    ({"kind": "add_line", "service_line": "customer_service", "basis": "hourly", "fte": "1.5"}, "4800.00"),
    # scheduling's 2 FTEs go: −6,400
    ({"kind": "remove_line", "service_line": "scheduling"}, "-6400.00"),
    # claims 1,000 → 1,200: 800 × 3 + 400 × 2.50 = 3,400, was 2,900: +500
    ({"kind": "change_volume", "service_line": "claims", "expected_monthly_volume": 1200}, "500.00"),
    # claims rate 3.00 → 3.50 below the tier: 800 × 3.50 + 200 × 2.50 = 3,300: +400
    ({"kind": "change_rate", "service_line": "claims", "unit_rate": "3.50"}, "400.00"),
    # scheduling 2 → 3 FTEs: +1 × 160 × 20 = +3,200
    ({"kind": "change_rate", "service_line": "scheduling", "fte": "3"}, "3200.00"),
    # rate per FTE hour 20 → 25 on scheduling's 320 hours: +1,600
    ({"kind": "change_rate", "hourly_rate": "25.00"}, "1600.00"),
    # dates cost nothing a month
    ({"kind": "change_date", "ends_on": date(2027, 6, 30), "notice_days": 90}, "0.00"),
]


@pytest.mark.parametrize(("payload", "delta"), DELTAS, ids=[f"{p['kind']}-{d}" for p, d in DELTAS])
def test_each_kind_is_priced_by_the_difference_in_monthly_cost(world, contract, payload, delta):
    payload = dict(payload)
    if "service_line" in payload:
        payload["service_line"] = line(payload["service_line"])
    for money in ("unit_rate", "fte", "hourly_rate"):
        if money in payload:
            payload[money] = Decimal(payload[money])
    request = propose(world, **payload)
    assert changes.current_delta(request) == Decimal(delta)
    approved = changes.approve_change_request(request, by=world.practice_manager)
    assert approved.monthly_cost_delta == Decimal(delta)
    assert monthly_cost(terms_of(Contract.objects.get(pk=contract.pk))) == MONTHLY + Decimal(delta)


BAD = [
    (
        {"kind": "add_line", "service_line": "claims", "basis": "per_unit", "unit_rate": "1"},
        "service_line",
        "already in the contract's scope",
    ),
    ({"kind": "add_line", "service_line": "billing", "basis": "per_unit"}, "unit_rate", "needs a rate per unit"),
    ({"kind": "add_line", "service_line": "billing"}, "basis", "Choose how"),
    ({"kind": "add_line", "basis": "hourly", "fte": "1"}, "service_line", "Choose the service line"),
    ({"kind": "remove_line", "service_line": "billing"}, "service_line", "not in the contract's scope"),
    (
        {"kind": "change_volume", "service_line": "billing", "expected_monthly_volume": 5},
        "service_line",
        "not in the contract's scope",
    ),
    (
        {"kind": "change_volume", "service_line": "claims", "expected_monthly_volume": 1000},
        "expected_monthly_volume",
        "already 1000",
    ),
    ({"kind": "change_volume", "service_line": "claims"}, "expected_monthly_volume", "new monthly volume"),
    ({"kind": "change_rate", "service_line": "claims", "fte": "2"}, "unit_rate", "charged per unit"),
    ({"kind": "change_rate", "service_line": "scheduling", "unit_rate": "2"}, "fte", "charged by the hour"),
    ({"kind": "change_rate"}, "hourly_rate", "rate per FTE hour"),
    ({"kind": "change_rate", "hourly_rate": "-1"}, "hourly_rate", "greater than or equal to 0"),
    ({"kind": "change_date", "ends_on": date(2025, 12, 1)}, "ends_on", "must end after it starts"),
    ({"kind": "change_date"}, "ends_on", "Give a new end date"),
    ({"kind": "change_date", "ends_on": date(2027, 1, 1)}, "ends_on", "nothing would change"),
    ({"kind": "change_date", "notice_days": 400}, "notice_days", "less than or equal to 365"),
    ({"kind": "reshuffle"}, "kind", "Choose what kind"),
]


@pytest.mark.parametrize(("payload", "field", "message"), BAD, ids=[f"{p['kind']}-{f}" for p, f, _ in BAD])
def test_a_change_that_does_not_fit_the_terms_is_refused_on_its_field_and_writes_nothing(
    world, contract, payload, field, message
):
    payload = dict(payload)
    if "service_line" in payload:
        payload["service_line"] = line(payload["service_line"])
    for money in ("unit_rate", "fte", "hourly_rate"):
        if money in payload:
            payload[money] = Decimal(payload[money])
    before = everything()
    with pytest.raises(DomainError) as refused:
        propose(world, **payload)
    assert refused.value.field == field
    assert message in refused.value.message
    assert everything() == before


def test_a_renewal_term_cannot_change_on_a_contract_that_does_not_renew(world, contract):
    Contract.objects.filter(pk=contract.pk).update(auto_renew=False, renewal_term_months=None)
    with pytest.raises(DomainError, match="does not renew automatically"):
        propose(world, kind="change_date", renewal_term_months=24)


def test_a_reason_is_required(world, contract):
    with pytest.raises(DomainError) as refused:
        changes.propose_change_request(
            world.engagement, by=world.provider_manager, kind="remove_line", reason=" ", service_line=line("claims")
        )
    assert refused.value.field == "reason"


def test_fields_the_kind_does_not_use_are_not_kept(world, contract):
    request = propose(world, kind="remove_line", service_line=line("claims"), unit_rate=Decimal("9"), notice_days=3)
    assert request.unit_rate is None and request.notice_days is None


def test_an_unsigned_contract_is_edited_directly_not_through_change_requests(world, contract):
    Contract.objects.filter(pk=contract.pk).update(signed_on=None)
    with pytest.raises(DomainError, match="not signed yet"):
        add_billing(world.engagement, world.provider_manager)
    assert not ChangeRequest.objects.exists()


def test_no_change_is_proposed_on_an_ended_engagement(world, contract):
    factories.approve_due_diligence(world.engagement, by=world.practice_manager)
    for status in ("contracting", "transitioning", "offboarding", "ended"):
        services.change_engagement_status(world.engagement, status, by=world.practice_manager)
    with pytest.raises(DomainError, match="has ended"):
        add_billing(world.engagement, world.provider_manager)
    assert world.engagement.__class__.objects.get(pk=world.engagement.pk).status == EngagementStatus.ENDED


@pytest.mark.parametrize("persona", ["practice_staff", "provider_staff", "outsider", "other_provider_manager"])
def test_only_managers_of_either_side_propose(world, contract, persona):
    with pytest.raises(DomainError, match="Only the managers"):
        add_billing(world.engagement, getattr(world, persona))
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("persona", ["practice_manager", "provider_manager", "admin"])
def test_either_sides_managers_and_admins_propose(world, contract, persona):
    request = add_billing(world.engagement, getattr(world, persona))
    assert request.status == "proposed"
    assert request.proposing_side == {"practice_manager": "practice", "provider_manager": "provider"}.get(persona, "")
    assert request.proposed_on_version == 1


def test_a_proposal_tells_the_other_sides_managers(world, contract):
    add_billing(world.engagement, world.provider_manager)
    assert Notification.objects.filter(user=world.practice_manager, title__startswith="Change proposed").exists()
    assert not Notification.objects.filter(user=world.provider_manager).exists()


# --- Approval ------------------------------------------------------------------------------------------------------


def test_approval_applies_the_change_as_a_new_version_and_keeps_the_first(world, contract):
    request = add_billing(world.engagement, world.provider_manager)
    changes.approve_change_request(request, by=world.practice_manager, note="Agreed on the call")
    contract.refresh_from_db()
    request.refresh_from_db()
    assert contract.version == 2
    billing = contract.scope.get(service_line__code="billing")
    assert (billing.basis, billing.expected_monthly_volume, billing.unit_rate) == ("per_unit", 500, Decimal("4.00"))
    first, second = contract.versions.order_by("number")
    assert (first.number, first.change_request) == (1, None)
    assert [x["service_line"] for x in first.terms["lines"]] == ["scheduling", "claims"]
    assert second.number == 2 and second.change_request == request and second.created_by == world.practice_manager
    assert second.terms == terms_of(contract).as_json()
    assert request.status == "approved" and request.decided_by == world.practice_manager
    assert request.decision_note == "Agreed on the call" and request.monthly_cost_delta == Decimal("2000.00")
    assert request.resulting_version == second
    assert Notification.objects.filter(user=world.provider_manager, title__startswith="Change approved").exists()


def test_a_decided_delta_is_frozen(world, contract):
    request = propose(world, kind="change_volume", service_line=line("claims"), expected_monthly_volume=1200)
    changes.approve_change_request(request, by=world.practice_manager)
    Contract.objects.filter(pk=contract.pk).update(hourly_rate=Decimal("99"))
    ContractScope.objects.filter(service_line__code="claims").update(unit_rate=Decimal("50"))
    assert changes.current_delta(ChangeRequest.objects.get(pk=request.pk)) == Decimal("500.00")


def test_a_proposed_delta_follows_the_current_terms(world, contract):
    request = propose(world, kind="change_rate", service_line=line("scheduling"), fte=Decimal("3"))
    Contract.objects.filter(pk=contract.pk).update(hourly_rate=Decimal("30"))
    assert changes.current_delta(ChangeRequest.objects.get(pk=request.pk)) == Decimal("4800.00")  # 160 × 30


def test_a_request_made_stale_by_another_approved_change_is_refused(world, contract):
    first = add_billing(world.engagement, world.provider_manager)
    second = add_billing(world.engagement, world.practice_manager, expected_monthly_volume=800)
    changes.approve_change_request(first, by=world.practice_manager)
    before = everything()
    with pytest.raises(DomainError) as refused:
        changes.approve_change_request(second, by=world.practice_manager)
    assert "out of date" in refused.value.message and "version 1 to 2" in refused.value.message
    assert "billing is already in the contract's scope" in refused.value.message
    assert everything() == before
    assert changes.current_delta(ChangeRequest.objects.get(pk=second.pk)) is None


def test_a_request_still_valid_after_another_change_is_approved_against_the_new_terms(world, contract):
    first = propose(world, kind="change_volume", service_line=line("claims"), expected_monthly_volume=1200)
    second = propose(world, kind="change_rate", service_line=line("claims"), unit_rate=Decimal("3.50"))
    changes.approve_change_request(first, by=world.practice_manager)
    approved = changes.approve_change_request(second, by=world.practice_manager)
    # 800 × 3.50 + 400 × 2.50 = 3,800, was 3,400 after the volume change
    assert approved.monthly_cost_delta == Decimal("400.00")
    assert Contract.objects.get(pk=contract.pk).version == 3
    assert list(contract.versions.values_list("number", flat=True).order_by("number")) == [1, 2, 3]


def test_a_failure_midway_through_approval_leaves_everything_as_it_was(world, contract, monkeypatch):
    request = propose(world, kind="remove_line", service_line=line("claims"))
    before = everything()
    real_create = ContractVersion.objects.create

    def fail_on_the_new_version(**fields):
        if fields.get("change_request") is not None:  # version 1 and the scope change are already written
            raise RuntimeError("disk full")
        return real_create(**fields)

    monkeypatch.setattr(ContractVersion.objects, "create", fail_on_the_new_version)
    with pytest.raises(RuntimeError):
        changes.approve_change_request(request, by=world.practice_manager)
    assert everything() == before
    assert ContractScope.objects.filter(contract=contract, service_line__code="claims").exists()


@pytest.mark.parametrize("persona", ["provider_manager", "practice_staff", "provider_staff", "outsider"])
def test_only_the_practice_approves_or_rejects(world, contract, persona):
    request = add_billing(world.engagement, world.provider_manager)
    before = everything()
    with pytest.raises(DomainError, match="Only the practice's managers"):
        changes.approve_change_request(request, by=getattr(world, persona))
    with pytest.raises(DomainError, match="Only the practice's managers"):
        changes.reject_change_request(request, by=getattr(world, persona), note="No")
    assert everything() == before


def test_a_rejection_needs_a_note_and_stays_on_record(world, contract):
    request = add_billing(world.engagement, world.provider_manager)
    with pytest.raises(DomainError) as refused:
        changes.reject_change_request(request, by=world.practice_manager, note="  ")
    assert refused.value.field == "note"
    rejected = changes.reject_change_request(request, by=world.practice_manager, note="Billing stays in-house")
    assert (rejected.status, rejected.decision_note, rejected.monthly_cost_delta) == (
        "rejected",
        "Billing stays in-house",
        Decimal("2000.00"),
    )
    assert Contract.objects.get(pk=contract.pk).version == 1 and not ContractVersion.objects.exists()
    assert Notification.objects.filter(user=world.provider_manager, title__startswith="Change rejected").exists()
    with pytest.raises(DomainError, match="already rejected"):
        changes.approve_change_request(rejected, by=world.practice_manager)


def test_only_the_proposing_side_withdraws_while_proposed(world, contract):
    request = add_billing(world.engagement, world.provider_manager)
    for persona in ("practice_manager", "provider_staff", "outsider"):
        with pytest.raises(DomainError, match="Only the side that proposed"):
            changes.withdraw_change_request(request, by=getattr(world, persona))
    colleague = factories.make_member(world.provider)
    withdrawn = changes.withdraw_change_request(request, by=colleague)
    assert withdrawn.status == "withdrawn" and withdrawn.decided_by == colleague
    with pytest.raises(DomainError, match="already withdrawn"):
        changes.withdraw_change_request(withdrawn, by=world.provider_manager)
    assert ChangeRequest.objects.filter(status="withdrawn").count() == 1


# --- Diff ----------------------------------------------------------------------------------------------------------


def test_the_diff_shows_added_removed_and_changed_lines_and_terms(world, contract):
    for payload in (
        {
            "kind": "add_line",
            "service_line": line("billing"),
            "basis": "per_unit",
            "unit_rate": Decimal("4"),
            "expected_monthly_volume": 500,
        },
        {"kind": "remove_line", "service_line": line("scheduling")},
        {"kind": "change_volume", "service_line": line("claims"), "expected_monthly_volume": 1200},
        {"kind": "change_date", "ends_on": date(2027, 6, 30)},
    ):
        changes.approve_change_request(propose(world, **payload), by=world.practice_manager)
    versions = {v.number: v for v in contract.versions.all()}
    assert sorted(versions) == [1, 2, 3, 4, 5]
    assert changes.version_diff(versions[1]) is None

    added = changes.version_diff(versions[2])
    assert added.terms == ()
    (billing,) = added.lines
    assert (billing.service_line, billing.change) == ("billing", "added")
    added_fields = {f.field: (f.old, f.new) for f in billing.fields}
    assert added_fields["unit_rate"] == (None, "4.00")
    assert added_fields["expected_monthly_volume"] == (None, 500)

    (removed,) = changes.version_diff(versions[3]).lines
    assert (removed.service_line, removed.change) == ("scheduling", "removed")
    assert {f.field: (f.old, f.new) for f in removed.fields}["fte"] == ("2.00", None)

    (changed,) = changes.version_diff(versions[4]).lines
    assert changed.change == "changed"
    assert [(f.field, f.old, f.new) for f in changed.fields] == [("expected_monthly_volume", 1000, 1200)]

    dates = changes.version_diff(versions[5])
    assert dates.lines == ()
    assert [(f.field, f.old, f.new) for f in dates.terms] == [("ends_on", "2027-01-01", "2027-06-30")]

    # Any version against its predecessor, from the snapshots alone.
    whole = changes.diff_terms(versions[1].terms, versions[5].terms)
    assert {c.service_line: c.change for c in whole.lines} == {
        "billing": "added",
        "scheduling": "removed",
        "claims": "changed",
    }
