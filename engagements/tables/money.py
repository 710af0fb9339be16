import django_tables2 as tables
from django.utils.html import format_html

from bpo_portal.formatting import money


class ServiceCreditTable(tables.Table):
    """Rows are engagements.costs.Credit values, not model rows."""

    breach = tables.Column(accessor="breach", verbose_name="Breach", orderable=False)
    target = tables.Column(accessor="target", verbose_name="Target", orderable=False)
    period = tables.Column(accessor="breach__period_label", verbose_name="Period", orderable=False)
    month = tables.DateColumn(format="M Y", verbose_name="Month", orderable=False)
    percent = tables.Column(verbose_name="Credit %", orderable=False)
    fees = tables.Column(verbose_name="Month's fees", orderable=False)
    amount = tables.Column(verbose_name="Credit", orderable=False)

    class Meta:
        empty_text = "No service credits: no breach of a target that carries one."
        attrs = {"class": "table table-sm table-hover mb-0", "data-testid": "credit-table"}

    def render_breach(self, value, record):
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value)

    def value_breach(self, value, record):
        return value.pk

    def render_percent(self, value):
        return f"{value.normalize():f}%"

    def render_amount(self, value, record):
        capped = ' <span class="badge text-bg-light border" title="Capped at the month\'s fees">capped</span>'
        return format_html("{}" + (capped if record.capped else ""), money(value))

    def value_amount(self, value, record):
        return value

    def render_fees(self, value):
        return money(value)

    def value_fees(self, value):
        return value
