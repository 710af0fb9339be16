"""One FilterSet per audits model, used by the UI list pages and the API alike. Other areas add modules here."""

from audits.filters.audits import AuditFilterSet, DisputeFilterSet, ScorecardFilterSet

__all__ = ["AuditFilterSet", "DisputeFilterSet", "ScorecardFilterSet"]
