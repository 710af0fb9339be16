"""TextChoices used by the audits app's models, forms and serializers."""

from django.db import models

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
