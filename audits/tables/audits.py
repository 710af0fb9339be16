import django_tables2 as tables
from django.utils.html import format_html

from audits.models import Dispute, QualityAudit, Scorecard
from engagements.models.people import display_name


class ResultColumn(tables.Column):
    """Passed, below the pass mark, or a critical fail; the CSV export gets the plain word."""

    def render(self, value, record):
        if record.critical_failed:
            return format_html('<span class="badge text-bg-danger">{}</span>', "Critical fail")
        if record.passed:
            return format_html('<span class="badge text-bg-success">{}</span>', "Passed")
        return format_html('<span class="badge text-bg-warning">{}</span>', "Below pass mark")

    def value(self, value, record):
        if record.passed is None:
            return ""
        return "critical fail" if record.critical_failed else ("passed" if record.passed else "failed")


class ScorecardTable(tables.Table):
    name = tables.Column(linkify=True)
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement")
    service_line = tables.Column(default="All work")
    created_at = tables.DateColumn(verbose_name="Created", format="j M Y")

    class Meta:
        model = Scorecard
        fields = ["name", "engagement", "service_line", "created_at"]
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "scorecard-table"}


class AuditTable(tables.Table):
    interaction_date = tables.DateColumn(verbose_name="Date", format="j M Y", linkify=True)
    agent = tables.Column(accessor="agent__full_name", verbose_name="Agent", order_by=("agent__full_name",))
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement", order_by=("engagement__name",))
    interaction_type = tables.Column(verbose_name="Type")
    interaction_ref = tables.Column(verbose_name="Reference")
    auditor_side = tables.Column(verbose_name="Side")
    auditor = tables.Column(order_by=("auditor__last_name",))
    score = tables.Column(attrs={"td": {"class": "text-end"}})
    result = ResultColumn(accessor="passed", verbose_name="Result", order_by=("critical_failed", "passed"))
    status = tables.Column()

    class Meta:
        model = QualityAudit
        fields = [
            "interaction_date",
            "agent",
            "engagement",
            "interaction_type",
            "interaction_ref",
            "auditor_side",
            "auditor",
            "score",
            "result",
            "status",
        ]
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "audit-table"}

    def render_auditor(self, value):
        return display_name(value)

    def value_auditor(self, value):
        return display_name(value)


class DisputeTable(tables.Table):
    raised_at = tables.DateColumn(verbose_name="Raised", format="j M Y", linkify=True)
    agent = tables.Column(accessor="audit__agent__full_name", verbose_name="Agent")
    engagement = tables.Column(accessor="audit__engagement__name", verbose_name="Engagement")
    deciding_side = tables.Column(accessor="audit__auditor_side", verbose_name="Decided by")
    score = tables.Column(accessor="audit__score", verbose_name="Score now", attrs={"td": {"class": "text-end"}})
    decide_by = tables.DateColumn(verbose_name="Decide by", format="j M Y")
    status = tables.Column()

    class Meta:
        model = Dispute
        fields = ["raised_at", "agent", "engagement", "deciding_side", "score", "decide_by", "status"]
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "dispute-table"}
