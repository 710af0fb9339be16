import django_tables2 as tables

from onboarding.models import Onboarding


class OnboardingTable(tables.Table):
    agent = tables.Column(
        accessor="agent__full_name", verbose_name="Agent", linkify=True, order_by=("agent__full_name",)
    )
    employee_ref = tables.Column(accessor="agent__employee_ref", verbose_name="Employee ID", default="—")
    engagement = tables.Column(accessor="engagement__name", verbose_name="Engagement", order_by=("engagement__name",))
    stage = tables.Column()
    stage_entered_at = tables.DateColumn(verbose_name="In stage since", format="j M Y")
    sourcing_channel = tables.Column(verbose_name="Sourcing", default="—")
    country = tables.Column(
        accessor="agent__country", verbose_name="Country", default="—", order_by=("agent__country",)
    )
    offboard_reason = tables.Column(verbose_name="Offboarded because", default="")

    class Meta:
        model = Onboarding
        fields = [
            "agent",
            "employee_ref",
            "engagement",
            "stage",
            "stage_entered_at",
            "sourcing_channel",
            "country",
            "offboard_reason",
        ]
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "onboarding-table"}

    def value_country(self, value):
        return getattr(value, "code", value) or ""
