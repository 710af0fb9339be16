"""Training's rules: modules and their quizzes, curricula, quiz attempts graded by the server, completions (quiz,
mock call, trainer, LMS) with their expiry, renewal reminders, and the ramp gate.

Every change that alters what an agent holds sends `onboarding.signals.prerequisites_changed`."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import engagements_for, is_portal_admin, membership_of
from engagements.choices import Role
from engagements.locking import lock_row
from onboarding.choices import (
    TRAINING_RENEWAL_DUE,
    AssessmentMethod,
    CompletionSource,
    CompletionStatus,
    ModuleKind,
    PrivacyLaw,
)
from onboarding.models import (
    Choice,
    Curriculum,
    CurriculumItem,
    ModuleAssessment,
    ModuleAttachment,
    Question,
    QuizAttempt,
    StaffTrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from onboarding.models.training_content import engagements_of_agent
from onboarding.signals import prerequisites_changed

# Modules whose completion lapses after a year unless the module says otherwise.
DEFAULT_RENEWAL_MONTHS = {ModuleKind.PRIVACY_LAW: 12, ModuleKind.DATA_SECURITY: 12}
# Reminders go this many days before a completion expires; a completion this close is "due for renewal".
REMINDER_DAYS = (30, 7)
EXPIRING_DAYS = max(REMINDER_DAYS)
# Where GDPR applies: the European Economic Area (EU members, Iceland, Liechtenstein, Norway).
GDPR_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()  # noqa: SIM905
)
SIGNAL_SENDER = "onboarding.training"


def _today() -> date:
    return timezone.localdate()


def _signal(agent, cause: str) -> None:
    if agent is not None:
        prerequisites_changed.send(sender=SIGNAL_SENDER, agent=agent, engagement=None, cause=cause)


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


# --- Dates ------------------------------------------------------------------------------------------------------------


def expires_on(passed_on: date, renewal_months: int | None) -> date | None:
    """The day a completion stops counting: `renewal_months` calendar months after it was passed (31 January + 1
    month = 28 or 29 February), or never."""
    if not renewal_months:
        return None
    return passed_on + relativedelta(months=renewal_months)


def completion_status(completion, today: date) -> str:
    """Current, due for renewal (its last EXPIRING_DAYS days) or expired (from its expiry date on)."""
    if completion is None:
        return CompletionStatus.NOT_STARTED
    if completion.expires_on is None or completion.expires_on > today + timedelta(days=EXPIRING_DAYS):
        return CompletionStatus.CURRENT
    if completion.expires_on > today:
        return CompletionStatus.EXPIRING
    return CompletionStatus.EXPIRED


def default_renewal_months(kind: str) -> int | None:
    return DEFAULT_RENEWAL_MONTHS.get(kind)


# --- Privacy law ------------------------------------------------------------------------------------------------------


def privacy_law_for(practice) -> str:
    """The privacy law an agent of this practice is trained in. A practice has no country of its own; its locations
    do. GDPR when its locations are in the European Economic Area (all of them, or a majority), HIPAA otherwise —
    a practice in the United States, one with no location recorded yet (a location's country defaults to the US)."""
    countries = [str(code) for code in practice.locations.values_list("country", flat=True)]
    in_eea = sum(code in GDPR_COUNTRIES for code in countries)
    return PrivacyLaw.GDPR if countries and in_eea * 2 > len(countries) else PrivacyLaw.HIPAA


# --- Who may do what --------------------------------------------------------------------------------------------------


def _may_change_module(module, by) -> bool:
    return TrainingModule.objects.for_user(by, "change").filter(pk=module.pk).exists()


def _require_module_change(module, by) -> None:
    if not _may_change_module(module, by):
        raise PermissionDenied("Only the managers of the module's owner change it.")


def may_train(user, agent) -> bool:
    """Trainers are the agent's provider's managers (and portal admins)."""
    membership = membership_of(user)
    return is_portal_admin(user) or bool(
        membership and membership.manages_provider and membership.provider_id == agent.provider_id
    )


def may_record_anywhere(user) -> bool:
    """Who may try to record a completion at all: managers and integrations (the service checks the agent)."""
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and membership.role in (Role.MANAGER, Role.INTEGRATION))


