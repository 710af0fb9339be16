"""The rules of responsibilities: the engagement's ladder, what a rung requires, granting and taking it away.

What a rung requires (`missing_for_rung`):
- to enter it (checked when a provider manager grants it): everything below, plus the previous rung held for the
  rung's W weeks and the rung's own target met — its metric over the agent's scored audits on the engagement of
  the last N days (default 28) whose scorecard is for the previous rung's service line or for no line at all (a
  general scorecard rates every kind of call); the first rung's target reads all the agent's audits there;
- to keep it (rechecked by the nightly job and whenever `prerequisites_changed` fires): the onboarding live, the
  rung's modules passed and not expired, the versions in force of its documents signed, and the previous rung
  still held. Hold time and targets are entry conditions: a dip below target afterwards is coaching work (the
  audits app), not a reason to take calls away.

A lapsed keep-condition suspends the grant (cause: prerequisite) and the suspension lifts by itself once it holds
again. A critical fail in an audit suspends the rung of the audit's scorecard line (a scorecard for no line: every
rung the agent holds there) until a provider manager reinstates it. Every step is kept as a ResponsibilityEvent.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from audits.choices import AuditStatus
from audits.models import QualityAudit
from bpo_portal.errors import DomainError
from engagements.access import engagements_for, is_portal_admin
from engagements.locking import lock_engagement
from engagements.models import ServiceLine
from engagements.services import webhooks
from onboarding import evidence
from onboarding.choices import ResponsibilityAction, ResponsibilityStatus, RungMetric, SuspensionCause
from onboarding.models import Ladder, Onboarding, Responsibility, ResponsibilityEvent, Rung

# The default ladder, by ServiceLine code: simple work first, revenue-cycle work as the agent proves themselves.
DEFAULT_ORDER = ("scheduling", "customer_service", "insurance_verification", "claims", "billing")
DEFAULT_TARGET = (RungMetric.QUALITY_SCORE, 90)  # on every rung after the first

# --- Who may do what -------------------------------------------------------------------------------------------


def may_edit_ladder(user, engagement) -> bool:
    """Either side's managers set the ladder (a practice may ask more of the assistants who work its account)."""
    return engagements_for(user, "change").filter(pk=engagement.pk).exists()


def may_grant(user, engagement) -> bool:
    """Grants, revocations and reinstatements are the provider's managers' work (and portal admins')."""
    return is_portal_admin(user) or engagements_for(user, "assign_agents").filter(pk=engagement.pk).exists()


def _require_ladder_editor(user, engagement):
    if not may_edit_ladder(user, engagement):
        raise PermissionDenied("Only the engagement's managers change its ladder.")


def _require_granter(user, engagement):
    if not may_grant(user, engagement):
        raise PermissionDenied("Only the provider's managers grant, revoke or reinstate responsibilities.")


# --- The ladder ------------------------------------------------------------------------------------------------


def default_lines(engagement) -> list[ServiceLine]:
    """The default order, narrowed to the engagement's scope when it has one (its other scoped lines follow in
    catalogue order, so nothing in scope is left off)."""
    by_code = {line.code: line for line in ServiceLine.objects.all()}
    defaults = [by_code[code] for code in DEFAULT_ORDER if code in by_code]
    scope = list(engagement.service_lines.all())
    if not scope:
        return defaults
    in_scope = {line.pk for line in scope}
    return [line for line in defaults if line.pk in in_scope] + [line for line in scope if line not in defaults]


def lines_allowed(engagement):
    """The lines a rung may be: the engagement's scope, or the whole catalogue while its scope is empty."""
    scope = engagement.service_lines.all()
    return scope if scope.exists() else ServiceLine.objects.all()


