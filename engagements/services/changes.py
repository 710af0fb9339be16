"""Change requests: scope-creep control on a signed contract, and the contract versions they leave behind.

Rules, decided here and documented in the README:
- A change request amends a **signed** contract. Before signing, the terms are edited directly; after, scope,
  pricing and the dates below change only through an approved change request.
- Either side's managers propose; only the practice's managers approve or reject (a rejection needs a note); only
  the side that proposed may withdraw, and only while the request is proposed. Nothing is proposed on an ended
  engagement, and nothing is approved on one either.
- The dates a change request may move are the **end date**, the **notice period** and the **renewal term** (the
  latter only on an auto-renewing contract). The start date and the evaluation period are history once the
  contract is signed: a change to them is a new contract, not a change request.
- A request is priced by applying it to the current `ContractTerms` and comparing `monthly_cost` before and after;
  the delta is computed live while the request is proposed, and frozen when it is decided.
- Approval re-validates against the terms as they are now (another approved change may have made the request
  stale: then it is refused and says so), stores version 1 from the current terms if no version exists yet, applies
  the change to the Contract/ContractScope rows, raises `contract.version` and stores the new version's snapshot —
  in one transaction, with the contract row locked, all or nothing.
"""

import dataclasses
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import can_act_on, engagement_managers, is_portal_admin, membership_of
from engagements.choices import PricingBasis
from engagements.locking import lock_contract, lock_row
from engagements.models import ChangeRequest, Contract, ContractScope, ContractVersion, Engagement, ServiceLine
from engagements.notifications import notify
from engagements.pricing import ContractTerms, LineTerms, monthly_cost, terms_of
from engagements.services import webhooks

Kind = ChangeRequest.Kind
Status = ChangeRequest.Status
PAYLOAD_FIELDS = sorted({name for names in ChangeRequest.PAYLOAD_FIELDS.values() for name in names})


# --- Applying a change to terms (pure: no database) ------------------------------------------------------------------


def apply_change(terms: ContractTerms, request: ChangeRequest) -> ContractTerms:
    """The terms with the request applied. Raises DomainError (with the field to fix) when it does not fit them."""
    return APPLY[request.kind](terms, request)


def _line_code(request: ChangeRequest) -> str:
    if request.service_line_id is None:
        raise DomainError("Choose the service line.", field="service_line")
    return request.service_line.code


def _existing_line(terms: ContractTerms, request: ChangeRequest) -> LineTerms:
    code = _line_code(request)
    line = terms.line(code)
    if line is None:
        raise DomainError(f"{request.service_line.name} is not in the contract's scope.", field="service_line")
    return line


def _replace_line(terms: ContractTerms, new: LineTerms) -> ContractTerms:
    lines = tuple(new if line.service_line == new.service_line else line for line in terms.lines)
    return dataclasses.replace(terms, lines=lines)


def _add_line(terms: ContractTerms, request: ChangeRequest) -> ContractTerms:
    code = _line_code(request)
    if terms.line(code) is not None:
        raise DomainError(f"{request.service_line.name} is already in the contract's scope.", field="service_line")
    if request.basis not in PricingBasis.values:
        raise DomainError("Choose how the new line is charged.", field="basis")
    if request.basis == PricingBasis.PER_UNIT:
        if request.unit_rate is None:
            raise DomainError("A line charged per unit needs a rate per unit.", field="unit_rate")
        line = LineTerms(
            code, PricingBasis.PER_UNIT, request.expected_monthly_volume or 0, Decimal("0"), request.unit_rate
        )
    else:
        if not request.fte:
            raise DomainError("Say how many FTEs the line needs.", field="fte")
        if terms.hourly_rate is None:
            raise DomainError(
                "The contract has no rate per FTE hour, so a line charged by the hour cannot be priced. "
                "Propose a rate change first, or charge the line per unit.",
                field="basis",
            )
        line = LineTerms(code, PricingBasis.HOURLY, request.expected_monthly_volume or 0, request.fte, None)
    return dataclasses.replace(terms, lines=(*terms.lines, line))


def _remove_line(terms: ContractTerms, request: ChangeRequest) -> ContractTerms:
    line = _existing_line(terms, request)
    return dataclasses.replace(terms, lines=tuple(other for other in terms.lines if other is not line))