def agent_of(user):
    membership = membership_of(user)
    return membership.agent if membership and membership.is_agent else None


# --- Modules ----------------------------------------------------------------------------------------------------------


MODULE_FIELDS = ("title", "kind", "material", "pass_mark", "max_attempts", "renewal_months")


@transaction.atomic
def create_module(*, by, method=AssessmentMethod.QUIZ, privacy_law="", **fields) -> TrainingModule:
    """A module in the creator's side's library: a provider manager's provider, a practice manager's practice."""
    membership = membership_of(by)
    if membership is None or membership.role != Role.MANAGER:
        raise PermissionDenied("Only a provider's or a practice's managers create training modules.")
    if membership.provider_id:
        owner = {"provider_id": membership.provider_id}
    else:
        owner = {"practice_id": membership.practice_id}
    module = TrainingModule(created_by=by, **owner, **{k: v for k, v in fields.items() if k in MODULE_FIELDS})
    if "renewal_months" not in fields:
        module.renewal_months = default_renewal_months(module.kind)
    _full_clean(module)
    module.save()
    _save_assessment(module, method, privacy_law)
    return module


@transaction.atomic
def update_module(module, *, by, method=None, privacy_law=None, **fields) -> TrainingModule:
    module = TrainingModule.objects.select_for_update().get(pk=module.pk)
    _require_module_change(module, by)
    for name, value in fields.items():
        if name in MODULE_FIELDS:
            setattr(module, name, value)
    _full_clean(module)
    module.save()
    current = assessment_of(module)
    _save_assessment(module, method or current.method, current.privacy_law if privacy_law is None else privacy_law)
    return module


def _save_assessment(module, method, privacy_law) -> None:
    if module.kind == ModuleKind.PRIVACY_LAW and not privacy_law:
        raise DomainError("Say which privacy law the module teaches: HIPAA or GDPR.", field="privacy_law")
    if module.kind != ModuleKind.PRIVACY_LAW:
        privacy_law = ""
    ModuleAssessment.objects.update_or_create(module=module, defaults={"method": method, "privacy_law": privacy_law})


def assessment_of(module) -> ModuleAssessment:
    try:
        return module.assessment
    except ModuleAssessment.DoesNotExist:
        return ModuleAssessment(module=module)


@transaction.atomic
def add_attachment(module, upload, *, by) -> ModuleAttachment:
    _require_module_change(module, by)
    if not upload:
        raise DomainError("Choose a file to upload.", field="file")
    attachment = ModuleAttachment(module=module, file=upload, name=Path(upload.name).name[:200], uploaded_by=by)
    _full_clean(attachment)
    attachment.save()
    return attachment


