import django_tables2 as tables
from django.utils.html import format_html

from bpo_portal.formatting import money
from engagements.models import ChangeRequest
from engagements.models.people import display_name
from engagements.services.changes import current_delta


class ChangeRequestTable(tables.Table):
    """One engagement's change requests. `live_terms` (the contract's current terms, read once by the view) prices
    the proposed ones, so the page and its CSV export cost the same few queries however many rows there are."""

    request = tables.Column(
        accessor="pk", verbose_name="Request", linkify=lambda record: record.get_absolute_url(), order_by=("pk",)
    )
    kind = tables.Column()
    summary = tables.Column(empty_values=(), orderable=False, verbose_name="Change")
    proposed_by = tables.Column(verbose_name="Proposed by", default="—")
    proposing_side = tables.Column(verbose_name="Side", default="Portal admin")
    proposed_at = tables.DateTimeColumn(verbose_name="Proposed", short=True)
    status = tables.Column()
    monthly_cost_delta = tables.Column(empty_values=(), orderable=False, verbose_name="Monthly cost delta")
    decided_at = tables.DateTimeColumn(verbose_name="Decided", short=True, default="—")

    live_terms = None

    class Meta:
        model = ChangeRequest
        fields = ("request", "kind", "summary", "proposed_by", "proposing_side", "proposed_at", "status")
        sequence = (*fields, "monthly_cost_delta", "decided_at")
        empty_text = "No change requests match."

    def render_request(self, value):
        return f"#{value}"

    def value_request(self, value):
        return value

    def render_summary(self, record):
        return record.summary

    def render_proposed_by(self, value):
        return display_name(value, "—")

    value_proposed_by = render_proposed_by

    def render_status(self, value, record):
        return format_html('<span class="badge change-status change-{}">{}</span>', record.status, value)

    def value_status(self, value):
        return value

    def _delta(self, record):
        return current_delta(record, self.live_terms)

    def render_monthly_cost_delta(self, record):
        delta = self._delta(record)
        if delta is None:
            return "No longer applies"
        return money(delta, signed=True)

    def value_monthly_cost_delta(self, record):
        delta = self._delta(record)
        return "" if delta is None else delta
