"""Quality audits: scorecards, audits of agents' work, action plans — and provider compliance audits."""

# -- provider compliance audits --
from audits.models.compliance import (
    ComplianceAudit,
    ComplianceEvidence,
    ComplianceRequirement,
    ComplianceSchedule,
    CorrectiveAction,
    CorrectiveActionEscalation,
    Finding,
)

__all__ = [
    # -- provider compliance audits --
    "ComplianceAudit",
    "ComplianceEvidence",
    "ComplianceRequirement",
    "ComplianceSchedule",
    "CorrectiveAction",
    "CorrectiveActionEscalation",
    "Finding",
]
