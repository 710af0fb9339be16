"""Contract terms: evaluation checkpoints and their outcomes, termination without penalty, and the reminders the
terms give rise to (checkpoint due, notice deadline near, long automatic renewal)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import CheckpointOutcome, EngagementStatus, ReminderKind, Side
from engagements.contract_dates import is_near
from engagements.locking import lock_contract, lock_row
from engagements.models import Checkpoint, Contract
from engagements.reminders import BOTH, Due
from slas import evidence

# A checkpoint is announced a week ahead: time to gather the KPIs and book the review meeting. It stays on the
# list, as overdue, until its outcome is recorded.
CHECKPOINT_LEAD_DAYS = 7


# --- Checkpoints ------------------------------------------------------------------------------------------------------


@transaction.atomic
def sync_checkpoints(contract: Contract) -> None:
    """Make the contract's checkpoints match its evaluation period and interval.

    Runs whenever a contract is saved (engagements.signals), so a change of start date, evaluation length or
    interval — through the form, the API or an approved change request — moves the checkpoints with it. Pending
    checkpoints on dates that are no longer wanted are removed; an outcome already recorded is history and is
    always kept, even when its date falls outside the new schedule. Then all are numbered again by date.
    """
    wanted = set(contract.checkpoint_dates())
    existing = {checkpoint.due_on: checkpoint for checkpoint in Checkpoint.objects.filter(contract=contract)}
    for day, checkpoint in existing.items():
        if checkpoint.is_pending and day not in wanted:
            checkpoint.delete()
    for day in sorted(wanted - existing.keys()):
        Checkpoint.objects.create(contract=contract, due_on=day, sequence=0)
    for number, checkpoint in enumerate(Checkpoint.objects.filter(contract=contract).order_by("due_on"), start=1):
        if checkpoint.sequence != number:
            checkpoint.sequence = number
            checkpoint.save(update_fields=["sequence"])


DECIDED_OUTCOMES = [
    CheckpointOutcome.CONTINUE,
    CheckpointOutcome.CONTINUE_WITH_CONDITIONS,
    CheckpointOutcome.END,
]


@transaction.atomic
def record_checkpoint_outcome(
    checkpoint: Checkpoint, *, by, outcome: str, notes: str = "", today: date | None = None
) -> Checkpoint:
    """The practice records what it decided at a checkpoint. A later correction replaces it (the change history
    keeps both). Refused before the checkpoint's day — a review cannot be decided before it happens."""
    checkpoint = lock_row(
        Checkpoint,
        checkpoint.pk,
        engagement="contract__engagement_id",
        contract="contract_id",
        related=("contract__engagement__practice",),
    )
    contract = checkpoint.contract
    if contract.engagement.is_ended:
        raise DomainError("The engagement has ended; its checkpoints stay as they were recorded.")
    if outcome not in DECIDED_OUTCOMES:
        choices = ", ".join(str(CheckpointOutcome(value).label).lower() for value in DECIDED_OUTCOMES)
        raise DomainError(f"Choose an outcome: {choices}.", field="outcome")
    notes = (notes or "").strip()
    if outcome == CheckpointOutcome.CONTINUE_WITH_CONDITIONS and not notes:
        raise DomainError("Write down the conditions of continuing.", field="notes")
    today = today or contract.local_today()
    if checkpoint.due_on > today:
        raise DomainError(
            f"This checkpoint is on {checkpoint.due_on:%-d %b %Y}; record its outcome on or after that day."
        )
    checkpoint.outcome, checkpoint.notes = outcome, notes
    checkpoint.recorded_by, checkpoint.recorded_at = by, timezone.now()
    checkpoint.save(update_fields=["outcome", "notes", "recorded_by", "recorded_at"])
    return checkpoint


# --- Termination without penalty ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminationEligibility:
    """Whether the practice may end the contract without penalty today, why, and the breaches that count."""

    eligible: bool
    reason: str
    required: int  # N: breaches that allow termination
    window_months: int  # M: within this many months
    evaluation_ends_on: date
    counts_from: date | None  # the earliest period start that counts (None while the clause cannot apply)
    breaches: list = field(default_factory=list)

    @property
    def found(self) -> int:
        return len(self.breaches)


def termination_eligibility(contract: Contract, today: date | None = None) -> TerminationEligibility:
    """The termination-without-penalty clause, judged from the SLA engine's breaches.

    It applies once the evaluation period is over (today after its end) and while the contract is in force. A
    breach counts when it is a real breach (severity "breach", not a warning), it was not resolved by data (a
    correction showed the target was met: it was a data error, not a miss), and its period started within the
    last M months and on or after the evaluation end — misses during the evaluation are what the checkpoints
    judge. Open and closed breaches both count: remediating a breach does not undo it.
    """
    today = today or contract.local_today()
    term = contract.current_term(today)
    evaluation_ends_on = contract.evaluation_ends_on
    required, window = contract.termination_breach_count, contract.termination_window_months

    def refused(reason: str) -> TerminationEligibility:
        return TerminationEligibility(False, reason, required, window, evaluation_ends_on, None)

    if term.state == "not_started":
        return refused(f"The contract has not started yet (it starts on {contract.starts_on:%-d %b %Y}).")
    if term.state == "ended":
        return refused(f"The contract ended on {contract.ends_on:%-d %b %Y}.")
    if today <= evaluation_ends_on:
        return refused(
            f"Still in the evaluation period until {evaluation_ends_on:%-d %b %Y}; the clause applies after it."
        )
    counts_from = max(today - relativedelta(months=window), evaluation_ends_on)
    breaches = list(_counted_breaches(contract, counts_from, today))
    found = len(breaches)
    months = f"{window} month{'s' if window != 1 else ''}"
    if found >= required:
        reason = (
            f"{found} SLA breach{'es' if found != 1 else ''} in the last {months} (the contract allows ending it "
            f"after {required}): the practice may end the contract without penalty."
        )
    else:
        reason = f"{found} of the {required} SLA breaches within {months} that would allow ending without penalty."
    eligible = found >= required
    return TerminationEligibility(eligible, reason, required, window, evaluation_ends_on, counts_from, breaches)


