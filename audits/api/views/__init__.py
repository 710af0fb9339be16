from audits.api.views.audits import AuditViewSet, DisputeViewSet
from audits.api.views.scorecards import ScorecardViewSet

__all__ = ["AuditViewSet", "DisputeViewSet", "ScorecardViewSet"]
