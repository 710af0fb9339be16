"""TextChoices used by onboarding's models, forms and serializers. Each area keeps its choices under its heading."""

from django.db import models

# An onboarding's stage is the agent's path itself: engagements.choices.AgentStatus (candidate → vetting →
# interviewing → training → ramp → live, and offboarded from any step).


class OffboardReason(models.TextChoices):
    RESIGNED = "resigned", "Resigned"
    LET_GO = "let_go", "Let go"
    MOVED = "moved", "Moved to another account"
    FAILED_VETTING = "failed_vetting", "Failed vetting"
    WITHDREW = "withdrew", "Withdrew"


class SourcingChannel(models.TextChoices):
    JOB_BOARD = "job_board", "Job board"
    REFERRAL = "referral", "Referral"
    RECRUITER = "recruiter", "Recruiter"
    AGENCY = "agency", "Agency"
    INTERNAL = "internal", "Internal transfer"


class ModuleKind(models.TextChoices):
    CULTURE = "culture", "Cultural training on the patient population"
    LANGUAGE = "language", "Language and colloquialisms"
    ROLEPLAY = "roleplay", "Roleplayed social interactions"
    OPTOMETRY = "optometry", "Optometry terminology and paraoptometric material"
    SOP = "sop", "The practice's SOPs"
    DATA_SECURITY = "data_security", "Data security"
    PRIVACY_LAW = "privacy_law", "Privacy law (HIPAA or GDPR)"
    SYSTEMS = "systems", "The practice's systems"
    CHANGE_MANAGEMENT = "change_management", "Working with the provider (practice staff)"


class CompletionSource(models.TextChoices):
    QUIZ = "quiz", "Quiz in the portal"
    MOCK_CALL = "mock_call", "Mock call (audit)"
    TRAINER = "trainer", "Recorded by a trainer"
    LMS = "lms", "Pushed from the provider's LMS"


class DocumentKind(models.TextChoices):
    NDA = "nda", "Non-disclosure agreement"
    PRIVACY_POLICY = "privacy_policy", "The practice's privacy policy"
    HIPAA_CONFIDENTIALITY = "hipaa_confidentiality", "HIPAA confidentiality acknowledgement"
    ACCEPTABLE_USE = "acceptable_use", "Acceptable use"
    OTHER = "other", "Other"


# --- pipeline and vetting -----------------------------------------------------------------------------------------


class AssessmentKind(models.TextChoices):
    ENGLISH = "english", "English proficiency (CEFR)"
    TYPING = "typing", "Typing (net WPM and accuracy)"
    COGNITIVE = "cognitive", "Cognitive test"
    BEHAVIOURAL = "behavioural", "Behavioural-profile match"
    TRIAL_AUDIT = "trial_audit", "Trial audit (mock call)"


class CEFRLevel(models.TextChoices):
    """The Common European Framework's levels, lowest first (A0: below A1, where a named test's band says so)."""

    A0 = "A0", "A0 (below A1)"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"

    @classmethod
    def rank(cls, level: str) -> int:
        return cls.values.index(level)


class ResultSource(models.TextChoices):
    PROVIDER = "provider", "Recorded by the provider"
    API = "api", "Pushed through the API"
    PORTAL = "portal", "Taken in the portal"


# --- interviews ---------------------------------------------------------------------------------------------------


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Not passed"


# --- training -----------------------------------------------------------------------------------------------------


class AssessmentMethod(models.TextChoices):
    """How a module is passed: a quiz in the portal, a mock call audited with the engagement's scorecard, or a
    completion recorded by a trainer or pushed from the provider's LMS."""

    QUIZ = "quiz", "Quiz in the portal"
    MOCK_CALL = "mock_call", "Mock call (audit)"
    RECORDED = "recorded", "Recorded by a trainer or the LMS"


class PrivacyLaw(models.TextChoices):
    HIPAA = "hipaa", "HIPAA (United States)"
    GDPR = "gdpr", "GDPR (European Union)"


class CompletionStatus(models.TextChoices):
    """Where an agent stands on one module today."""

    NOT_STARTED = "not_started", "Not passed yet"
    CURRENT = "current", "Passed and current"
    EXPIRING = "expiring", "Due for renewal"
    EXPIRED = "expired", "Expired"


# The reminder kind of a completion due for renewal (engagements.choices.ReminderKind lists it for its label).
TRAINING_RENEWAL_DUE = "training_renewal_due"


# --- acknowledgements ---------------------------------------------------------------------------------------------


class AcknowledgementReminder(models.TextChoices):
    """The reminder kind of an unsigned version in force (engagements.models.Reminder.kind; at most 30 letters)."""

    DOCUMENT_UNSIGNED = "document_unsigned", "Policy document to sign"


# --- ramp ---------------------------------------------------------------------------------------------------------


class RampWeekStatus(models.TextChoices):
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    NO_DATA = "no_data", "No data"
    SO_FAR = "so_far", "Week under way"


# --- responsibilities ---------------------------------------------------------------------------------------------


class RungMetric(models.TextChoices):
    """What a rung's own target measures, over the agent's audits of the previous rung's line."""

    QUALITY_SCORE = "quality_score", "Average quality score"
    PASS_RATE = "pass_rate", "Audits passed (%)"


class ResponsibilityStatus(models.TextChoices):
    HELD = "held", "Held"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class SuspensionCause(models.TextChoices):
    PREREQUISITE = "prerequisite", "A prerequisite lapsed"  # lifted automatically once it holds again
    CRITICAL_FAIL = "critical_fail", "Critical fail in an audit"  # lifted only by a provider manager


class ResponsibilityAction(models.TextChoices):
    GRANTED = "granted", "Granted"
    SUSPENDED = "suspended", "Suspended"
    LIFTED = "lifted", "Suspension lifted (prerequisites hold again)"
    REINSTATED = "reinstated", "Reinstated"
    REVOKED = "revoked", "Revoked"
