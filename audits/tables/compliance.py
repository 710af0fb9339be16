"""Tables of the compliance lists: sortable columns, and CSV export of exactly what is shown."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from audits.models import ComplianceAudit, CorrectiveAction, Finding
from engagements.models.people import display_name

STATUS_BADGE = {"draft": "text-bg-secondary", "in_progress": "text-bg-primary", "completed": "text-bg-success"}
SEVERITY_BADGE = {"critical": "danger", "major": "warning", "minor": "info", "observation": "secondary"}


def _engagement(record_path):
    return tables.Column(
        verbose_name="Engagement",
        accessor=f"{record_path}__name",
        order_by=(f"{record_path}__name",),
        linkify=lambda record: _get(record, record_path).get_absolute_url(),
    )


def _get(record, path):
    for part in path.split("__"):
        record = getattr(record, part)
    return record


class ComplianceAuditTable(tables.Table):
    period_end = tables.Column(verbose_name="Period", linkify=True)
    engagement = _engagement("engagement")
    status = tables.Column()
    score = tables.Column(verbose_name="Score")
    auditor = tables.Column(order_by=("auditor__last_name", "auditor__first_name"))
    finding_count = tables.Column(verbose_name="Findings")
    open_actions = tables.Column(verbose_name="Open actions")

    class Meta:
        model = ComplianceAudit
        fields = ("period_end", "engagement", "status", "score", "auditor", "finding_count", "open_actions")
        empty_text = "No compliance audits yet."

    def render_period_end(self, record):
        return f"{record.period_start:%d %b %Y} – {record.period_end:%d %b %Y}"

    def value_period_end(self, record):
        return f"{record.period_start:%Y-%m-%d}..{record.period_end:%Y-%m-%d}"

    def render_status(self, record):
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGE[record.status], record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_score(self, value):
        return f"{value}%"

    def render_auditor(self, value):
        return display_name(value)


class FindingTable(tables.Table):
    title = tables.Column(linkify=True)
    engagement = _engagement("audit__engagement")
    severity = tables.Column()
    status = tables.Column()
    action_count = tables.Column(verbose_name="Corrective actions")
    created_at = tables.DateColumn(verbose_name="Raised")

    class Meta:
        model = Finding
        fields = ("title", "engagement", "severity", "status", "action_count", "created_at")
        empty_text = "No findings."

    def render_severity(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', SEVERITY_BADGE[record.severity], record.get_severity_display()
        )

    def value_severity(self, record):
        return record.get_severity_display()


class CorrectiveActionTable(tables.Table):
    description = tables.Column(verbose_name="Action", linkify=True)
    finding = tables.Column(accessor="finding__title", order_by=("finding__title",), verbose_name="Finding")
    severity = tables.Column(accessor="finding__severity", verbose_name="Severity")
    engagement = _engagement("finding__audit__engagement")
    owner = tables.Column(order_by=("owner__last_name", "owner__first_name"))
    due_on = tables.DateColumn(verbose_name="Due")
    status = tables.Column()

    class Meta:
        model = CorrectiveAction
        fields = ("description", "finding", "severity", "engagement", "owner", "due_on", "status")
        empty_text = "No corrective actions."

    def render_description(self, record):
        return str(record)

    def render_severity(self, record):
        severity = record.finding.severity
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', SEVERITY_BADGE[severity], record.finding.get_severity_display()
        )

    def value_severity(self, record):
        return record.finding.get_severity_display()

    def render_owner(self, value):
        return display_name(value)

    def render_status(self, record):
        late = not record.is_done and record.due_on < timezone.localdate()
        badge = mark_safe(' <span class="badge text-bg-danger">Overdue</span>') if late else ""
        return format_html("{}{}", record.get_status_display(), badge)

    def value_status(self, record):
        return record.get_status_display()