@transaction.atomic
def create_default_ladder(engagement, *, by) -> Ladder:
    """The engagement's ladder with the default rungs (each after the first: 4 weeks on the previous one and a
    quality score of at least 90 on its audits over 28 days). Refused when it already has rungs."""
    _require_ladder_editor(by, engagement)
    lock_engagement(engagement)
    ladder, _ = Ladder.objects.get_or_create(engagement=engagement, defaults={"updated_by": by})
    if ladder.rungs.exists():
        raise DomainError("The engagement already has a ladder; change its rungs instead.")
    metric, threshold = DEFAULT_TARGET
    for position, line in enumerate(default_lines(engagement), start=1):
        first = position == 1
        Rung.objects.create(
            ladder=ladder,
            service_line=line,
            position=position,
            hold_weeks=0 if first else 4,
            target_metric="" if first else metric,
            target_threshold=None if first else threshold,
        )
    ladder.updated_by = by
    ladder.save(update_fields=["updated_by", "updated_at"])
    return ladder


def _check_rung(rung: Rung) -> None:
    engagement = rung.ladder.engagement
    if not lines_allowed(engagement).filter(pk=rung.service_line_id).exists():
        raise DomainError(f"{rung.service_line} is not in the engagement's scope.", field="service_line")
    if rung.ladder.rungs.exclude(pk=rung.pk).filter(service_line_id=rung.service_line_id).exists():
        raise DomainError(f"{rung.service_line} is already on the ladder.", field="service_line")
    if rung.target_metric and rung.target_threshold is None:
        raise DomainError("A target needs its threshold.", field="target_threshold")
    if not rung.target_metric:
        rung.target_threshold = None


def _check_prerequisite_owners(engagement, modules, documents) -> None:
    """A rung may require the provider's library and the practice's own modules, and the engagement's or the
    provider's documents — nothing of another tenant."""
    for module in modules or ():
        if module.provider_id not in (None, engagement.provider_id) or module.practice_id not in (
            None,
            engagement.practice_id,
        ):
            raise DomainError(f"“{module}” is not a module of this engagement's provider or practice.", field="modules")
    for document in documents or ():
        if document.engagement_id not in (None, engagement.pk) or document.provider_id not in (
            None,
            engagement.provider_id,
        ):
            raise DomainError(f"“{document}” is not a document of this engagement.", field="documents")


