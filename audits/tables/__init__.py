from audits.tables.audits import AuditTable, DisputeTable, ScorecardTable

__all__ = ["AuditTable", "DisputeTable", "ScorecardTable"]
