"""The list of agents in ramp (and its CSV export)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from onboarding.models import Onboarding


class RampOnboardingTable(tables.Table):
    agent = tables.Column(accessor="agent__full_name", verbose_name="Agent", linkify=False)
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement")
    stage = tables.Column()
    ramp_entered = tables.DateTimeColumn(verbose_name="Entered ramp", format="j M Y")
    weeks = tables.Column(accessor="ramp_result__closed_weeks", verbose_name="Weeks closed", default=0)
    last_status = tables.Column(accessor="ramp_result__last_status", verbose_name="Last week", default="—")
    met_run = tables.Column(accessor="ramp_result__met_run", verbose_name="Run on final targets", default=0)
    flags = tables.Column(accessor="flag_count", verbose_name="Coaching flags", default=0)
    finished_week = tables.Column(accessor="ramp_result__finished_week", verbose_name="Finished in week", default="—")

    class Meta:
        model = Onboarding
        fields = ("agent", "engagement", "stage", "ramp_entered", "weeks", "last_status", "met_run", "flags")
        sequence = ("agent", "engagement", "stage", "ramp_entered", "weeks", "last_status", "met_run", "flags")
        order_by = ("-ramp_entered",)

    def render_agent(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("onboarding:ramp_onboarding", args=[record.pk]), value)

    def value_agent(self, value):
        return value

    def render_last_status(self, value):
        tone = {"met": "success", "missed": "danger"}.get(value, "secondary")
        label = {"met": "Met", "missed": "Missed", "no_data": "No data"}.get(value, value)
        return format_html('<span class="badge text-bg-{}">{}</span>', tone, label)

    def value_last_status(self, value):
        return value
