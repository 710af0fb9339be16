"""Every change to SLA data that has a rule. Views, the API, tasks and commands call these."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import engagement_managers, engagements_for, is_portal_admin
from engagements.locking import lock_row
from engagements.notifications import notify
from slas import bulk, ingest, owed
from slas.choices import BreachStatus, IngestSource, RemediationStatus
from slas.models import (
    LIVE_PLAN_STATUSES,
    Breach,
    IngestBatch,
    Measurement,
    MeasurementCorrection,
    RemediationPlan,
    SLATarget,
)
from slas.webhooks import breach_payload, emit, plan_payload

# --- Targets ---------------------------------------------------------------------------------------------------------


def _require(user, engagement, permission: str, message: str) -> None:
    if not engagements_for(user, permission).filter(pk=engagement.pk).exists():
        raise DomainError(message)


@transaction.atomic
def save_target(target: SLATarget, *, by) -> SLATarget:
    """Create or change an SLA target. Only the practice side agrees targets."""
    _require(by, target.engagement, "manage_contract", "Only the practice's managers can set SLA targets.")
    if target.engagement.is_ended:
        raise DomainError("This engagement has ended; its targets are kept as they were.")
    try:
        target.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None
    if target.pk is None:
        target.created_by = by
    target.save()
    owed.owe_target(target)
    from slas.tasks import recompute_target

    owed.publish_after_commit(recompute_target, target.pk)
    return target


# --- Ingestion -------------------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    batch: IngestBatch
    created: int
    duplicates: int
    corrected: int

    @property
    def rows(self) -> int:
        return self.created + self.duplicates + self.corrected


def preview_measurements(records: list[dict], *, by, allow_corrections: bool = False) -> ingest.Plan:
    """Validate a batch without saving it (the UI's upload preview). Raises IngestRejected with every problem."""
    ingest.check_size(len(records))
    return ingest.plan(ingest.Validator(records, by).run(), allow_corrections=allow_corrections)


def ingest_measurements(
    records: list[dict], *, by, allow_corrections: bool = False, source: str = IngestSource.API
) -> IngestResult:
    """Store a batch of measurements all-or-nothing, then recompute the periods it touched (after commit).

    Raises TooManyRows (over 10,000 rows), IngestRejected (any bad row: nothing is written) or IngestConflict
    (a concurrent request stored the same external ids first: resend, and they count as duplicates).
    """
    ingest.check_size(len(records))
    rows = ingest.Validator(records, by).run()
    try:
        with transaction.atomic():
            work, batch = _write_all_new(rows, by=by, source=source)
            if batch is None:  # some external ids are stored already: duplicates, corrections or conflicts
                work = ingest.plan(rows, allow_corrections=allow_corrections)
                batch = _write(work, by=by, source=source)
    except IntegrityError:
        raise ingest.IngestConflict(
            "Another request stored some of these external ids at the same moment. Nothing from this request "
            "was saved; send it again and those rows will count as duplicates."
        ) from None
    from slas.tasks import recompute_batch

    owed.publish_after_commit(recompute_batch, batch.pk)
    return IngestResult(batch, len(work.new), work.duplicates, len(work.corrections))


def _write_all_new(rows: list[ingest.Row], *, by, source: str) -> tuple[ingest.Plan, IngestBatch | None]:
    """Most batches are new rows only: store them all as new, in a savepoint, and let the unique index's own
    probes (which the insert makes anyway) find any stored external id, instead of looking every id up first.
    One stored id fails the constraint; the savepoint rolls back and the batch is classified the long way
    (`ingest.plan`). At 20M rows the lookup was about 150 ms of a 10,000-row request (bench/README.md)."""
    work = ingest.Plan(rows=len(rows), engagement_ids={row.engagement_id for row in rows}, new=list(rows))
    try:
        with transaction.atomic():
            return work, _write(work, by=by, source=source)
    except IntegrityError:
        return work, None


def _write(work: ingest.Plan, *, by, source: str) -> IngestBatch:
    touched: dict[str, set[str]] = {}

    def touch(engagement_id, metric_id, day):
        touched.setdefault(f"{engagement_id}:{metric_id}", set()).add(day.isoformat())

    batch = IngestBatch.objects.create(
        source=source,
        submitted_by=by,
        row_count=work.rows,
        created_count=len(work.new),
        duplicate_count=work.duplicates,
        corrected_count=len(work.corrections),
    )
    owed.owe_batch(batch)
    bulk.insert_measurements(work.new, batch)
    for row in work.new:
        touch(row.engagement_id, row.metric.pk, row.date)
    corrected, replaced = [], []
    for measurement, row in work.corrections:
        replaced.append(
            MeasurementCorrection(
                measurement=measurement,
                batch=batch,
                replaced_batch_id=measurement.batch_id,
                metric_id=measurement.metric_id,
                service_line_id=measurement.service_line_id,
                agent_id=measurement.agent_id,
                date=measurement.date,
                numerator=measurement.numerator,
                denominator=measurement.denominator,
            )
        )
        touch(measurement.engagement_id, measurement.metric_id, measurement.date)  # the period it leaves
        touch(row.engagement_id, row.metric.pk, row.date)
        measurement.metric, measurement.service_line_id, measurement.agent_id = (
            row.metric,
            row.service_line_id,
            row.agent_id,
        )
        measurement.date, measurement.numerator, measurement.denominator = row.date, row.numerator, row.denominator
        measurement.batch = batch
        corrected.append(measurement)
    Measurement.objects.bulk_update(
        corrected, ["metric", "service_line", "agent", "date", "numerator", "denominator", "batch"], batch_size=2000
    )
    MeasurementCorrection.objects.bulk_create(replaced, batch_size=2000)  # the old values, kept with this batch
    batch.touched = {key: sorted(days) for key, days in touched.items()}
    if touched:
        batch.first_date = date.fromisoformat(min(min(days) for days in batch.touched.values()))
        batch.last_date = date.fromisoformat(max(max(days) for days in batch.touched.values()))
    batch.save(update_fields=["touched", "first_date", "last_date"])
    batch.engagements.set(work.engagement_ids)
    return batch


# --- Remediation -----------------------------------------------------------------------------------------------------


def _locked(plan: RemediationPlan) -> RemediationPlan:
    return lock_row(
        RemediationPlan, plan.pk, engagement="breach__target__engagement_id", related=("breach__target__engagement",)
    )


@transaction.atomic
def submit_remediation_plan(breach: Breach, *, by, actions: str, owner: str, due_on: date) -> RemediationPlan:
    """The provider answers a breach: what it will do, who owns it and by when."""
    breach = lock_row(Breach, breach.pk, engagement="target__engagement_id", related=("target__engagement",))
    engagement = breach.target.engagement
    _require(by, engagement, "answer_breaches", "Only the provider's managers can propose a remediation plan.")
    if breach.status == BreachStatus.CLOSED:
        raise DomainError("This breach is closed.")
    if breach.remediation_plans.filter(status__in=LIVE_PLAN_STATUSES).exists():
        raise DomainError("This breach already has a remediation plan in progress.")
    if not actions.strip() or not owner.strip():
        raise DomainError("Say what will be done and who owns it.", field="actions" if not actions.strip() else "owner")
    if due_on < timezone.localdate():
        raise DomainError("The due date cannot be in the past.", field="due_on")
    plan = RemediationPlan.objects.create(breach=breach, actions=actions, owner=owner, due_on=due_on, submitted_by=by)
    _tell_other_side(plan, by, f"Remediation plan proposed for {breach.target.metric} {breach.period_label}")
    emit("remediation.submitted", engagement, plan_payload(plan))
    return plan


@transaction.atomic
def decide_remediation_plan(plan: RemediationPlan, *, by, accept: bool, note: str = "") -> RemediationPlan:
    """The practice accepts or rejects a submitted plan. A rejection needs a reason the provider can act on."""
    plan = _locked(plan)
    _require(by, plan.breach.target.engagement, "manage_contract", "Only the practice's managers can decide on a plan.")
    if plan.status != RemediationStatus.SUBMITTED:
        raise DomainError(f"This plan is {plan.get_status_display().lower()}; only a submitted plan can be decided.")
    if not accept and not note.strip():
        raise DomainError("Say why the plan is rejected, so the provider can propose a better one.", field="note")
    plan.status = RemediationStatus.ACCEPTED if accept else RemediationStatus.REJECTED
    plan.decided_by, plan.decided_at, plan.decision_note = by, timezone.now(), note
    plan.save()
    _tell_other_side(plan, by, f"Remediation plan {plan.get_status_display().lower()}")
    emit("remediation.decided", plan.breach.target.engagement, plan_payload(plan))
    return plan


@transaction.atomic
def complete_remediation_plan(plan: RemediationPlan, *, by) -> RemediationPlan:
    """The provider reports an accepted plan carried out."""
    plan = _locked(plan)
    _require(
        by, plan.breach.target.engagement, "answer_breaches", "Only the provider's managers can report a plan done."
    )
    if plan.status != RemediationStatus.ACCEPTED:
        raise DomainError("Only an accepted plan can be reported done.")
    plan.status, plan.completed_at = RemediationStatus.DONE, timezone.now()
    plan.save(update_fields=["status", "completed_at"])
    _tell_other_side(plan, by, "Remediation plan reported done")
    return plan


@transaction.atomic
def close_remediation_plan(plan: RemediationPlan, *, by) -> RemediationPlan:
    """The practice confirms the work is done: the plan and its breach are closed."""
    plan = _locked(plan)
    _require(by, plan.breach.target.engagement, "manage_contract", "Only the practice's managers can close a plan.")
    if plan.status != RemediationStatus.DONE:
        raise DomainError("Only a plan reported done can be closed.")
    plan.status, plan.closed_at = RemediationStatus.CLOSED, timezone.now()
    plan.save(update_fields=["status", "closed_at"])
    Breach.objects.filter(pk=plan.breach_id).update(status=BreachStatus.CLOSED, resolved_at=plan.closed_at)
    emit("breach.resolved", plan.breach.target.engagement, breach_payload(plan.breach, status=BreachStatus.CLOSED))
    return plan


def _tell_other_side(plan: RemediationPlan, by, title: str) -> None:
    engagement = plan.breach.target.engagement
    membership_side = getattr(getattr(by, "membership", None), "side", None)
    recipients = engagement_managers(engagement).exclude(pk=by.pk)
    if membership_side and not is_portal_admin(by):
        recipients = recipients.exclude(**{f"membership__{membership_side}__isnull": False})
    notify(
        recipients,
        key=f"remediation:{plan.pk}:{plan.status}",
        title=f"{title} — {engagement.name}",
        body=f"{engagement}: {plan.actions[:300]}",
        url=plan.breach.get_absolute_url(),
        engagement=engagement,
    )
