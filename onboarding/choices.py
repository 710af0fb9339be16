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


# --- interviews ---------------------------------------------------------------------------------------------------


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


# --- ramp ---------------------------------------------------------------------------------------------------------


# --- responsibilities ---------------------------------------------------------------------------------------------