def _counted_breaches(contract: Contract, counts_from: date, today: date):
    """The breaches that count (`slas.evidence`: closed periods, severity breach, not resolved by data)."""
    return (
        evidence.counted_breaches()
        .filter(target__engagement_id=contract.engagement_id, period_start__gte=counts_from, period_start__lte=today)
        .select_related("target__metric", "target__service_line")
        .order_by("-period_start", "-pk")
    )


# --- Reminders --------------------------------------------------------------------------------------------------------


def contract_url(engagement_id: int) -> str:
    return reverse("engagements:contract_detail", args=[engagement_id])


def due_items(engagements, today: date):
    """The contract terms' reminders for these engagements (ended ones have nothing left to remind of):

    - checkpoint_due — a pending checkpoint, from CHECKPOINT_LEAD_DAYS before its day until its outcome is
      recorded; due on the checkpoint's day; the practice decides.
    - notice_deadline — the current term's last day to give notice, from 30 days before it until the day
      itself; due on the deadline; both sides (the provider plans its staffing on it); danger.
    - long_renewal — an automatic renewal longer than 24 months, until the current term's notice deadline
      (after it the renewal can no longer be refused); due on that deadline; the practice.
    """
    live = engagements.exclude(status=EngagementStatus.ENDED)
    checkpoints = (
        Checkpoint.objects.pending()
        .filter(contract__engagement__in=live, due_on__lte=today + timedelta(days=CHECKPOINT_LEAD_DAYS))
        .select_related("contract__engagement")
        .order_by("due_on", "pk")
    )
    for checkpoint in checkpoints:
        engagement = checkpoint.contract.engagement
        overdue = checkpoint.due_on < today
        yield Due(
            kind=ReminderKind.CHECKPOINT_DUE,
            item=checkpoint,
            due_on=checkpoint.due_on,
            engagement=engagement,
            side=Side.PRACTICE,
            title=f"{engagement.name}: evaluation checkpoint {checkpoint.sequence} "
            f"{'was due' if overdue else 'is due'} on {checkpoint.due_on:%-d %b %Y}; record its outcome.",
            url=f"{contract_url(engagement.pk)}#checkpoint-{checkpoint.pk}",
            level="danger" if overdue else "warning",
        )
    for contract in Contract.objects.filter(engagement__in=live).select_related("engagement").order_by("pk"):
        yield from _contract_items(contract, today)


def _contract_items(contract: Contract, today: date):
    if contract.current_term(today).state == "ended":
        return
    engagement, deadline = contract.engagement, contract.notice_deadline_on(today)
    if is_near(deadline, today):
        yield Due(
            kind=ReminderKind.NOTICE_DEADLINE,
            item=contract,
            due_on=deadline,
            engagement=engagement,
            side=BOTH,
            title=f"{engagement.name}: the last day to give notice is {deadline:%-d %b %Y}.",
            url=contract_url(engagement.pk),
            level="danger",
        )
    if contract.has_long_renewal and deadline >= today:
        yield Due(
            kind=ReminderKind.LONG_RENEWAL,
            item=contract,
            due_on=deadline,
            engagement=engagement,
            side=Side.PRACTICE,
            title=f"{engagement.name}: renews automatically for {contract.renewal_term_months} months unless "
            f"notice is given by {deadline:%-d %b %Y}.",
            url=contract_url(engagement.pk),
            level="warning",
        )


@transaction.atomic
def attach_contract_document(contract: Contract, upload, *, by) -> Contract:
    """Keep the signed contract's PDF with the terms (a new upload replaces the previous file, which is deleted
    once the change is committed). The terms themselves do not change, so a signed contract accepts it."""
    contract = lock_contract(contract)  # the one lock order: its engagement, then the contract
    if contract.engagement.is_ended:
        raise DomainError("The engagement has ended; its contract is kept as it was.")
    previous = contract.document.name
    contract.document = upload
    contract.document_name = Path(upload.name).name[:200]
    try:
        contract.full_clean(exclude=[name for name in _field_names(contract) if name != "document"])
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="document") from None
    contract.save(update_fields=["document", "document_name", "updated_at"])
    if previous and previous != contract.document.name:
        storage = contract.document.storage
        transaction.on_commit(lambda: storage.delete(previous))
    return contract


def _field_names(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]
