"""Demo data of the training area (see onboarding/demo.py): ClearView's module library and Riverside's own modules,
the curriculum of "Front desk 2026", and completions that show the renewal cycle — Angelica Cruz's HIPAA due for
renewal within 30 days (she signs in as agent@clearview.example and can retake the quiz), Jose Ramirez's expired.
Everything goes through onboarding.services.training."""

from datetime import timedelta

from django.utils import timezone

from engagements.choices import AgentStatus
from onboarding.choices import AssessmentMethod, ModuleKind, PrivacyLaw
from onboarding.services import training

ENGAGEMENT = "Front desk 2026"

# (kind, title, material, questions [(text, [(choice, correct)])], extra fields) — the provider's library
LIBRARY = [
    (
        ModuleKind.PRIVACY_LAW,
        "HIPAA essentials for front-desk assistants",
        "Protected health information (PHI) is anything that ties a patient to their care. Share only the minimum "
        "necessary, verify two identifiers before discussing an account, and never leave PHI in chat or e-mail "
        "outside the practice's systems.",
        [
            (
                "Before discussing an appointment on the phone you…",
                [
                    ("verify two patient identifiers", True),
                    ("ask for the patient's e-mail password", False),
                    ("confirm only the first name", False),
                ],
            ),
            (
                "Which of these are PHI?",
                [
                    ("A patient's date of birth with their name", True),
                    ("The practice's opening hours", False),
                    ("An appointment time for a named patient", True),
                ],
            ),
            (
                "A caller says they are the patient's spouse. You…",
                [
                    ("check the authorisation on file before sharing anything", True),
                    ("share the next appointment time", False),
                ],
            ),
            ("How much information do you share?", [("The minimum necessary", True), ("Whatever is asked", False)]),
        ],
        {"privacy_law": PrivacyLaw.HIPAA, "pass_mark": 75, "max_attempts": 3},
    ),
    (
        ModuleKind.DATA_SECURITY,
        "Phishing, passwords and home Wi-Fi",
        "Report any message that asks for credentials. Use the password manager, never reuse a password, and work "
        "only on a WPA2/WPA3 home network with the router's default password changed.",
        [
            (
                "An e-mail from 'IT' asks you to confirm your password by link. You…",
                [("report it as phishing", True), ("click and confirm", False)],
            ),
            (
                "Your home router still has its default password. You…",
                [("change it before working", True), ("leave it", False)],
            ),
        ],
        {"max_attempts": 3},
    ),
    (
        ModuleKind.OPTOMETRY,
        "Optometry terms for scheduling",
        "A comprehensive eye exam differs from a contact-lens fitting; OD means optometrist; a dilated exam takes "
        "longer and the patient should not drive afterwards.",
        [
            (
                "A patient asks for a 'CL fitting'. That is…",
                [("a contact-lens fitting", True), ("a cataract surgery", False)],
            ),
            (
                "What should a patient know before a dilated exam?",
                [("they may not be able to drive afterwards", True), ("nothing", False)],
            ),
        ],
        {"pass_mark": 50},
    ),
    (
        ModuleKind.CULTURE,
        "US patients: names, courtesy and small talk",
        "Address patients by title and surname until invited otherwise; hyphenated and double surnames are "
        "common; confirm how a name is pronounced and note it.",
        [("A patient is 'Dr. Ana García-López'. You greet…", [("Dr. García-López", True), ("Ana", False)])],
        {},
    ),
    (
        ModuleKind.ROLEPLAY,
        "Mock call: booking and rescheduling",
        "A recorded mock call with a trainer playing the patient, scored with the engagement's front-office "
        "scorecard; a passing audit completes this module.",
        [],
        {"method": AssessmentMethod.MOCK_CALL},
    ),
]

# The practice's own modules
PRACTICE_MODULES = [
    (
        ModuleKind.SOP,
        "Riverside front-desk SOPs",
        "Check-in, insurance card capture and the no-show policy of Riverside Eye Care.",
        AssessmentMethod.RECORDED,
    ),
    (
        ModuleKind.SYSTEMS,
        "Scheduling in Riverside's practice-management system",
        "Appointment types, provider templates and the waitlist.",
        AssessmentMethod.RECORDED,
    ),
    (
        ModuleKind.CHANGE_MANAGEMENT,
        "Working with ClearView",
        "For Riverside's own staff: how to hand work to the assistants, escalate, and read the weekly report.",
        AssessmentMethod.RECORDED,
    ),
]


