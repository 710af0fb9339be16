"""Tables of policy documents and signatures: sortable columns, and CSV export of exactly what is shown."""

import django_tables2 as tables

from onboarding.models import Acknowledgement, PolicyDocument


class PolicyDocumentTable(tables.Table):
    title = tables.Column(linkify=True)
    kind = tables.Column()
    owner = tables.Column(verbose_name="Belongs to", empty_values=(), orderable=False)
    current = tables.Column(verbose_name="Latest version", accessor="latest_number", default="—")
    latest_effective = tables.DateColumn(verbose_name="Effective", format="d M Y", default="—")
    signatures = tables.Column(verbose_name="Signatures", accessor="signature_count")

    class Meta:
        model = PolicyDocument
        fields = ("title", "kind", "owner", "current", "latest_effective", "signatures")
        empty_text = "No policy documents yet."
        attrs = {"class": "table table-hover mb-0", "data-testid": "document-table"}

    def render_owner(self, record):
        return record.engagement or record.provider


class AcknowledgementTable(tables.Table):
    signed_at = tables.DateTimeColumn(format="d M Y H:i")
    agent = tables.Column(order_by=("agent__full_name",))
    document = tables.Column(
        accessor="version__document__title",
        verbose_name="Document",
        linkify=lambda record: record.version.document.get_absolute_url(),
    )
    version = tables.Column(accessor="version__number", verbose_name="Version")
    typed_name = tables.Column(verbose_name="Typed name")

    class Meta:
        model = Acknowledgement
        fields = ("signed_at", "agent", "document", "version", "typed_name")
        empty_text = "No signatures yet."
        attrs = {"class": "table table-hover mb-0", "data-testid": "acknowledgement-table"}