def _change_volume(terms: ContractTerms, request: ChangeRequest) -> ContractTerms:
    line = _existing_line(terms, request)
    if request.expected_monthly_volume is None:
        raise DomainError("Give the new monthly volume.", field="expected_monthly_volume")
    if request.expected_monthly_volume == line.expected_monthly_volume:
        raise DomainError(
            f"The monthly volume is already {line.expected_monthly_volume}.", field="expected_monthly_volume"
        )
    return _replace_line(terms, dataclasses.replace(line, expected_monthly_volume=request.expected_monthly_volume))


def _change_rate(terms: ContractTerms, request: ChangeRequest) -> ContractTerms:
    if request.service_line_id is None:
        if request.hourly_rate is None:
            raise DomainError("Give the new rate per FTE hour, or choose the line whose rate changes.", "hourly_rate")
        if request.hourly_rate == terms.hourly_rate:
            raise DomainError(f"The rate per FTE hour is already {terms.hourly_rate}.", field="hourly_rate")
        return dataclasses.replace(terms, hourly_rate=request.hourly_rate)
    line = _existing_line(terms, request)
    if line.basis == PricingBasis.PER_UNIT:
        if request.unit_rate is None:
            raise DomainError(f"{request.service_line.name} is charged per unit: give its new rate.", "unit_rate")
        if request.unit_rate == line.unit_rate:
            raise DomainError(f"The rate per unit is already {line.unit_rate}.", field="unit_rate")
        return _replace_line(terms, dataclasses.replace(line, unit_rate=request.unit_rate))
    if request.fte is None:
        raise DomainError(f"{request.service_line.name} is charged by the hour: give its new FTEs.", field="fte")
    if request.fte == line.fte:
        raise DomainError(f"The line already has {line.fte} FTEs.", field="fte")
    return _replace_line(terms, dataclasses.replace(line, fte=request.fte))


def _change_date(terms: ContractTerms, request: ChangeRequest) -> ContractTerms:
    changes = {}
    if request.ends_on is not None and request.ends_on != terms.ends_on:
        if request.ends_on <= terms.starts_on:
            raise DomainError(f"The contract must end after it starts ({terms.starts_on:%d %b %Y}).", "ends_on")
        changes["ends_on"] = request.ends_on
    if request.notice_days is not None and request.notice_days != terms.notice_days:
        changes["notice_days"] = request.notice_days
    if request.renewal_term_months is not None and request.renewal_term_months != terms.renewal_term_months:
        if not terms.auto_renew:
            raise DomainError(
                "The contract does not renew automatically, so it has no renewal term.", field="renewal_term_months"
            )
        changes["renewal_term_months"] = request.renewal_term_months
    if not changes:
        given = any(getattr(request, name) is not None for name in ChangeRequest.PAYLOAD_FIELDS[Kind.CHANGE_DATE])
        raise DomainError(
            "These are the contract's current dates: nothing would change."
            if given
            else "Give a new end date, notice period or renewal term.",
            field="ends_on",
        )
    return dataclasses.replace(terms, **changes)


APPLY = {
    Kind.ADD_LINE: _add_line,
    Kind.REMOVE_LINE: _remove_line,
    Kind.CHANGE_VOLUME: _change_volume,
    Kind.CHANGE_RATE: _change_rate,
    Kind.CHANGE_DATE: _change_date,
}


def cost_delta(request: ChangeRequest, terms: ContractTerms) -> Decimal:
    """How much more (or, negative, less) the contract would cost a month with the request applied."""
    return monthly_cost(apply_change(terms, request)) - monthly_cost(terms)


def current_delta(request: ChangeRequest, terms: ContractTerms | None = None) -> Decimal | None:
    """The frozen delta of a decided request; the live one of a proposed request (None once it no longer applies)."""
    if not request.is_proposed:
        return request.monthly_cost_delta
    try:
        return cost_delta(request, terms if terms is not None else terms_of(request.contract))
    except DomainError:
        return None


# --- Who may do what -------------------------------------------------------------------------------------------------


def side_of(user) -> str:
    membership = membership_of(user)
    return membership.side if membership is not None else ""


