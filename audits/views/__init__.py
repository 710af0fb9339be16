"""The quality-audit pages, one module per area; urls.py names them through this package."""

from audits.views.agents import AgentHomeView
from audits.views.audits import (
    AuditAcknowledgeView,
    AuditCreateView,
    AuditDeleteView,
    AuditDetailView,
    AuditListView,
    AuditRateView,
    AuditSubmitView,
    ScorePreviewView,
)
from audits.views.disputes import DisputeCreateView, DisputeDecideView, DisputeDetailView, DisputeListView
from audits.views.qa import AgentQualityView, EngagementQAView, QualitySettingsView
from audits.views.scorecards import (
    AddCriterionView,
    AddSectionView,
    CriterionDeleteView,
    CriterionUpdateView,
    NewDraftView,
    PassMarkView,
    PublishVersionView,
    ScorecardCreateView,
    ScorecardDetailView,
    ScorecardListView,
    SectionDeleteView,
    VersionDetailView,
)

__all__ = [
    "AddCriterionView",
    "AddSectionView",
    "AgentHomeView",
    "AgentQualityView",
    "AuditAcknowledgeView",
    "AuditCreateView",
    "AuditDeleteView",
    "AuditDetailView",
    "AuditListView",
    "AuditRateView",
    "AuditSubmitView",
    "CriterionDeleteView",
    "CriterionUpdateView",
    "DisputeCreateView",
    "DisputeDecideView",
    "DisputeDetailView",
    "DisputeListView",
    "EngagementQAView",
    "NewDraftView",
    "PassMarkView",
    "PublishVersionView",
    "QualitySettingsView",
    "ScorePreviewView",
    "ScorecardCreateView",
    "ScorecardDetailView",
    "ScorecardListView",
    "SectionDeleteView",
    "VersionDetailView",
]
