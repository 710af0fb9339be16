"""The Interviews table (and its CSV export)."""

import django_tables2 as tables

from engagements.models.people import display_name
from onboarding.models import Interview


class InterviewTable(tables.Table):
    agent = tables.Column(
        accessor="onboarding__agent__full_name",
        verbose_name="Candidate",
        linkify=lambda record: record.get_absolute_url(),
    )
    engagement = tables.Column(accessor="onboarding__engagement__name", verbose_name="Engagement")
    round = tables.Column(order_by=("round__number",))
    scheduled_at = tables.DateTimeColumn(verbose_name="When", short=True)
    interviewers = tables.Column(orderable=False, empty_values=())
    feedback = tables.Column(verbose_name="Feedback", orderable=False, empty_values=())
    average = tables.Column(verbose_name="Average")
    status = tables.Column()

    class Meta:
        model = Interview
        fields = ("agent", "engagement", "round", "scheduled_at", "interviewers", "feedback", "average", "status")
        attrs = {"data-testid": "interview-table"}

    def render_interviewers(self, record):
        return ", ".join(display_name(user) for user in record.interviewers.all())

    def value_interviewers(self, record):
        return self.render_interviewers(record)

    def render_feedback(self, record):
        return f"{len(record.feedback.all())} of {len(record.interviewers.all())}"

    def value_feedback(self, record):
        return self.render_feedback(record)

    def render_status(self, record):
        label = record.get_status_display()
        return f"{label} (overridden)" if record.is_overridden else label

    def value_status(self, record):
        return self.render_status(record)
