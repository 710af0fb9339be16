"""The metric catalogue both sides agree targets on. Admins can add more; codes are what integrations send."""

from django.db import migrations

# code, name, unit, direction, aggregation, description
METRICS = [
    (
        "csat",
        "Customer satisfaction (CSAT)",
        "score",
        "higher",
        "mean",
        "Post-contact survey score (1–5). Send each survey as a value, or the sum of scores over the number of surveys.",
    ),
    (
        "first_call_resolution",
        "First call resolution",
        "%",
        "higher",
        "ratio",
        "Contacts resolved without a follow-up / contacts handled.",
    ),
    (
        "escalation_rate",
        "Escalation rate",
        "%",
        "lower",
        "ratio",
        "Contacts escalated to the practice / contacts handled.",
    ),
    (
        "appointment_adherence",
        "Appointment adherence",
        "%",
        "higher",
        "ratio",
        "Appointments kept / appointments scheduled.",
    ),
    (
        "claim_accuracy",
        "Claim accuracy",
        "%",
        "higher",
        "ratio",
        "Clean claims (accepted first pass) / claims submitted.",
    ),
    (
        "claims_within_48h",
        "Claims submitted within 48 h",
        "%",
        "higher",
        "ratio",
        "Claims submitted within 48 hours of the visit / claims submitted.",
    ),
    (
        "average_talk_time",
        "Average talk time",
        "s",
        "lower",
        "mean",
        "Talk seconds per call: send total talk seconds over calls, or one call's seconds as a value.",
    ),
    (
        "service_level",
        "Service level",
        "%",
        "higher",
        "ratio",
        "Calls answered within the target seconds / calls offered.",
    ),
    ("abandonment_rate", "Abandonment rate", "%", "lower", "ratio", "Calls abandoned / calls offered."),
    (
        "quality_score",
        "Quality score",
        "score",
        "higher",
        "mean",
        "Quality audit score (0–100), one value per audited interaction.",
    ),
    ("denial_rate", "Denial rate", "%", "lower", "ratio", "Claims denied / claims adjudicated."),
    ("days_in_ar", "Days in A/R", "days", "lower", "mean", "Average days a claim stays in accounts receivable."),
    ("calls_handled", "Calls handled", "count", "higher", "sum", "Inbound and outbound calls handled."),
    ("appointments_booked", "Appointments booked", "count", "higher", "sum", "New appointments booked."),
    ("claims_processed", "Claims processed", "count", "higher", "sum", "Claims prepared and submitted."),
]


def create_catalogue(apps, schema_editor):
    Metric = apps.get_model("slas", "Metric")
    for order, (code, name, unit, direction, aggregation, description) in enumerate(METRICS, start=1):
        Metric.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "aggregation": aggregation,
                "description": description,
                "sort_order": order * 10,
            },
        )


def remove_catalogue(apps, schema_editor):
    apps.get_model("slas", "Metric").objects.filter(code__in=[m[0] for m in METRICS], targets=None).delete()


class Migration(migrations.Migration):
    dependencies = [("slas", "0001_initial")]

    operations = [migrations.RunPython(create_catalogue, remove_catalogue)]