@transaction.atomic
def delete_attachment(attachment, *, by) -> None:
    _require_module_change(attachment.module, by)
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def add_question(module, *, text: str, choices: list[tuple[str, bool]], by) -> Question:
    """A question with its choices: at least two, at least one of them correct."""
    _require_module_change(module, by)
    text = (text or "").strip()
    choices = [(label.strip(), bool(correct)) for label, correct in choices if label and label.strip()]
    if not text:
        raise DomainError("Write the question.", field="text")
    if len(choices) < 2:
        raise DomainError("Give the question at least two choices.", field="choices")
    if not any(correct for _, correct in choices):
        raise DomainError("Mark at least one choice as correct.", field="choices")
    position = (module.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    question = Question.objects.create(module=module, text=text, position=position)
    Choice.objects.bulk_create(
        Choice(question=question, text=label, is_correct=correct, position=index)
        for index, (label, correct) in enumerate(choices, start=1)
    )
    return question


@transaction.atomic
def delete_question(question, *, by) -> None:
    _require_module_change(question.module, by)
    question.delete()


# --- Curricula --------------------------------------------------------------------------------------------------------


def _require_curriculum_change(engagement, by) -> None:
    if not engagements_for(by, "change").filter(pk=engagement.pk).exists():
        raise PermissionDenied("Only the engagement's managers change its curriculum.")


def curriculum_of(engagement) -> Curriculum:
    curriculum, _ = Curriculum.objects.get_or_create(engagement=engagement)
    return curriculum


def modules_for_curriculum(engagement):
    """The modules an engagement's curriculum may use: its provider's library and its practice's own."""
    return TrainingModule.objects.filter(
        Q(provider_id=engagement.provider_id) | Q(practice_id=engagement.practice_id)
    ).select_related("assessment")


@transaction.atomic
def add_to_curriculum(engagement, module, *, by, required=True, scorecard=None) -> CurriculumItem:
    _require_curriculum_change(engagement, by)
    if not modules_for_curriculum(engagement).filter(pk=module.pk).exists():
        raise DomainError("Choose a module of the provider's library or of the practice's own.", field="module")
    if module.kind == ModuleKind.PRIVACY_LAW:
        law, taught = privacy_law_for(engagement.practice), assessment_of(module).privacy_law
        if taught != law:
            raise DomainError(
                f"{engagement.practice} is trained in {PrivacyLaw(law).label}; this module teaches "
                f"{PrivacyLaw(taught).label if taught else 'no law'}. Add a {PrivacyLaw(law).label} module.",
                field="module",
            )
    if scorecard is not None and scorecard.engagement_id != engagement.pk:
        raise DomainError("Choose one of the engagement's scorecards.", field="scorecard")
    curriculum = lock_row(Curriculum, curriculum_of(engagement).pk, engagement="engagement_id")
    if curriculum.items.filter(module=module).exists():
        raise DomainError("This module is already in the curriculum.", field="module")
    position = (curriculum.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = CurriculumItem.objects.create(
        curriculum=curriculum, module=module, position=position, required=required, scorecard=scorecard
    )
    curriculum.updated_by = by
    curriculum.save(update_fields=["updated_by", "updated_at"])
    _signal_engagement_agents(engagement, "curriculum_changed")
    return item


@transaction.atomic
def remove_from_curriculum(item, *, by) -> None:
    engagement = item.curriculum.engagement
    _require_curriculum_change(engagement, by)
    item.delete()
    _signal_engagement_agents(engagement, "curriculum_changed")


@transaction.atomic
def set_required(item, required: bool, *, by) -> CurriculumItem:
    _require_curriculum_change(item.curriculum.engagement, by)
    item.required = required
    item.save(update_fields=["required"])
    _signal_engagement_agents(item.curriculum.engagement, "curriculum_changed")
    return item


@transaction.atomic
def move_item(item, offset: int, *, by) -> CurriculumItem:
    """Swap the item with its neighbour above (offset -1) or below (+1); positions are renumbered 1..n."""
    _require_curriculum_change(item.curriculum.engagement, by)
    lock_row(Curriculum, item.curriculum_id, engagement="engagement_id")  # one reordering of a curriculum at a time
    items = list(CurriculumItem.objects.filter(curriculum_id=item.curriculum_id))
    index = next(i for i, row in enumerate(items) if row.pk == item.pk)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, row in enumerate(items, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    return next(row for row in items if row.pk == item.pk)


def _signal_engagement_agents(engagement, cause: str) -> None:
    from engagements.models import Agent

    for agent in Agent.objects.filter(
        Q(onboardings__engagement=engagement) | Q(assignments__engagement=engagement)
    ).distinct():
        prerequisites_changed.send(sender=SIGNAL_SENDER, agent=agent, engagement=engagement, cause=cause)


# --- Staff training (change management) -------------------------------------------------------------------------------


@transaction.atomic
def assign_to_staff(module, person, *, by, due_on=None) -> StaffTrainingAssignment:
    """A practice's own module assigned to one of its own people."""
    membership, member = membership_of(by), membership_of(person)
    if not (membership and membership.is_manager and membership.practice_id and module.practice_id):
        raise PermissionDenied("A practice's managers assign its own modules to its staff.")
    if module.practice_id != membership.practice_id:
        raise PermissionDenied("A practice's managers assign its own modules to its staff.")
    if not (member and member.practice_id == module.practice_id):
        raise DomainError("Choose a member of the practice.", field="person")
    try:
        with transaction.atomic():
            return StaffTrainingAssignment.objects.create(module=module, person=person, due_on=due_on, assigned_by=by)
    except IntegrityError:
        raise DomainError("This module is already assigned to that person.", field="person") from None


# --- Completions ------------------------------------------------------------------------------------------------------


def _record(module, *, source, passed_on, agent=None, person=None, score=None, external_id="", by=None):
    completion = TrainingCompletion(
        module=module,
        agent=agent,
        person=person,
        passed_on=passed_on,
        expires_on=expires_on(passed_on, module.renewal_months),
        score=score,
        source=source,
        external_id=external_id or "",
        recorded_by=by,
    )
    _full_clean(completion, exclude=["external_id"] if not external_id else None)
    completion.save()
    _signal(agent, "module_passed")
    return completion


def _check_passed_on(passed_on: date, today: date | None = None) -> None:
    if passed_on > (today or _today()):
        raise DomainError("A module cannot be passed in the future.", field="passed_on")


@transaction.atomic
def record_by_trainer(module, *, by, passed_on, agent=None, person=None, score=None, note="") -> TrainingCompletion:
    """A trainer's record: the agent's provider's managers for an agent; the practice's managers for its staff."""
    if (agent is None) == (person is None):
        raise DomainError("Record the completion for an agent or for a member of the practice's staff.")
    if agent is not None:
        if not may_train(by, agent):
            raise PermissionDenied("Only the agent's provider's managers record their training.")
        if not modules_for_agent(agent).filter(pk=module.pk).exists() and module.provider_id != agent.provider_id:
            raise DomainError("The module is in none of this agent's curricula.", field="module")
    else:
        membership, member = membership_of(by), membership_of(person)
        own_practice = bool(membership and membership.is_manager and membership.practice_id)
        if not is_portal_admin(by) and not (own_practice and module.practice_id == membership.practice_id):
            raise PermissionDenied("A practice's managers record their own staff's training.")
        if not (member and member.practice_id == module.practice_id):
            raise DomainError("Choose a member of the module's practice.", field="person")
    _check_passed_on(passed_on)
    return _record(
        module, source=CompletionSource.TRAINER, passed_on=passed_on, agent=agent, person=person, score=score, by=by
    )


@transaction.atomic
def push_lms_completion(module, agent, *, by, passed_on, external_id: str, score=None):
    """A completion from the provider's LMS: idempotent on (module, external_id) — pushed again, the same row
    comes back and nothing is written. Returns (completion, created)."""
    membership = membership_of(by)
    pushers = (Role.MANAGER, Role.INTEGRATION)
    if not is_portal_admin(by) and not (
        membership and membership.provider_id == agent.provider_id and membership.role in pushers
    ):
        raise PermissionDenied("Only the agent's provider (its managers or its LMS's token) pushes completions.")
    external_id = (external_id or "").strip()
    if not external_id:
        raise DomainError("Send the LMS's own id of the completion (external_id).", field="external_id")
    if module.provider_id != agent.provider_id and not modules_for_agent(agent).filter(pk=module.pk).exists():
        raise DomainError("The module is neither the provider's nor in one of the agent's curricula.", field="module")
    existing = TrainingCompletion.objects.filter(module=module, external_id=external_id).first()
    if existing is not None:
        if existing.agent_id != agent.pk:
            raise DomainError("That LMS completion is already recorded for another agent.", field="external_id")
        return existing, False
    _check_passed_on(passed_on)
    try:
        with transaction.atomic():
            completion = _record(
                module,
                source=CompletionSource.LMS,
                passed_on=passed_on,
                agent=agent,
                score=score,
                external_id=external_id,
                by=by,
            )
    except IntegrityError:  # a concurrent push of the same id won the insert
        return TrainingCompletion.objects.get(module=module, external_id=external_id), False
    return completion, True


def record_mock_call(audit) -> list[TrainingCompletion]:
    """A submitted, passing audit of the agent scored with the scorecard a mock-call module of the engagement's
    curriculum names (or any of its scorecards) records that module's completion, once per audit."""
    if audit.is_calibration or not audit.is_scored or not audit.passed:
        return []
    items = (
        CurriculumItem.objects.filter(
            curriculum__engagement_id=audit.engagement_id, module__assessment__method=AssessmentMethod.MOCK_CALL
        )
        .filter(Q(scorecard__isnull=True) | Q(scorecard_id=audit.version.scorecard_id))
        .select_related("module")
    )
    recorded = []
    today = _today()
    for item in items:
        external_id = f"audit-{audit.pk}"
        held = TrainingCompletion.objects.filter(module=item.module, agent_id=audit.agent_id).filter(
            Q(external_id=external_id) | Q(expires_on__isnull=True) | Q(expires_on__gt=today)
        )
        if held.exists():  # this audit already counted, or the agent holds the module: later audits add nothing
            continue
        passed_on = timezone.localdate(audit.submitted_at) if audit.submitted_at else _today()
        with transaction.atomic():
            recorded.append(
                _record(
                    item.module,
                    source=CompletionSource.MOCK_CALL,
                    passed_on=passed_on,
                    agent=audit.agent,
                    score=audit.score,
                    external_id=external_id,
                    by=audit.auditor,
                )
            )
    return recorded


# --- Quizzes ----------------------------------------------------------------------------------------------------------


def modules_for_agent(agent):
    """The modules in the curricula of the agent's engagements."""
    return TrainingModule.objects.filter(
        curriculum_items__curriculum__engagement__in=engagements_of_agent(agent.pk)
    ).distinct()


def attempts_used(agent, module) -> int:
    return QuizAttempt.objects.filter(agent=agent, module=module, submitted_at__isnull=False).count()


def attempts_left(agent, module, used: int | None = None) -> int:
    """Attempts left in the current cycle: an expired completion opens a fresh set of attempts (re-enrolment)."""
    used = attempts_used_since_renewal(agent, module) if used is None else used
    return max(module.max_attempts - used, 0)


def attempts_used_since_renewal(agent, module) -> int:
    """Submitted attempts since the agent's last completion of the module lapsed (all of them if none lapsed)."""
    lapsed = TrainingCompletion.objects.filter(agent=agent, module=module, expires_on__lte=_today()).aggregate(
        last=Max("expires_on")
    )["last"]
    attempts = QuizAttempt.objects.filter(agent=agent, module=module, submitted_at__isnull=False)
    if lapsed is not None:
        attempts = attempts.filter(submitted_at__date__gte=lapsed)
    return attempts.count()


@transaction.atomic
def start_attempt(module, *, by) -> QuizAttempt:
    """An agent opens a module's quiz: the module is in their curriculum, has questions, and attempts are left.
    An attempt already open is returned as it is."""
    agent = agent_of(by)
    if agent is None:
        raise PermissionDenied("Only an agent takes a quiz, signed in as themselves.")
    if not modules_for_agent(agent).filter(pk=module.pk).exists():
        raise PermissionDenied("This module is in none of your curricula.")
    if assessment_of(module).method != AssessmentMethod.QUIZ:
        raise DomainError("This module is not assessed by a quiz in the portal.")
    if not module.questions.exists():
        raise DomainError("This module has no quiz questions yet.")
    open_attempt = QuizAttempt.objects.filter(agent=agent, module=module, submitted_at__isnull=True).first()
    if open_attempt is not None:
        return open_attempt
    if attempts_left(agent, module) <= 0:
        raise DomainError(
            f"You have used all {module.max_attempts} attempts at this quiz. Ask your trainer about the next step."
        )
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(agent=agent, module=module)
    except IntegrityError:
        return QuizAttempt.objects.get(agent=agent, module=module, submitted_at__isnull=True)


def grade(questions, answers: dict) -> Decimal:
    """Percent of questions answered exactly right: the set of choices picked equals the set of correct ones."""
    questions = list(questions)
    if not questions:
        return Decimal("0.00")
    right = 0
    for question in questions:
        correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
        picked = {int(pk) for pk in answers.get(str(question.pk), answers.get(question.pk, []))}
        right += picked == correct
    return (Decimal(right) * 100 / len(questions)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def submit_attempt(attempt, answers: dict, *, by) -> QuizAttempt:
    """Grade an open attempt on the server; a pass records the module's completion (source quiz). `answers` maps a
    question id to the ids of the choices picked; a choice of another question is refused."""
    attempt = QuizAttempt.objects.select_for_update().select_related("module", "agent").get(pk=attempt.pk)
    if agent_of(by) is None or agent_of(by).pk != attempt.agent_id:
        raise PermissionDenied("Only the agent submits their own quiz.")
    if attempt.submitted_at is not None:
        raise DomainError("This attempt has already been submitted.")
    questions = list(attempt.module.questions.prefetch_related("choices"))
    valid = {question.pk: {choice.pk for choice in question.choices.all()} for question in questions}
    cleaned = {}
    for key, picked in (answers or {}).items():
        try:
            question_id, picked = int(key), [int(pk) for pk in picked]
        except (TypeError, ValueError):
            raise DomainError("The answers are not in the quiz's form.") from None
        if question_id not in valid or not set(picked) <= valid[question_id]:
            raise DomainError("An answer is not one of this quiz's choices.")
        cleaned[str(question_id)] = sorted(set(picked))
    attempt.answers = cleaned
    attempt.score = grade(questions, cleaned)
    attempt.passed = attempt.score >= attempt.module.pass_mark
    attempt.submitted_at = timezone.now()
    if attempt.passed:
        attempt.completion = _record(
            attempt.module,
            source=CompletionSource.QUIZ,
            passed_on=_today(),
            agent=attempt.agent,
            score=attempt.score,
            by=by,
        )
    attempt.save()
    return attempt


# --- What an agent holds ----------------------------------------------------------------------------------------------


@dataclass
class ModuleStanding:
    item: CurriculumItem
    completion: TrainingCompletion | None
    status: str
    attempts_left: int

    @property
    def module(self):
        return self.item.module


def latest_completions(agent_ids, module_ids) -> dict[tuple[int, int], TrainingCompletion]:
    """{(agent_id, module_id): the completion that lasts longest} — a renewal supersedes the one before."""
    latest = {}
    rows = TrainingCompletion.objects.filter(agent_id__in=list(agent_ids), module_id__in=list(module_ids)).order_by(
        "passed_on", "pk"
    )
    for completion in rows:
        key = (completion.agent_id, completion.module_id)
        held = latest.get(key)
        if held is None or _lasts_longer(completion, held):
            latest[key] = completion
    return latest


def _lasts_longer(completion, held) -> bool:
    if held.expires_on is None:
        return completion.expires_on is None and completion.passed_on >= held.passed_on
    return completion.expires_on is None or completion.expires_on >= held.expires_on


def curriculum_items(engagement):
    return CurriculumItem.objects.filter(curriculum__engagement=engagement).select_related(
        "module", "module__assessment"
    )


def standing(agent, engagement, today: date | None = None) -> list[ModuleStanding]:
    """The agent's status on each module of the engagement's curriculum, in order."""
    today = today or _today()
    items = list(curriculum_items(engagement))
    latest = latest_completions([agent.pk], [item.module_id for item in items])
    used = dict(
        QuizAttempt.objects.filter(agent=agent, submitted_at__isnull=False, module_id__in=[i.module_id for i in items])
        .values_list("module_id")
        .annotate(n=Max("pk"))
        .values_list("module_id", "n")
    )
    rows = []
    for item in items:
        completion = latest.get((agent.pk, item.module_id))
        status = completion_status(completion, today)
        left = attempts_left(agent, item.module) if item.module_id in used else item.module.max_attempts
        rows.append(ModuleStanding(item=item, completion=completion, status=status, attempts_left=left))
    return rows


def missing_training(onboarding, today: date | None = None) -> list[str]:
    """The ramp gate: every required module of the engagement's curriculum passed and current."""
    today = today or _today()
    required = [item for item in curriculum_items(onboarding.engagement) if item.required]
    latest = latest_completions([onboarding.agent_id], [item.module_id for item in required])
    missing = []
    for item in required:
        status = completion_status(latest.get((onboarding.agent_id, item.module_id)), today)
        if status == CompletionStatus.NOT_STARTED:
            missing.append(f"Training: “{item.module}” not passed yet.")
        elif status == CompletionStatus.EXPIRED:
            missing.append(f"Training: “{item.module}” expired; it must be passed again.")
    return missing


def readiness_counts(onboardings, today: date | None = None) -> dict[int, dict[str, int]]:
    """{onboarding id: {"total", "current", "expiring", "expired"}} for the required modules, in four queries."""
    today = today or _today()
    onboardings = list(onboardings)
    engagement_ids = {onboarding.engagement_id for onboarding in onboardings}
    required: dict[int, list[int]] = {engagement_id: [] for engagement_id in engagement_ids}
    for engagement_id, module_id in CurriculumItem.objects.filter(
        curriculum__engagement_id__in=engagement_ids, required=True
    ).values_list("curriculum__engagement_id", "module_id"):
        required[engagement_id].append(module_id)
    all_modules = {module_id for modules in required.values() for module_id in modules}
    latest = latest_completions({o.agent_id for o in onboardings}, all_modules)
    counts = {}
    for onboarding in onboardings:
        row = {"total": 0, "current": 0, "expiring": 0, "expired": 0}
        for module_id in required[onboarding.engagement_id]:
            row["total"] += 1
            status = completion_status(latest.get((onboarding.agent_id, module_id)), today)
            if status in (CompletionStatus.CURRENT, CompletionStatus.EXPIRING):
                row["current"] += 1
            if status in (CompletionStatus.EXPIRING, CompletionStatus.EXPIRED):
                row[status] += 1
        counts[onboarding.pk] = row
    return counts


# --- Renewals and expiry ----------------------------------------------------------------------------------------------


def _superseded():
    """A later completion of the same agent and module that lasts longer: the renewal took over."""
    return TrainingCompletion.objects.filter(
        agent_id=OuterRef("agent_id"), module_id=OuterRef("module_id"), pk__gt=OuterRef("pk")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))


def due_items(engagements, today: date):
    """Reminder source: an agent's completion of a module in the engagement's curriculum expiring in 30 days, then
    in 7 — to the agent and the provider's managers, once per completion and reminder date (a renewal is a new
    completion, with reminders of its own)."""
    from django.contrib.auth import get_user_model

    from engagements.reminders import Due

    User = get_user_model()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    sent = set()
    for engagement in engagements.select_related("practice"):
        completions = (
            TrainingCompletion.objects.filter(
                Q(agent__onboardings__engagement=engagement) | Q(agent__assignments__engagement=engagement),
                module__curriculum_items__curriculum__engagement=engagement,
                expires_on__gt=today,
                expires_on__lte=horizon,
            )
            .exclude(Exists(_superseded()))
            .select_related("agent", "module")
            .distinct()
        )
        managers = list(
            User.objects.filter(
                membership__provider_id=engagement.provider_id, membership__role=Role.MANAGER, is_active=True
            )
        )
        for completion in completions:
            days = min(d for d in REMINDER_DAYS if completion.expires_on - timedelta(days=d) <= today)
            reminder_on = completion.expires_on - timedelta(days=days)
            if (completion.pk, reminder_on) in sent:
                continue
            sent.add((completion.pk, reminder_on))
            agent_users = list(User.objects.filter(membership__agent_id=completion.agent_id, is_active=True))
            yield Due(
                kind=TRAINING_RENEWAL_DUE,
                item=completion,
                due_on=reminder_on,
                engagement=None,  # one reminder per completion, whichever engagements the agent works on
                side="provider",
                title=f"{completion.agent}: “{completion.module}” expires on {completion.expires_on:%b %-d, %Y}; "
                "renew it before then",
                url=reverse("onboarding:training_completion_list") + f"?agent={completion.agent_id}",
                agent_url=reverse("onboarding:training_me"),
                level="danger" if days <= min(REMINDER_DAYS) else "warning",
                recipients=tuple(agent_users + managers),
            )


def announce_expiries(today: date | None = None) -> int:
    """Nightly: tell the rules that rely on training (responsibilities) about completions that expired today and
    were not renewed. Sending twice is harmless: the listeners re-check what holds."""
    today = today or _today()
    expired = (
        TrainingCompletion.objects.filter(expires_on=today, agent__isnull=False)
        .exclude(Exists(_superseded().filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))))
        .select_related("agent")
    )
    agents = {completion.agent_id: completion.agent for completion in expired}
    for agent in agents.values():
        prerequisites_changed.send(sender=SIGNAL_SENDER, agent=agent, engagement=None, cause="module_expired")
    return len(agents)
