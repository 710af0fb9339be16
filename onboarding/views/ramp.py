"""Ramp pages: the engagement's plan editor, one agent's ramp (targets vs actuals per week), the cohort chart and
the list of agents in ramp. Rules live in onboarding.services.ramp; these views only shape."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectListView
from engagements.access import can_act_on, engagements_for, is_agent
from engagements.models import Engagement
from onboarding.filters.ramp import RampOnboardingFilterSet
from onboarding.forms.ramp import RampPlanForm
from onboarding.models import Onboarding
from onboarding.services import ramp
from onboarding.tables.ramp import RampOnboardingTable
from slas.models import Metric
from slas.periods import local_today, period_start

COHORT_CURVES = 20  # curves on one chart before it stops being readable


def ramp_onboardings(user):
    """Onboardings the user may see the ramp of: the engagement's (both sides), or an agent's own."""
    if is_agent(user):
        return Onboarding.objects.filter(agent_id=user.membership.agent_id, agent__isnull=False)
    return Onboarding.objects.for_user(user)


class EngagementMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = get_object_or_404(
            Engagement.objects.filter(pk__in=engagements_for(request.user)).select_related("practice", "provider"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


class RampPlanView(EngagementMixin, TemplateView):
    """GET: the plan's grid (editable for the engagement's managers); POST: save it. `?weeks=` resizes the grid."""

    template_name = "onboarding/ramp/plan.html"

    def get_form(self, data=None):
        plan = ramp.plan_for(self.engagement)
        targets = list(plan.targets.select_related("metric"))
        try:
            weeks = int(self.request.GET.get("weeks") or (data or {}).get("weeks") or plan.weeks)
        except ValueError:
            weeks = plan.weeks
        weeks = max(1, min(weeks, 26))
        metrics = Metric.objects.filter(is_active=True)
        initial = {(t.week, t.metric.code): t.threshold for t in targets}
        form = RampPlanForm(
            data,
            metrics=metrics,
            weeks=weeks,
            initial_thresholds=initial,
            initial={"weeks": weeks, "consecutive_weeks": plan.consecutive_weeks},
        )
        return plan, form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, form = kwargs.get("plan_form") or self.get_form()
        context.update(
            engagement=self.engagement,
            plan=plan,
            form=form,
            can_change=can_act_on(self.request.user, self.engagement, "change"),
            speed=ramp.speed_to_proficiency(self.engagement),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not can_act_on(request.user, self.engagement, "change"):
            raise PermissionDenied("Only the engagement's managers change its ramp plan.")
        plan, form = self.get_form(request.POST)
        if form.is_valid():
            try:
                ramp.save_plan(
                    self.engagement,
                    by=request.user,
                    weeks=form.cleaned_data["weeks"],
                    consecutive_weeks=form.cleaned_data["consecutive_weeks"],
                    thresholds=form.thresholds(),
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, "Ramp plan saved.")
                return redirect("onboarding:ramp_plan", pk=self.engagement.pk)
        return self.render_to_response(self.get_context_data(plan_form=(plan, form)))


class RampOnboardingView(LoginRequiredMixin, TemplateView):
    """One agent's ramp on one engagement: target vs actual per week and metric, the weeks' progress, the coaching
    flag with its action-plan link."""

    template_name = "onboarding/ramp/onboarding_ramp.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        onboarding = get_object_or_404(
            ramp_onboardings(self.request.user).select_related("agent", "engagement__practice", "engagement__provider"),
            pk=self.kwargs["pk"],
        )
        evaluation = ramp.evaluate(onboarding)
        flag = ramp.open_flag(onboarding)
        quality = [
            next((c.actual for c in week.cells if c.target.metric.code == "quality_score"), None)
            for week in evaluation.weeks
        ]
        context.update(
            onboarding=onboarding,
            evaluation=evaluation,
            grid=_grid(evaluation),
            flag=flag,
            flags=onboarding.ramp_flags.all(),
            result=getattr(onboarding, "ramp_result", None),
            coaching_url=ramp.coaching_url(onboarding, self.request.user) if flag else None,
            chart={
                "labels": [f"Week {week.number}" for week in evaluation.weeks],
                "series": [{"label": str(onboarding.agent), "data": [_num(v) for v in quality]}],
            },
        )
        return context


def _num(value):
    return float(value) if value is not None else None


def _grid(evaluation):
    """Rows per metric, one cell per week (None where that week has no target on the metric)."""
    rows = []
    for metric in evaluation.metrics:
        cells = [next((c for c in week.cells if c.target.metric_id == metric.pk), None) for week in evaluation.weeks]
        rows.append((metric, cells))
    return rows


class RampCohortView(EngagementMixin, TemplateView):
    """Agents who entered ramp in the same weeks (`?from=&to=`, dates within the entry weeks): a curve per agent of
    quality by ramp week, and the engagement's speed to proficiency."""

    template_name = "onboarding/ramp/cohort.html"

    def _date(self, name, default):
        try:
            return date.fromisoformat(self.request.GET.get(name) or "") if self.request.GET.get(name) else default
        except ValueError:
            return default

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = local_today(self.engagement.practice.timezone)
        start = period_start(self._date("from", today - timedelta(weeks=12)), "week")
        end = period_start(self._date("to", today), "week") + timedelta(days=6)
        onboardings = (
            ramp.with_ramp_entry(Onboarding.objects.filter(engagement=self.engagement))
            .filter(ramp_entered__isnull=False, ramp_entered__date__gte=start, ramp_entered__date__lte=end)
            .select_related("agent", "engagement__practice")
            .order_by("ramp_entered", "pk")
        )
        plan = ramp.plan_for(self.engagement)
        cohort = list(onboardings[: COHORT_CURVES + 1])
        series, width = [], 0
        for onboarding in cohort[:COHORT_CURVES]:
            evaluation = ramp.evaluate(onboarding, plan=plan)
            values = [
                next((_num(c.actual) for c in week.cells if c.target.metric.code == "quality_score"), None)
                for week in evaluation.weeks
            ]
            width = max(width, len(values))
            series.append({"label": str(onboarding.agent), "data": values, "onboarding": onboarding.pk})
        context.update(
            engagement=self.engagement,
            plan=plan,
            start=start,
            end=end,
            cohort=cohort[:COHORT_CURVES],
            truncated=len(cohort) > COHORT_CURVES,
            speed=ramp.speed_to_proficiency(self.engagement),
            chart={"labels": [f"Week {n}" for n in range(1, width + 1)], "series": series},
        )
        return context


class RampListView(ObjectListView):
    """Agents who entered ramp, on the engagements the user sees, with what the nightly evaluation found."""

    model = Onboarding
    table_class = RampOnboardingTable
    filterset_class = RampOnboardingFilterSet
    title = "Agents in ramp"
    select_related = ("agent", "engagement", "ramp_result")

    def get_queryset(self):
        return (
            ramp.with_ramp_entry(super().get_queryset())
            .filter(ramp_entered__isnull=False)
            .annotate(flag_count=Count("ramp_flags"))
        )
