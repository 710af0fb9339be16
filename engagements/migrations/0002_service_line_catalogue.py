"""The catalogue of service lines a practice can outsource, in the order a transition usually takes them."""

from django.db import migrations

SERVICE_LINES = [
    (
        "scheduling",
        "Appointment scheduling and reminders",
        "peripheral",
        "Booking, rescheduling and confirming appointments; recall and reminder calls and messages.",
    ),
    (
        "customer_service",
        "Customer service",
        "peripheral",
        "Inbound calls and messages from patients: questions, directions, order status, overflow from the front desk.",
    ),
    (
        "insurance_verification",
        "Insurance verification",
        "revenue_cycle",
        "Checking vision and medical eligibility and benefits before the visit.",
    ),
    ("claims", "Claims processing", "revenue_cycle", "Preparing, scrubbing and submitting claims to payers."),
    ("billing", "Billing", "revenue_cycle", "Patient statements, payment posting and billing questions."),
    (
        "accounts_receivable",
        "Accounts receivable",
        "revenue_cycle",
        "Following up unpaid and denied claims, appeals and collections.",
    ),
    ("medical_coding", "Medical coding", "revenue_cycle", "Assigning CPT, ICD-10 and HCPCS codes to encounters."),
    ("data_entry", "Data entry", "back_office", "Entering demographics, orders and forms into the practice's systems."),
    ("record_indexing", "Record indexing", "back_office", "Filing scanned documents and faxes to the right chart."),
]


def create_catalogue(apps, schema_editor):
    ServiceLine = apps.get_model("engagements", "ServiceLine")
    for order, (code, name, category, description) in enumerate(SERVICE_LINES, start=1):
        ServiceLine.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("engagements", "0001_initial")]

    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]
