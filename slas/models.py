"""SLA engine: metric catalogue, targets, measurements, KPI rollups, breaches and remediation (next issue)."""
