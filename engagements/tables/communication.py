import django_tables2 as tables
from django.utils.html import format_html

from engagements.choices import ReminderKind
from engagements.models import ActionItem, Meeting, Reminder


class MeetingTable(tables.Table):
    held_on = tables.DateColumn(verbose_name="Date", linkify=True)
    engagement = tables.Column(
        linkify=lambda record: record.engagement.get_absolute_url(), order_by=("engagement__name",)
    )
    kind = tables.Column(verbose_name="Meeting")
    attendees = tables.Column()
    decisions = tables.Column()
    open_items = tables.Column(verbose_name="Open action items", orderable=False)

    class Meta:
        model = Meeting
        fields = ("held_on", "engagement", "kind", "attendees", "decisions", "open_items")
        empty_text = "No meetings recorded yet."

    def render_engagement(self, value):
        return value.name

    def value_engagement(self, value):
        return value.name

    def render_attendees(self, value):
        return value if len(value) < 60 else value[:57] + "…"

    def render_decisions(self, value):
        return value if len(value) < 80 else value[:77] + "…"


class ActionItemTable(tables.Table):
    title = tables.Column(linkify=lambda record: record.meeting.get_absolute_url())
    owner = tables.Column()
    side = tables.Column(verbose_name="Side")
    due_on = tables.DateColumn(verbose_name="Due")
    done_at = tables.DateColumn(verbose_name="Done", default="Open")

    class Meta:
        model = ActionItem
        fields = ("title", "owner", "side", "due_on", "done_at")


class ReminderTable(tables.Table):
    created_at = tables.DateColumn(verbose_name="Sent")
    kind = tables.Column()
    title = tables.Column(linkify=lambda record: record.url or None)
    due_on = tables.DateColumn(verbose_name="Due")
    side = tables.Column()

    class Meta:
        model = Reminder
        fields = ("created_at", "kind", "title", "due_on", "side")
        empty_text = "No reminders have been sent to your side yet."

    def render_kind(self, value, record):
        if record.kind == ReminderKind.CERTIFICATE_EXPIRING and record.level == "danger":
            value = "Certificate expired"  # the reminder for a lapsed certificate says so, not "expiring"
        return format_html('<span class="badge text-bg-{}">{}</span>', _badge(record.level), value)

    def value_kind(self, value):
        return value


def _badge(level: str) -> str:
    return {"danger": "danger", "warning": "warning", "info": "info"}.get(level, "secondary")
