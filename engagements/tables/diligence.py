import django_tables2 as tables
from django.utils.html import format_html

from engagements.models import Certification

STATUS_CLASSES = {"valid": "text-bg-success", "expiring": "text-bg-warning", "expired": "text-bg-danger"}


class CertificationTable(tables.Table):
    name = tables.Column(accessor="name", verbose_name="Certification", order_by=("kind", "other_name"))
    provider = tables.Column(linkify=True)
    issuer = tables.Column()
    issued_on = tables.DateColumn(verbose_name="Issued")
    expires_on = tables.DateColumn(verbose_name="Expires")
    status = tables.Column(accessor="status_label", verbose_name="Status", order_by=("expires_on",))

    class Meta:
        model = Certification
        fields = ("name", "provider", "issuer", "issued_on", "expires_on", "status")
        empty_text = "No certifications match."

    def render_status(self, value, record):
        return format_html('<span class="badge {}">{}</span>', STATUS_CLASSES[record.status], value)

    def value_status(self, value, record):
        return value
