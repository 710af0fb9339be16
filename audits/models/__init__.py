"""Quality audits' data. Each area has its own module (scorecards, audits, disputes, calibration, action plans,
sampling, provider compliance audits) and lists its models here."""

from audits.models.audits import AuditScoreHistory, CriterionRating, QualityAudit, QualitySettings
from audits.models.calibration import CalibrationParticipant, CalibrationRating, CalibrationSession
from audits.models.compliance import (
    ComplianceAudit,
    ComplianceEvidence,
    ComplianceRequirement,
    ComplianceSchedule,
    CorrectiveAction,
    CorrectiveActionEscalation,
    Finding,
)
from audits.models.disputes import Dispute, DisputeItem
from audits.models.plans import ActionPlan, ActionPlanItem
from audits.models.sampling import AuditAssignment, SamplingPolicy
from audits.models.scorecards import Criterion, Scorecard, ScorecardVersion, Section

__all__ = [
    "ActionPlan",
    "ActionPlanItem",
    "AuditAssignment",
    "AuditScoreHistory",
    "CalibrationParticipant",
    "CalibrationRating",
    "CalibrationSession",
    "ComplianceAudit",
    "ComplianceEvidence",
    "ComplianceRequirement",
    "ComplianceSchedule",
    "CorrectiveAction",
    "CorrectiveActionEscalation",
    "Criterion",
    "CriterionRating",
    "Dispute",
    "DisputeItem",
    "Finding",
    "QualityAudit",
    "QualitySettings",
    "SamplingPolicy",
    "Scorecard",
    "ScorecardVersion",
    "Section",
]