@transaction.atomic
def add_rung(engagement, *, by, service_line, modules=(), documents=(), **fields) -> Rung:
    """Add a service line at the top of the engagement's ladder."""
    _require_ladder_editor(by, engagement)
    lock_engagement(engagement)
    ladder, _ = Ladder.objects.get_or_create(engagement=engagement, defaults={"updated_by": by})
    position = (ladder.rungs.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    rung = Rung(ladder=ladder, service_line=service_line, position=position, **fields)
    _check_rung(rung)
    _check_prerequisite_owners(engagement, modules, documents)
    rung.save()
    rung.modules.set(modules)
    rung.documents.set(documents)
    Ladder.objects.filter(pk=ladder.pk).update(updated_by=by, updated_at=timezone.now())
    return rung


EDITABLE = ("service_line", "hold_weeks", "target_metric", "target_threshold", "target_days")


@transaction.atomic
def update_rung(rung: Rung, *, by, modules=None, documents=None, **fields) -> Rung:
    """Change what a rung requires. Agents who hold it keep it; the change counts from their next grant (and a
    lapse of the new modules or documents suspends it at the next recheck)."""
    engagement = rung.ladder.engagement
    _require_ladder_editor(by, engagement)
    lock_engagement(engagement)
    rung = Rung.objects.select_related("ladder__engagement").get(pk=rung.pk)
    for name, value in fields.items():
        if name not in EDITABLE:
            raise DomainError(f"“{name}” cannot be changed here.")
        if name == "service_line" and value != rung.service_line and rung.responsibilities.exists():
            raise DomainError("Agents have been granted this rung; add a new one rather than change its line.")
        setattr(rung, name, value)
    _check_rung(rung)
    _check_prerequisite_owners(engagement, modules, documents)
    rung.save()
    if modules is not None:
        rung.modules.set(modules)
    if documents is not None:
        rung.documents.set(documents)
    Ladder.objects.filter(pk=rung.ladder_id).update(updated_by=by, updated_at=timezone.now())
    recheck_engagement(engagement)
    return rung


@transaction.atomic
def remove_rung(rung: Rung, *, by) -> None:
    """Take a line off the ladder: only one nobody has ever been granted (grants are history)."""
    engagement = rung.ladder.engagement
    _require_ladder_editor(by, engagement)
    lock_engagement(engagement)
    if rung.responsibilities.exists():
        raise DomainError(f"Agents have been granted {rung.service_line}; it stays on the ladder.")
    ladder = rung.ladder
    rung.delete()
    for position, remaining in enumerate(ladder.rungs.order_by("position", "pk"), start=1):
        if remaining.position != position:
            Rung.objects.filter(pk=remaining.pk).update(position=position)


@transaction.atomic
def move_rung(rung: Rung, *, by, up: bool) -> Rung:
    """Swap a rung with its neighbour (an agent's existing grants stay as they are)."""
    engagement = rung.ladder.engagement
    _require_ladder_editor(by, engagement)
    lock_engagement(engagement)
    neighbours = rung.ladder.rungs.exclude(pk=rung.pk)
    other = (
        neighbours.filter(position__lt=rung.position).order_by("-position").first()
        if up
        else neighbours.filter(position__gt=rung.position).order_by("position").first()
    )
    if other is None:
        raise DomainError("That rung is already at the " + ("bottom." if up else "top."))
    Rung.objects.filter(pk=rung.pk).update(position=other.position)
    Rung.objects.filter(pk=other.pk).update(position=rung.position)
    rung.refresh_from_db()
    return rung


def rungs_of(engagement) -> list[Rung]:
    return list(
        Rung.objects.filter(ladder__engagement=engagement)
        .select_related("service_line")
        .prefetch_related("modules", "documents")
        .order_by("position", "pk")
    )


# --- What a rung requires --------------------------------------------------------------------------------------


@dataclass
class Evidence:
    """What holds for a set of agents on one engagement, read once for lists (a fixed number of queries)."""

    rungs: list
    modules: dict  # agent id → current module ids
    signed: dict  # agent id → signed document ids
    versions: dict  # document id → version id in force
    grants: dict  # (agent id, rung id) → Responsibility
    audits: dict  # (agent id, service line id or None) → {"n", "avg", "passed"}
    on: date


def _previous(rungs, rung):
    before = [other for other in rungs if other.position < rung.position]
    return before[-1] if before else None


def gather(engagement, agent_ids, rungs=None, on: date | None = None) -> Evidence:
    on = on or timezone.localdate()
    agent_ids = list(agent_ids)
    rungs = rungs if rungs is not None else rungs_of(engagement)
    document_ids = {document.pk for rung in rungs for document in rung.documents.all()}
    grants = {
        (grant.agent_id, grant.rung_id): grant
        for grant in Responsibility.objects.filter(engagement=engagement, agent_id__in=agent_ids)
    }
    longest = max((rung.target_days for rung in rungs if rung.has_target), default=0)
    audits = {}
    if longest:
        rows = (
            QualityAudit.objects.filter(
                engagement=engagement,
                agent_id__in=agent_ids,
                status__in=AuditStatus.scored(),
                is_calibration=False,
                interaction_date__gt=on - timedelta(days=longest),
                interaction_date__lte=on,
            )
            .values("agent_id", "version__scorecard__service_line_id", "interaction_date")
            .annotate(n=Count("pk"), total=Avg("score"), passed=Count("pk", filter=Q(passed=True)))
        )
        for row in rows:
            key = (row["agent_id"], row["version__scorecard__service_line_id"])
            audits.setdefault(key, []).append((row["interaction_date"], row["n"], row["total"], row["passed"]))
    return Evidence(
        rungs=rungs,
        modules=evidence.current_modules(agent_ids, on),
        signed=evidence.signed_documents(agent_ids, document_ids, on) if document_ids else {},
        versions=evidence.current_versions(document_ids, on) if document_ids else {},
        grants=grants,
        audits=audits,
        on=on,
    )


def _target_result(found: Evidence, agent_id: int, rung: Rung, previous) -> tuple[int, float | None]:
    """(audits counted, the metric's value) over the rung's window, on the previous rung's line (or any line, on
    the first rung) and on general scorecards."""
    since = found.on - timedelta(days=rung.target_days)
    lines = {previous.service_line_id, None} if previous else None
    n = passed = 0
    total = 0.0
    for (agent, line), days in found.audits.items():
        if agent != agent_id or (lines is not None and line not in lines):
            continue
        for day, count, average, passes in days:
            if day > since:
                n, passed, total = n + count, passed + passes, total + float(average or 0) * count
    if not n:
        return 0, None
    return n, (total / n if rung.target_metric == RungMetric.QUALITY_SCORE else 100.0 * passed / n)


def keep_missing(onboarding, rung: Rung, found: Evidence) -> list[str]:
    """What keeps the agent from holding `rung` now (the conditions that, lapsing, suspend it)."""
    missing = []
    if not onboarding.is_live:
        missing.append(f"The onboarding is at {onboarding.get_stage_display()}, not live.")
    modules = found.modules.get(onboarding.agent_id, set())
    for module in rung.modules.all():
        if module.pk not in modules:
            missing.append(f"Module “{module}” not passed or expired.")
    signed = found.signed.get(onboarding.agent_id, set())
    for document in rung.documents.all():
        if document.pk not in found.versions:
            missing.append(f"Document “{document}” has no version in force yet.")
        elif document.pk not in signed:
            missing.append(f"Document “{document}”: the version in force is not signed.")
    previous = _previous(found.rungs, rung)
    if previous is not None:
        grant = found.grants.get((onboarding.agent_id, previous.pk))
        if grant is None or not grant.is_held:
            state = "not held" if grant is None or grant.status == ResponsibilityStatus.REVOKED else "suspended"
            missing.append(f"The previous rung, {previous.service_line}, is {state}.")
    return missing


def entry_missing(onboarding, rung: Rung, found: Evidence) -> list[str]:
    """What keeps the agent from being granted `rung`: the keep-conditions, hold time and the target."""
    missing = keep_missing(onboarding, rung, found)
    previous = _previous(found.rungs, rung)
    if previous is not None and rung.hold_weeks:
        grant = found.grants.get((onboarding.agent_id, previous.pk))
        if grant is not None and grant.is_held:
            held_since = timezone.localdate(grant.granted_at)
            weeks_due = held_since + timedelta(weeks=rung.hold_weeks)
            if weeks_due > found.on:
                missing.append(
                    f"{previous.service_line} held since {held_since:%Y-%m-%d}; {rung.hold_weeks} weeks are needed "
                    f"(from {weeks_due:%Y-%m-%d})."
                )
    if rung.has_target:
        n, value = _target_result(found, onboarding.agent_id, rung, previous)
        where = f"on {previous.service_line}" if previous else "on the engagement"
        wanted = f"{rung.get_target_metric_display().lower()} ≥ {rung.target_threshold.normalize():f}"
        if value is None:
            missing.append(f"No audits {where} in the last {rung.target_days} days ({wanted} needed).")
        elif value < float(rung.target_threshold):
            missing.append(
                f"{rung.get_target_metric_display()} {value:.1f} over {n} audit{'s' if n != 1 else ''} {where} "
                f"in the last {rung.target_days} days; {wanted} needed."
            )
    return missing


def missing_for_rung(onboarding, rung: Rung, on: date | None = None) -> list[str]:
    """Everything that keeps the agent of `onboarding` from being granted `rung` on `on` (today): an empty list
    means a provider manager may grant it."""
    found = gather(onboarding.engagement, [onboarding.agent_id], rungs_of(onboarding.engagement), on)
    rung = next((candidate for candidate in found.rungs if candidate.pk == rung.pk), rung)
    return entry_missing(onboarding, rung, found)


# --- Granting and taking away ----------------------------------------------------------------------------------


def _record(grant, action, *, by=None, reason="", audit=None, at=None) -> ResponsibilityEvent:
    return ResponsibilityEvent.objects.create(
        responsibility=grant, action=action, by=by, reason=reason, audit=audit, at=at or timezone.now()
    )


def _onboarding_of(grant: Responsibility):
    return Onboarding.objects.filter(agent_id=grant.agent_id, engagement_id=grant.engagement_id).first()


@transaction.atomic
def grant(onboarding, rung: Rung, *, by, on: date | None = None) -> Responsibility:
    """A provider manager grants a rung: only when nothing is missing (the refusal says what is)."""
    engagement = onboarding.engagement
    _require_granter(by, engagement)
    lock_engagement(engagement)
    if rung.ladder.engagement_id != engagement.pk:
        raise DomainError("That rung is not on this engagement's ladder.")
    existing = Responsibility.objects.filter(agent_id=onboarding.agent_id, rung=rung).first()
    if existing is not None and existing.status != ResponsibilityStatus.REVOKED:
        raise DomainError(f"{onboarding.agent} already has {rung.service_line} ({existing.get_status_display()}).")
    missing = missing_for_rung(onboarding, rung, on)
    if missing:
        raise DomainError(f"{rung.service_line} cannot be granted yet: " + " ".join(missing))
    now = timezone.now()
    responsibility = existing or Responsibility(agent_id=onboarding.agent_id, engagement=engagement, rung=rung)
    responsibility.status, responsibility.granted_at, responsibility.granted_by = ResponsibilityStatus.HELD, now, by
    responsibility.suspended_at, responsibility.suspension_cause, responsibility.suspension_reason = None, "", ""
    responsibility.suspended_audit = None
    responsibility.revoked_at, responsibility.revoked_by, responsibility.revoke_reason = None, None, ""
    responsibility.save()
    _record(responsibility, ResponsibilityAction.GRANTED, by=by, at=now)
    return responsibility


@transaction.atomic
def revoke(responsibility: Responsibility, *, by, reason: str) -> Responsibility:
    _require_granter(by, responsibility.engagement)
    if not (reason or "").strip():
        raise DomainError("Say why the responsibility is revoked.", field="reason")
    lock_engagement(responsibility.engagement_id)
    responsibility = Responsibility.objects.select_related("rung__service_line").get(pk=responsibility.pk)
    if responsibility.status == ResponsibilityStatus.REVOKED:
        raise DomainError("This responsibility is already revoked.")
    now = timezone.now()
    responsibility.status, responsibility.revoked_at, responsibility.revoked_by = ResponsibilityStatus.REVOKED, now, by
    responsibility.revoke_reason = reason.strip()
    responsibility.save()
    _record(responsibility, ResponsibilityAction.REVOKED, by=by, reason=reason.strip(), at=now)
    recheck_agent(responsibility.agent, responsibility.engagement)  # what stands on it follows at once
    return responsibility


def suspend(responsibility: Responsibility, *, cause: str, reason: str, audit=None) -> bool:
    """Suspend a held grant (or turn a prerequisite suspension into a critical-fail one). Automatic: nobody's
    decision, so no `by`. Returns whether anything changed; tells webhooks `responsibility.suspended`."""
    if responsibility.status == ResponsibilityStatus.REVOKED:
        return False
    if responsibility.is_suspended and (
        responsibility.suspension_cause == SuspensionCause.CRITICAL_FAIL or cause == SuspensionCause.PREREQUISITE
    ):
        return False
    now = timezone.now()
    responsibility.status, responsibility.suspended_at = ResponsibilityStatus.SUSPENDED, now
    responsibility.suspension_cause, responsibility.suspension_reason = cause, reason
    responsibility.suspended_audit = audit
    responsibility.save()
    _record(responsibility, ResponsibilityAction.SUSPENDED, reason=reason, audit=audit, at=now)
    webhooks.emit(
        "responsibility.suspended",
        responsibility.engagement,
        {
            "responsibility": responsibility.pk,
            "agent": responsibility.agent_id,
            "service_line": responsibility.rung.service_line.code,
            "cause": cause,
            "reason": reason,
            "audit": audit.pk if audit else None,
        },
    )
    return True


def _lift(responsibility: Responsibility) -> None:
    responsibility.status, responsibility.suspended_at = ResponsibilityStatus.HELD, None
    responsibility.suspension_cause, responsibility.suspension_reason = "", ""
    responsibility.save()
    _record(responsibility, ResponsibilityAction.LIFTED, reason="Its prerequisites hold again.")


@transaction.atomic
def reinstate(responsibility: Responsibility, *, by, note: str = "", on: date | None = None) -> Responsibility:
    """A provider manager lifts a suspension (the only way out of a critical-fail one) — when the rung's
    prerequisites hold again; otherwise the refusal says what is still missing."""
    _require_granter(by, responsibility.engagement)
    lock_engagement(responsibility.engagement_id)
    responsibility = Responsibility.objects.select_related("rung__service_line", "engagement").get(pk=responsibility.pk)
    if not responsibility.is_suspended:
        raise DomainError("Only a suspended responsibility is reinstated.")
    onboarding = _onboarding_of(responsibility)
    found = gather(responsibility.engagement, [responsibility.agent_id], on=on)
    rung = next(rung for rung in found.rungs if rung.pk == responsibility.rung_id)
    missing = keep_missing(onboarding, rung, found) if onboarding else ["The agent has no onboarding here."]
    if missing:
        raise DomainError("It cannot be reinstated yet: " + " ".join(missing))
    now = timezone.now()
    responsibility.status = ResponsibilityStatus.HELD
    responsibility.reinstated_at, responsibility.reinstated_by = now, by
    responsibility.suspended_at, responsibility.suspension_cause, responsibility.suspension_reason = None, "", ""
    responsibility.save()
    _record(responsibility, ResponsibilityAction.REINSTATED, by=by, reason=(note or "").strip(), at=now)
    recheck_agent(responsibility.agent, responsibility.engagement)  # what stands on it follows at once
    return responsibility


# --- Automatic rechecks ----------------------------------------------------------------------------------------


@transaction.atomic
def recheck_agent(agent, engagement=None, on: date | None = None) -> int:
    """Suspend the agent's held grants whose keep-conditions lapsed and lift the prerequisite suspensions whose
    conditions hold again, rung by rung up the ladder (so a lapse below carries upwards in one pass). Changes
    nothing when nothing changed: safe to run any number of times. Returns how many grants changed."""
    grants = Responsibility.objects.in_force().filter(agent=agent)
    if engagement is not None:
        grants = grants.filter(engagement=engagement)
    changed = 0
    for engagement_id in sorted(set(grants.values_list("engagement_id", flat=True))):
        changed += _recheck_on(agent, lock_engagement(engagement_id), on)
    return changed


def _recheck_on(agent, engagement, on) -> int:
    onboarding = Onboarding.objects.filter(agent=agent, engagement=engagement).first()
    found = gather(engagement, [agent.pk], on=on)
    changed = 0
    for rung in found.rungs:
        grant = found.grants.get((agent.pk, rung.pk))
        if grant is None or grant.status == ResponsibilityStatus.REVOKED:
            continue
        missing = keep_missing(onboarding, rung, found) if onboarding else ["The agent has no onboarding here."]
        if missing and grant.is_held:
            grant.rung = rung
            changed += suspend(grant, cause=SuspensionCause.PREREQUISITE, reason=" ".join(missing))
        elif not missing and grant.is_suspended and grant.suspension_cause == SuspensionCause.PREREQUISITE:
            _lift(grant)
            changed += 1
    return changed


def recheck_engagement(engagement, on: date | None = None) -> int:
    from engagements.models import Agent

    agent_ids = Responsibility.objects.in_force().filter(engagement=engagement).values("agent_id")
    return sum(recheck_agent(agent, engagement, on) for agent in Agent.objects.filter(pk__in=agent_ids))


def recheck_all(on: date | None = None) -> int:
    """The nightly job: every agent with a grant in force, on every engagement (expiries happen by date)."""
    from engagements.models import Agent

    agent_ids = Responsibility.objects.in_force().values("agent_id")
    return sum(recheck_agent(agent, on=on) for agent in Agent.objects.filter(pk__in=agent_ids).order_by("pk"))


@transaction.atomic
def suspend_for_critical_fail(audit) -> int:
    """A submitted audit with a critical item failed suspends the rung of its scorecard's line (a general
    scorecard: every rung the agent holds on the engagement) until a provider manager reinstates it. Each audit
    suspends once, however often it is saved."""
    if not audit.critical_failed or audit.is_calibration or audit.status not in AuditStatus.scored():
        return 0
    line_id = QualityAudit.objects.filter(pk=audit.pk).values_list("version__scorecard__service_line_id", flat=True)
    line_id = line_id.first()
    grants = Responsibility.objects.in_force().filter(agent_id=audit.agent_id, engagement_id=audit.engagement_id)
    if line_id is not None:
        grants = grants.filter(rung__service_line_id=line_id)
    grants = grants.exclude(events__audit=audit).select_related("rung__service_line", "engagement")
    reason = f"Critical fail in audit #{audit.pk} of {audit.interaction_date:%Y-%m-%d} ({audit.interaction_ref})."
    changed = 0
    for responsibility in grants:
        if suspend(responsibility, cause=SuspensionCause.CRITICAL_FAIL, reason=reason, audit=audit):
            changed += 1
        else:  # already suspended for a critical fail: keep the audit in its history all the same
            _record(responsibility, ResponsibilityAction.SUSPENDED, reason=reason, audit=audit)
    if changed:  # the rungs above stand on the suspended one
        from engagements.models import Agent

        changed += recheck_agent(Agent.objects.get(pk=audit.agent_id), audit.engagement)
    return changed


# --- Reads for pages and the routing API -----------------------------------------------------------------------


@dataclass(frozen=True)
class LineState:
    """One agent's standing on one rung: may they work it now, and if not, why."""

    rung: Rung
    state: str  # held, suspended, eligible, missing, revoked
    grant: Responsibility | None
    reasons: tuple[str, ...]

    @property
    def may_work(self) -> bool:
        return self.state == "held"


def line_states(engagement, onboardings, rungs=None, on: date | None = None) -> dict[int, list[LineState]]:
    """{onboarding id: [LineState per rung]} for many onboardings at once (a fixed number of queries)."""
    onboardings = list(onboardings)
    found = gather(engagement, [o.agent_id for o in onboardings], rungs, on)
    result = {}
    for onboarding in onboardings:
        states = []
        for rung in found.rungs:
            grant = found.grants.get((onboarding.agent_id, rung.pk))
            states.append(_state(onboarding, rung, grant, found))
        result[onboarding.pk] = states
    return result


def _state(onboarding, rung, grant, found) -> LineState:
    if grant is not None and grant.is_held:
        missing = keep_missing(onboarding, rung, found)
        # held but lapsed (the recheck has not run yet): it does not count as workable
        return LineState(rung, "held" if not missing else "suspended", grant, tuple(missing))
    if grant is not None and grant.is_suspended:
        return LineState(rung, "suspended", grant, (grant.suspension_reason,))
    missing = entry_missing(onboarding, rung, found)
    revoked = grant is not None and grant.status == ResponsibilityStatus.REVOKED
    if revoked:
        return LineState(rung, "revoked", grant, (f"Revoked: {grant.revoke_reason}", *missing))
    return LineState(rung, "missing" if missing else "eligible", None, tuple(missing))


def routable_agents(engagement, service_line, on: date | None = None):
    """The agents who may work `service_line` on `engagement` now: granted it, not suspended, live, and its
    keep-conditions holding at this moment (so a lapse counts even before the recheck has written it)."""
    rungs = rungs_of(engagement)
    rung = next((r for r in rungs if r.service_line_id == service_line.pk), None)
    if rung is None:
        return []
    onboardings = list(
        Onboarding.objects.filter(
            engagement=engagement,
            agent__responsibilities__rung=rung,
            agent__responsibilities__status=ResponsibilityStatus.HELD,
        ).select_related("agent")
    )
    states = line_states(engagement, onboardings, rungs, on)
    by_rung = defaultdict(list)
    for onboarding in onboardings:
        state = next(s for s in states[onboarding.pk] if s.rung.pk == rung.pk)
        if state.may_work:
            by_rung[rung.pk].append((onboarding, state.grant))
    return by_rung[rung.pk]
