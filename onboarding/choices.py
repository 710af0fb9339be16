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


# --- acknowledgements ---------------------------------------------------------------------------------------------


class AcknowledgementReminder(models.TextChoices):
    """The reminder kind of an unsigned version in force (engagements.models.Reminder.kind; at most 30 letters)."""

    DOCUMENT_UNSIGNED = "document_unsigned", "Policy document to sign"


# --- ramp ---------------------------------------------------------------------------------------------------------


# --- responsibilities ---------------------------------------------------------------------------------------------
