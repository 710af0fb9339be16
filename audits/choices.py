"""TextChoices used by the audits app's models, forms and serializers."""

from django.db import models


class VersionStatus(models.TextChoices):
    """A scorecard version is edited as a draft; publishing locks it for good (audits are scored on it)."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Scale(models.TextChoices):
    """How a criterion is rated: yes/no, 1 to 5, or points out of the criterion's maximum."""

    YES_NO = "yes_no", "Yes / no"
    ONE_TO_FIVE = "one_to_five", "1 to 5"
    POINTS = "points", "Points (0 to N)"


class InteractionType(models.TextChoices):
    CALL = "call", "Call"
    CHAT = "chat", "Chat"
    EMAIL = "email", "E-mail"
    CLAIM = "claim", "Claim"
    APPOINTMENT = "appointment", "Appointment"
    MOCK_CALL = "mock_call", "Mock call"


class AuditStatus(models.TextChoices):
    """An audit's path: draft → submitted → acknowledged by the agent; or disputed, then decided."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISPUTED = "disputed", "Disputed"

    @classmethod
    def scored(cls):
        """Statuses whose score counts (everything but a draft)."""
        return [cls.SUBMITTED, cls.ACKNOWLEDGED, cls.DISPUTED]


class RescoreReason(models.TextChoices):
    DISPUTE = "dispute", "Dispute decided"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"


class DisputeDecision(models.TextChoices):
    """What the deciding side does with one disputed criterion."""

    KEEP = "keep", "Keep the rating"
    ACCEPT = "accept", "Accept the proposed rating"
    SET = "set", "Set another rating"


class CalibrationStatus(models.TextChoices):
    """A session is open until its deadline or until every panel member has scored."""

    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PlanStatus(models.TextChoices):
    """An action plan is open until its follow-up audit: passed → effective, failed → not effective."""

    OPEN = "open", "Open"
    EFFECTIVE = "effective", "Closed: effective"
    NOT_EFFECTIVE = "not_effective", "Closed: not effective"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def closed(cls):
        return [cls.EFFECTIVE, cls.NOT_EFFECTIVE, cls.CANCELLED]


class Band(models.TextChoices):
    """How often an agent is audited, from their recent audits (audits.services.sampling.band_for)."""

    ON_TARGET = "on_target", "At or above the pass mark"
    BELOW = "below", "Below the pass mark"
    RAMP = "ramp", "Ramping up"
    CRITICAL = "critical", "Critical fail, until clean weeks"


class AssignmentKind(models.TextChoices):
    SAMPLING = "sampling", "Weekly sample"
    FOLLOW_UP = "follow_up", "Action plan follow-up"


# --- Provider compliance audits -------------------------------------------------------------------------------------


class ComplianceFrequency(models.TextChoices):
    """How often the practice audits its provider's data handling."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMI_ANNUAL = "semi_annual", "Every six months"
    ANNUAL = "annual", "Annually"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "semi_annual": 6, "annual": 12}[self.value]


class ComplianceAuditStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class RequirementResult(models.TextChoices):
    """What the auditor found for one requirement. Blank (not assessed yet) is not a choice."""

    COMPLIANT = "compliant", "Compliant"
    PARTIAL = "partial", "Partially compliant"
    NON_COMPLIANT = "non_compliant", "Non-compliant"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class FindingSeverity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    OBSERVATION = "observation", "Observation"

    @property
    def needs_action(self) -> bool:
        """Every finding but an observation needs a corrective action before the audit can be completed."""
        return self != FindingSeverity.OBSERVATION


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CorrectiveActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"

    @classmethod
    def unfinished(cls):
        return [cls.OPEN, cls.IN_PROGRESS]


# --- end of provider compliance audits ------------------------------------------------------------------------------
