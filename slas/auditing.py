"""The SLA engine's writes in the audit log (django-auditlog, like engagements.auditing): targets, whose
thresholds drive breaches and credits; breaches and their remediation plans and decisions; ingest batches.

Measurements themselves are not logged row by row (a batch holds up to 10,000): a new one is in its batch, and
a correction keeps the replaced content as a MeasurementCorrection with the batch that replaced it. KPI values are
computed from measurements, not written by anyone.
"""

from auditlog.registry import auditlog

NOT_LOGGED = {
    "Measurement": "in its IngestBatch; corrections keep the replaced values as MeasurementCorrection rows",
    "KPIValue": "computed from measurements by the rollup, never written by a person",
    "MeasurementCorrection": "itself the record of a correction, written once and never changed",
    "MeasurementDay": "the measurements' sums per day, kept by database triggers, never written by a person",
}


def register_audited_models() -> None:
    from slas import models

    for model in (models.Metric, models.SLATarget, models.Breach, models.RemediationPlan, models.IngestBatch):
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=["id", "updated_at", "created_at", "touched"], m2m_fields={})