def _make_library(provider_manager):
    modules = {}
    for kind, title, material, questions, extra in LIBRARY:
        module = training.create_module(by=provider_manager, title=title, kind=kind, material=material, **extra)
        for text, choices in questions:
            training.add_question(module, text=text, choices=choices, by=provider_manager)
        modules[kind] = module
    return modules


def _make_practice_modules(practice_manager):
    modules = {}
    for kind, title, material, method in PRACTICE_MODULES:
        modules[kind] = training.create_module(
            by=practice_manager, title=title, kind=kind, material=material, method=method, pass_mark=80
        )
    return modules


def _ensure_training_onboarding(engagement, agent):
    """CV-1004 is in training on the engagement: the pipeline demo makes the onboarding; if it did not, we do."""
    from onboarding.models import Onboarding, StageChange

    onboarding, created = Onboarding.objects.get_or_create(
        agent=agent, engagement=engagement, defaults={"stage": AgentStatus.TRAINING}
    )
    if created:
        StageChange.objects.create(onboarding=onboarding, from_stage="", to_stage=AgentStatus.TRAINING)
    return onboarding


def seed(context: dict) -> None:
    signal = context.get("signal", {})
    engagement = (signal.get("engagements") or {}).get(ENGAGEMENT)
    if engagement is None:
        return
    from onboarding.models import CurriculumItem

    existing = list(CurriculumItem.objects.filter(curriculum__engagement=engagement).select_related("module"))
    if existing:  # already seeded, or changed by hand: leave it alone, but tell the later areas what is there
        context["modules"] = {item.module.kind: item.module for item in existing}
        context["hipaa_module"] = context["modules"].get(ModuleKind.PRIVACY_LAW)
        context["curriculum"] = engagement.curriculum
        return
    managers = signal["managers"]
    practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
    today = timezone.localdate()

    modules = {**_make_library(provider_manager), **_make_practice_modules(practice_manager)}
    scorecard = engagement.scorecards.order_by("pk").first()
    for kind, module in modules.items():
        if kind == ModuleKind.CHANGE_MANAGEMENT:
            continue  # the practice's staff's own module, not the agents'
        training.add_to_curriculum(
            engagement,
            module,
            by=provider_manager,
            required=kind != ModuleKind.CULTURE,
            scorecard=scorecard if kind == ModuleKind.ROLEPLAY else None,
        )

    agents = {agent.employee_ref: agent for agent in engagement.provider.agents.all()}
    hipaa = modules[ModuleKind.PRIVACY_LAW]
    record = training.record_by_trainer
    # Live and ramping agents passed everything at some point; the renewal cycle shows on HIPAA.
    passed = {
        "CV-1001": today - timedelta(days=345),
        "CV-1002": today - timedelta(days=400),
        "CV-1003": today - timedelta(days=60),
    }
    for ref, on in passed.items():
        agent = agents.get(ref)
        if agent is None:
            continue
        for kind, module in modules.items():
            if kind in (ModuleKind.CHANGE_MANAGEMENT, ModuleKind.ROLEPLAY):
                continue
            if kind == ModuleKind.DATA_SECURITY:
                training.push_lms_completion(
                    module, agent, by=provider_manager, passed_on=on, external_id=f"lms-{ref}-{module.pk}", score=95
                )
            else:
                record(module, by=provider_manager, passed_on=on, agent=agent, score=90)
    # CV-1004 is in training: culture passed through the LMS, the rest still to do.
    trainee = agents.get("CV-1004")
    if trainee is not None:
        _ensure_training_onboarding(engagement, trainee)
        training.push_lms_completion(
            modules[ModuleKind.CULTURE],
            trainee,
            by=provider_manager,
            passed_on=today - timedelta(days=3),
            external_id="lms-CV-1004-culture",
            score=88,
        )
    # Riverside's own staff learn to work with the provider.
    staff = engagement.practice.memberships.exclude(user=practice_manager).select_related("user").first()
    if staff is not None:
        training.assign_to_staff(
            modules[ModuleKind.CHANGE_MANAGEMENT], staff.user, by=practice_manager, due_on=today + timedelta(days=14)
        )
    context["modules"] = modules
    context["hipaa_module"] = hipaa
    context["curriculum"] = engagement.curriculum