def can_propose(user, engagement) -> bool:
    return can_act_on(user, engagement, "change_engagement")


def can_decide(user, engagement) -> bool:
    return can_act_on(user, engagement, "manage_contract")


def can_withdraw(user, request: ChangeRequest) -> bool:
    """The proposing side's managers (and portal admins) withdraw; the other side approves or rejects instead."""
    if not can_propose(user, request.contract.engagement):
        return False
    return is_portal_admin(user) or side_of(user) == request.proposing_side


# --- Proposing -------------------------------------------------------------------------------------------------------


def _check_fields(request: ChangeRequest) -> None:
    """The model's own field limits (non-negative money, notice up to 365 days…), as a field error."""
    try:
        request.clean_fields(exclude=["contract", "proposed_by", "decided_by", "proposed_on_version", "reason"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field) from None


@transaction.atomic
def propose_change_request(engagement: Engagement, *, by, kind: str, reason: str, **payload) -> ChangeRequest:
    """Either side's managers propose a change to the signed contract; the other side's managers are told."""
    engagement = Engagement.objects.get(pk=engagement.pk)
    if not can_propose(by, engagement):
        raise DomainError("Only the managers of the practice or the provider can propose a change.")
    if engagement.is_ended:
        raise DomainError("This engagement has ended; its contract can no longer change.")
    contract = Contract.objects.filter(engagement=engagement).first()
    if contract is None:
        raise DomainError("There is no contract to change yet: the practice records it first.")
    if contract.signed_on is None:
        raise DomainError("The contract is not signed yet: its terms are still edited directly on the contract.")
    if kind not in Kind.values:
        raise DomainError("Choose what kind of change this is.", field="kind")
    if not (reason or "").strip():
        raise DomainError("Say why the change is needed.", field="reason")
    unknown = set(payload) - set(PAYLOAD_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    request = ChangeRequest(
        contract=contract,
        kind=kind,
        reason=reason.strip(),
        proposed_by=by,
        proposing_side=side_of(by),
        proposed_on_version=contract.version,
    )
    for name in ChangeRequest.PAYLOAD_FIELDS[kind]:  # what the kind does not use is not kept
        value = payload.get(name)
        setattr(request, name, "" if name == "basis" and value is None else value)
    if isinstance(request.service_line, str):
        request.service_line = ServiceLine.objects.filter(code=request.service_line).first()
    _check_fields(request)
    apply_change(terms_of(contract), request)
    request.save()
    _tell(
        _other_side_managers(engagement, by),
        request,
        f"Change proposed: {request.summary}",
        body=f"{engagement}: {request.reason[:300]}",
    )
    webhooks.emit("change_request.proposed", engagement, webhooks.change_request_payload(request))
    return request


# --- Deciding --------------------------------------------------------------------------------------------------------


def _locked(request: ChangeRequest) -> ChangeRequest:
    return lock_row(
        ChangeRequest,
        request.pk,
        engagement="contract__engagement_id",
        contract="contract_id",
        related=("contract__engagement", "service_line"),
    )


def _require_proposed(request: ChangeRequest) -> None:
    if not request.is_proposed:
        raise DomainError(f"This request is already {request.get_status_display().lower()}.")


def _close(request: ChangeRequest, status: str, *, by, note: str, delta: Decimal | None) -> None:
    request.status, request.decided_by, request.decided_at = status, by, timezone.now()
    request.decision_note, request.monthly_cost_delta = note.strip(), delta
    request.save()


@transaction.atomic
def approve_change_request(request: ChangeRequest, *, by, note: str = "") -> ChangeRequest:
    """The practice approves: the change is applied to the contract as a new version, all or nothing."""
    request = _locked(request)
    engagement = request.contract.engagement
    if not can_decide(by, engagement):
        raise DomainError("Only the practice's managers can approve a change.")
    _require_proposed(request)
    if engagement.is_ended:
        raise DomainError("This engagement has ended; its contract can no longer change.")
    contract = lock_contract(request.contract_id)  # one approval at a time (already locked by _locked)
    request.contract = contract
    before = terms_of(contract)
    try:
        after = apply_change(before, request)
    except DomainError as error:
        if contract.version != request.proposed_on_version:
            raise DomainError(
                f"This request is out of date: the contract moved from version {request.proposed_on_version} to "
                f"{contract.version} since it was proposed, and now {error.message[0].lower()}{error.message[1:]} "
                "Reject it, or withdraw it and propose the change again.",
                field=error.field,
            ) from None
        raise
    ensure_first_version(contract, by=by, terms=before)
    _write(contract, request)
    contract.version += 1
    contract.save(update_fields=["version", "updated_at"])
    snapshot = terms_of(contract)
    if monthly_cost(snapshot) != monthly_cost(after):  # the rows must say what the priced terms said
        raise DomainError("The change could not be applied as priced; nothing was changed.")
    ContractVersion.objects.create(
        contract=contract,
        number=contract.version,
        terms=snapshot.as_json(),
        change_request=request,
        created_by=by,
        summary=request.summary[:300],
    )
    _close(request, Status.APPROVED, by=by, note=note, delta=monthly_cost(after) - monthly_cost(before))
    _tell_proposer(request, by)
    webhooks.emit("change_request.decided", engagement, webhooks.change_request_payload(request))
    return request


@transaction.atomic
def reject_change_request(request: ChangeRequest, *, by, note: str) -> ChangeRequest:
    """The practice rejects, saying why; the request stays on record with its delta as it stood."""
    request = _locked(request)
    if not can_decide(by, request.contract.engagement):
        raise DomainError("Only the practice's managers can reject a change.")
    _require_proposed(request)
    if not (note or "").strip():
        raise DomainError("Say why the change is rejected, so the other side can answer it.", field="note")
    _close(request, Status.REJECTED, by=by, note=note, delta=current_delta(request))
    _tell_proposer(request, by)
    webhooks.emit("change_request.decided", request.contract.engagement, webhooks.change_request_payload(request))
    return request


@transaction.atomic
def withdraw_change_request(request: ChangeRequest, *, by, note: str = "") -> ChangeRequest:
    """The side that proposed a change takes it back while it is still proposed."""
    request = _locked(request)
    if not can_withdraw(by, request):
        raise DomainError("Only the side that proposed a change can withdraw it.")
    _require_proposed(request)
    _close(request, Status.WITHDRAWN, by=by, note=note or "", delta=current_delta(request))
    _tell(
        _other_side_managers(request.contract.engagement, by),
        request,
        f"Change withdrawn: {request.summary}",
    )
    webhooks.emit("change_request.decided", request.contract.engagement, webhooks.change_request_payload(request))
    return request


def _write(contract: Contract, request: ChangeRequest) -> None:
    """Apply an already validated request to the contract's rows (saved one by one, so each is audit-logged)."""
    if request.kind == Kind.ADD_LINE:
        ContractScope.objects.create(
            contract=contract,
            service_line=request.service_line,
            basis=request.basis,
            expected_monthly_volume=request.expected_monthly_volume or 0,
            fte=(request.fte or Decimal("0")) if request.basis == PricingBasis.HOURLY else Decimal("0"),
            unit_rate=request.unit_rate if request.basis == PricingBasis.PER_UNIT else None,
        )
        return
    if request.kind == Kind.CHANGE_DATE or (request.kind == Kind.CHANGE_RATE and not request.service_line_id):
        fields = [
            name
            for name in ("ends_on", "notice_days", "renewal_term_months", "hourly_rate")
            if getattr(request, name) is not None
        ]
        for name in fields:
            setattr(contract, name, getattr(request, name))
        contract.save(update_fields=[*fields, "updated_at"])
        return
    scope = ContractScope.objects.select_for_update().get(contract=contract, service_line=request.service_line)
    if request.kind == Kind.REMOVE_LINE:
        try:
            scope.delete()
        except ProtectedError:
            raise DomainError(
                f"{request.service_line.name} has records that depend on it; it cannot be removed."
            ) from None
        return
    if request.kind == Kind.CHANGE_VOLUME:
        scope.expected_monthly_volume = request.expected_monthly_volume
    elif scope.basis == PricingBasis.PER_UNIT:
        scope.unit_rate = request.unit_rate
    else:
        scope.fte = request.fte
    scope.save()


# --- Versions --------------------------------------------------------------------------------------------------------


def ensure_first_version(contract: Contract, *, by=None, terms: ContractTerms | None = None) -> ContractVersion:
    """Version 1 is stored from the current terms the first time it is needed: before the first change is
    applied. (Signing could call this too; until then the current terms *are* version 1.)"""
    first = contract.versions.order_by("number").first()
    if first is not None:
        return first
    return ContractVersion.objects.create(
        contract=contract,
        number=contract.version,
        terms=(terms or terms_of(contract)).as_json(),
        created_by=by,
        summary="The terms as signed, before any change request",
    )


def _other_side_managers(engagement, by):
    recipients = engagement_managers(engagement).exclude(pk=by.pk)
    side = side_of(by)
    if side:
        recipients = recipients.exclude(**{f"membership__{side}__isnull": False})
    return recipients


def _tell_proposer(request: ChangeRequest, by) -> None:
    if request.proposed_by_id and request.proposed_by_id != by.pk and request.proposed_by.is_active:
        verdict = request.get_status_display().lower()
        _tell([request.proposed_by], request, f"Change {verdict}: {request.summary}", body=request.decision_note)


def _tell(users, request: ChangeRequest, title: str, body: str = "") -> None:
    engagement = request.contract.engagement
    notify(
        users,
        key=f"change_request:{request.pk}:{request.status}",
        title=f"{title} — {engagement.name}",
        body=body,
        url=request.get_absolute_url(),
        engagement=engagement,
    )


# --- Diff between versions (from the snapshots alone) ---------------------------------------------------------------

TERM_LABELS = {
    "starts_on": "Start date",
    "ends_on": "End date",
    "evaluation_months": "Evaluation period (months)",
    "notice_days": "Notice period (days)",
    "auto_renew": "Renews automatically",
    "renewal_term_months": "Renewal term (months)",
    "pricing_model": "Pricing model",
    "hourly_rate": "Rate per FTE hour",
    "fte_hours_per_month": "Hours per FTE per month",
    "account_management_fee": "Monthly account-management fee",
}
LINE_LABELS = {
    "basis": "Charged",
    "expected_monthly_volume": "Monthly volume",
    "fte": "FTEs",
    "unit_rate": "Rate per unit",
    "tiers": "Volume tiers",
}


@dataclasses.dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object


@dataclasses.dataclass(frozen=True)
class LineChange:
    service_line: str
    change: str  # "added", "removed" or "changed"
    fields: tuple[FieldChange, ...]


@dataclasses.dataclass(frozen=True)
class VersionDiff:
    terms: tuple[FieldChange, ...]
    lines: tuple[LineChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.lines

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


def _field_changes(old: dict, new: dict, labels: dict) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, label, old.get(name), new.get(name))
        for name, label in labels.items()
        if old.get(name) != new.get(name)
    )


def diff_terms(old: dict | None, new: dict) -> VersionDiff:
    """What changed from one snapshot (`ContractTerms.as_json()`) to the next: the contract's terms field by field,
    the scope line by line (added and removed lines with all their values, changed lines with old → new)."""
    old = old or {}
    old_lines = {line["service_line"]: line for line in old.get("lines", [])}
    new_lines = {line["service_line"]: line for line in new.get("lines", [])}
    lines = []
    for code in [*old_lines, *(code for code in new_lines if code not in old_lines)]:
        before, after = old_lines.get(code), new_lines.get(code)
        if before is None:
            lines.append(LineChange(code, "added", _field_changes({}, after, LINE_LABELS)))
        elif after is None:
            lines.append(LineChange(code, "removed", _field_changes(before, {}, LINE_LABELS)))
        elif before != after:
            lines.append(LineChange(code, "changed", _field_changes(before, after, LINE_LABELS)))
    return VersionDiff(_field_changes(old, new, TERM_LABELS) if old else (), tuple(lines))


def version_diff(version: ContractVersion) -> VersionDiff | None:
    """The diff of a version against its predecessor; None for the first version (it has nothing before it)."""
    previous = (
        ContractVersion.objects.filter(contract_id=version.contract_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return None if previous is None else diff_terms(previous.terms, version.terms)
