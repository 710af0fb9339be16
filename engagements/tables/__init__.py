import django_tables2 as tables
from django.utils.html import format_html

from engagements.models import Agent, Engagement, Membership, Practice, Provider


class StatusBadgeColumn(tables.Column):
    def render(self, value, record):
        return format_html('<span class="badge status-badge status-{}">{}</span>', record.status, value)

    def value(self, value, record):
        return value


class EngagementTable(tables.Table):
    name = tables.Column(linkify=True)
    practice = tables.Column(linkify=True)
    provider = tables.Column(linkify=True)
    status = StatusBadgeColumn()
    service_lines = tables.ManyToManyColumn(verbose_name="Service lines", orderable=False)
    target_go_live = tables.DateColumn(verbose_name="Go-live")
    updated_at = tables.DateColumn(verbose_name="Updated")

    class Meta:
        model = Engagement
        fields = ("name", "practice", "provider", "status", "service_lines", "target_go_live", "updated_at")
        empty_text = "No engagements match."


class PracticeTable(tables.Table):
    name = tables.Column(linkify=True)
    locations = tables.Column(accessor="location_count", verbose_name="Locations")
    monthly_patient_volume = tables.Column(verbose_name="Patients / month")

    class Meta:
        model = Practice
        fields = ("name", "kind", "timezone", "locations", "monthly_patient_volume")
        empty_text = "No practices match."


class ProviderTable(tables.Table):
    name = tables.Column(linkify=True)
    # django-countries' lazy choices break django-tables2's get_FOO_display, so these read plain properties.
    headquarters_country = tables.Column(
        accessor="headquarters_country_name", verbose_name="Headquarters", order_by=("headquarters_country",)
    )
    delivery_countries = tables.Column(accessor="delivery_country_names", verbose_name="Delivers from", orderable=False)
    coverage_24x7 = tables.BooleanColumn(verbose_name="24x7")

    class Meta:
        model = Provider
        fields = (
            "name",
            "headquarters_country",
            "delivery_countries",
            "languages",
            "coverage_24x7",
            "eye_care_experience_years",
        )
        empty_text = "No providers match."


class AgentTable(tables.Table):
    full_name = tables.Column(linkify=True, verbose_name="Name")
    provider = tables.Column(linkify=True)
    status = StatusBadgeColumn()

    class Meta:
        model = Agent
        fields = ("full_name", "employee_ref", "provider", "status", "languages", "hired_on")
        empty_text = "No agents match."


class MemberTable(tables.Table):
    name = tables.Column(accessor="user__get_full_name", verbose_name="Name", order_by=("user__first_name",))
    email = tables.Column(accessor="user__email", verbose_name="E-mail")
    role = tables.Column(accessor="role_label", verbose_name="Role", order_by=("role",))
    active = tables.BooleanColumn(accessor="user__is_active", verbose_name="Active")
    last_login = tables.DateTimeColumn(accessor="user__last_login", verbose_name="Last sign-in")
    actions = tables.TemplateColumn(
        template_name="engagements/people/_member_actions.html", orderable=False, exclude_from_export=True
    )

    class Meta:
        model = Membership
        fields = ("name", "email", "role", "job_title", "active", "last_login", "actions")
        attrs = {"class": "table table-hover align-middle mb-0", "thead": {"class": "table-light"}}
        empty_text = "Nobody yet."
