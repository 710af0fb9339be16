"""Tables of the training lists: sortable columns, and CSV export of exactly what is shown."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from onboarding.choices import CompletionStatus
from onboarding.models import Curriculum, TrainingCompletion, TrainingModule
from onboarding.services.training import completion_status

STATUS_TONE = {
    CompletionStatus.CURRENT: "success",
    CompletionStatus.EXPIRING: "warning",
    CompletionStatus.EXPIRED: "danger",
    CompletionStatus.NOT_STARTED: "secondary",
}


class TrainingModuleTable(tables.Table):
    title = tables.Column(linkify=True)
    kind = tables.Column()
    owner = tables.Column(empty_values=(), orderable=False, verbose_name="Owner")
    pass_mark = tables.Column(verbose_name="Pass mark")
    max_attempts = tables.Column(verbose_name="Attempts")
    renewal_months = tables.Column(verbose_name="Renewal")
    question_count = tables.Column(verbose_name="Questions")

    class Meta:
        model = TrainingModule
        fields = ("title", "kind", "owner", "pass_mark", "max_attempts", "renewal_months", "question_count")
        empty_text = "No training modules yet."

    def render_owner(self, record):
        return record.provider or record.practice

    def render_pass_mark(self, value):
        return f"{value}%"

    def render_renewal_months(self, value):
        return f"{value} months"


class CurriculumTable(tables.Table):
    engagement = tables.Column(
        accessor="engagement__name", linkify=lambda record: record.get_absolute_url(), verbose_name="Engagement"
    )
    practice = tables.Column(accessor="engagement__practice__name", verbose_name="Practice")
    provider = tables.Column(accessor="engagement__provider__name", verbose_name="Provider")
    item_count = tables.Column(verbose_name="Modules")
    required_count = tables.Column(verbose_name="Required")
    updated_at = tables.DateTimeColumn(format="j M Y", verbose_name="Updated")

    class Meta:
        model = Curriculum
        fields = ("engagement", "practice", "provider", "item_count", "required_count", "updated_at")
        empty_text = "No curricula yet."


class TrainingCompletionTable(tables.Table):
    trainee = tables.Column(empty_values=(), order_by=("agent__full_name",), verbose_name="Trainee")
    module = tables.Column(accessor="module__title", linkify=lambda record: record.module.get_absolute_url())
    passed_on = tables.DateColumn(format="j M Y", verbose_name="Passed")
    expires_on = tables.DateColumn(format="j M Y", verbose_name="Expires")
    status = tables.Column(empty_values=(), orderable=False)
    score = tables.Column()
    source = tables.Column()
    external_id = tables.Column(verbose_name="LMS id")

    class Meta:
        model = TrainingCompletion
        fields = ("trainee", "module", "passed_on", "expires_on", "status", "score", "source", "external_id")
        empty_text = "No completions recorded."

    def render_trainee(self, record):
        return record.agent or (record.person.get_full_name() or record.person.email)

    def _status(self, record):
        return completion_status(record, timezone.localdate())

    def render_status(self, record):
        status = self._status(record)
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', STATUS_TONE[status], CompletionStatus(status).label
        )

    def value_status(self, record):
        return CompletionStatus(self._status(record)).label

    def render_score(self, value):
        return f"{value}%"
