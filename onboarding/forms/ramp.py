"""The ramp plan editor: N, K, and a weeks × metrics grid of thresholds (blank: no target that week)."""

from django import forms

from onboarding.models.ramp import MAX_WEEKS


class RampPlanForm(forms.Form):
    weeks = forms.IntegerField(min_value=1, max_value=MAX_WEEKS, label="Weeks (N)")
    consecutive_weeks = forms.IntegerField(min_value=1, max_value=MAX_WEEKS, label="Consecutive weeks to finish (K)")

    def __init__(self, *args, metrics, weeks: int, initial_thresholds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = list(metrics)
        self.grid_weeks = weeks
        for week in range(1, weeks + 1):
            for metric in self.metrics:
                name = self.cell_name(week, metric.code)
                self.fields[name] = forms.DecimalField(
                    required=False,
                    max_digits=12,
                    decimal_places=2,
                    label=f"Week {week} · {metric.name}",
                    initial=initial_thresholds.get((week, metric.code)),
                    widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm"}),
                )

    @staticmethod
    def cell_name(week: int, code: str) -> str:
        return f"t_{week}_{code}"

    def rows(self):
        """[(week, [bound field per metric])] for the grid template."""
        return [
            (week, [self[self.cell_name(week, metric.code)] for metric in self.metrics])
            for week in range(1, self.grid_weeks + 1)
        ]

    def thresholds(self) -> dict:
        data = self.cleaned_data
        weeks = data["weeks"]
        return {
            (week, metric.code): data.get(self.cell_name(week, metric.code))
            for week in range(1, min(weeks, self.grid_weeks) + 1)
            for metric in self.metrics
        }
