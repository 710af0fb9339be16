"""Quality audits' data. Each area has its own module; other areas (calibration, action plans, sampling,
compliance) add theirs beside these and list their models here."""

from audits.models.audits import AuditScoreHistory, CriterionRating, QualityAudit, QualitySettings
from audits.models.calibration import CalibrationParticipant, CalibrationRating, CalibrationSession
from audits.models.disputes import Dispute, DisputeItem
from audits.models.plans import ActionPlan, ActionPlanItem
from audits.models.sampling import AuditAssignment, SamplingPolicy
from audits.models.scorecards import Criterion, Scorecard, ScorecardVersion, Section

__all__ = [
    "ActionPlan",
    "ActionPlanItem",
    "AuditAssignment",
    "CalibrationParticipant",
    "CalibrationRating",
    "CalibrationSession",
    "SamplingPolicy",
    "AuditScoreHistory",
    "Criterion",
    "CriterionRating",
    "Dispute",
    "DisputeItem",
    "QualityAudit",
    "QualitySettings",
    "Scorecard",
    "ScorecardVersion",
    "Section",
]
