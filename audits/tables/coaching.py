"""Tables (and their CSV exports) for calibration sessions, action plans, assignments and recognition."""

import django_tables2 as tables
from django.utils.html import format_html

from audits.models import ActionPlan, AuditAssignment, CalibrationSession
from engagements.models.people import display_name


class PersonColumn(tables.Column):
    def render(self, value):
        return display_name(value)

    def value(self, value):
        return display_name(value)


class CalibrationSessionTable(tables.Table):
    title = tables.Column(linkify=True)
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement")
    version = tables.Column(verbose_name="Scorecard", order_by=("version__scorecard__name", "version__number"))
    interaction_date = tables.DateColumn(verbose_name="Interaction", format="j M Y")
    deadline = tables.DateTimeColumn(short=True)
    status = tables.Column()
    submitted = tables.Column(verbose_name="Scored", orderable=False, empty_values=())

    class Meta:
        model = CalibrationSession
        fields = ("title", "engagement", "version", "interaction_date", "deadline", "status", "submitted")

    def render_submitted(self, record):
        return f"{record.submitted_count} of {record.panel_count}"

    def value_submitted(self, record):
        return f"{record.submitted_count}/{record.panel_count}"


class ActionPlanTable(tables.Table):
    title = tables.Column(linkify=True)
    agent = tables.Column(accessor="agent__full_name", verbose_name="Agent")
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement")
    owner = PersonColumn(order_by=("owner__last_name", "owner__first_name"))
    due_on = tables.DateColumn(verbose_name="Due", format="j M Y")
    follow_up_on = tables.DateColumn(verbose_name="Follow-up from", format="j M Y")
    status = tables.Column()
    escalated = tables.BooleanColumn()

    class Meta:
        model = ActionPlan
        fields = ("title", "agent", "engagement", "owner", "due_on", "follow_up_on", "status", "escalated")


class AuditAssignmentTable(tables.Table):
    week_start = tables.DateColumn(verbose_name="Week of", format="j M Y")
    agent = tables.Column(accessor="agent__full_name", verbose_name="Agent")
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement")
    slot = tables.Column(verbose_name="#")
    kind = tables.Column()
    band = tables.Column()
    auditor = PersonColumn(order_by=("auditor__last_name", "auditor__first_name"), default="—")
    audit = tables.Column(verbose_name="Done by", default="Open")

    class Meta:
        model = AuditAssignment
        fields = ("week_start", "agent", "engagement", "slot", "kind", "band", "auditor", "audit")

    def render_audit(self, value):
        from audits.templatetags.coaching import audit_url

        url = audit_url(value)
        return format_html('<a href="{}">Audit #{}</a>', url, value.pk) if url else f"Audit #{value.pk}"

    def value_audit(self, value):
        return value.pk if value else ""


class RecognitionTable(tables.Table):
    """Rows are audits.services.recognition.Entry."""

    list = tables.Column(verbose_name="List")
    agent = tables.Column(accessor="agent__full_name", verbose_name="Agent")
    band = tables.Column(accessor="band__label", verbose_name="Band")
    trailing = tables.Column(accessor="band__trailing_score", verbose_name="Trailing score", default="—")
    audits = tables.Column(verbose_name="Audits in window")
    reason = tables.Column(verbose_name="Why")

    def render_list(self, value):
        label = "Recognition" if value == "recognition" else "Training and supervision"
        css = "text-bg-success" if value == "recognition" else "text-bg-warning"
        return format_html('<span class="badge {}">{}</span>', css, label)
