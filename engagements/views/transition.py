"""The phased transition's pages: the timeline, a phase's gate, and the forms that plan phases, gate criteria and
milestones. Views read through the models' `for_user` scopes and change state only through the services."""

from dataclasses import dataclass
from datetime import date, timedelta

import django_tables2 as tables
from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from bpo_portal.errors import DomainError
from bpo_portal.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from engagements.access import can_act_on
from engagements.filters.transition import MilestoneFilterSet
from engagements.forms.transition import GateCriterionForm, GateDecisionForm, MilestoneForm, PhaseForm
from engagements.models import Engagement, GateCriterion, Milestone, TransitionPhase
from engagements.services import transition as services

# --- The timeline ----------------------------------------------------------------------------------------------------


@dataclass
class Bar:
    phase: TransitionPhase
    left: float  # percent of the axis
    width: float
    actual_left: float | None
    actual_width: float | None
    markers: list  # (milestone, left percent, overdue)


def _percent(day: date, first: date, span: int) -> float:
    return round(100 * (day - first).days / span, 2)


def timeline(phases: list[TransitionPhase], today: date) -> dict:
    """Bars per phase on a date axis from the first to the last date the plan mentions, today included, with
    milestones as markers and month ticks. Percentages, so the page scales with the window."""
    days = [today]
    for phase in phases:
        days += [phase.planned_start, phase.planned_end, *(m.due_on for m in phase.milestones.all())]
        days += [d for d in (phase.actual_start, phase.actual_end) if d]
    first, last = min(days) - timedelta(days=3), max(days) + timedelta(days=4)
    span = max((last - first).days, 1)
    bars = []
    for phase in phases:
        actual_end = phase.actual_end or (today if phase.actual_start else None)
        bars.append(
            Bar(
                phase=phase,
                left=_percent(phase.planned_start, first, span),
                width=max(
                    _percent(phase.planned_end + timedelta(days=1), first, span)
                    - _percent(phase.planned_start, first, span),
                    0.5,
                ),
                actual_left=_percent(phase.actual_start, first, span) if phase.actual_start else None,
                actual_width=(
                    max(
                        _percent(actual_end + timedelta(days=1), first, span)
                        - _percent(phase.actual_start, first, span),
                        0.5,
                    )
                    if phase.actual_start
                    else None
                ),
                markers=[(m, _percent(m.due_on, first, span), m.is_overdue(today)) for m in phase.milestones.all()],
            )
        )
    ticks, month = [], first.replace(day=1) + relativedelta(months=1)
    while month <= last:
        ticks.append((month, _percent(month, first, span)))
        month += relativedelta(months=1)
    return {"bars": bars, "ticks": ticks, "today": _percent(today, first, span), "first": first, "last": last}


def phases_of(engagement: Engagement):
    milestones = Prefetch("milestones", queryset=Milestone.objects.select_related("owner_user", "done_by"))
    return list(engagement.transition_phases.order_by("order", "pk").prefetch_related("service_lines", milestones))


class TransitionView(ObjectDetailView):
    model = Engagement
    template_name = "engagements/transition/timeline.html"
    select_related = ("practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        today = services.practice_today(engagement)
        phases = phases_of(engagement)
        for phase in phases:
            phase.engagement = engagement  # already loaded: saves a query per phase
        evaluations = services.evaluate_gates(phases, today)
        for phase in phases:
            phase.evaluation = evaluations[phase.pk]
        overdue = [m for phase in phases for m in phase.milestones.all() if m.is_overdue(today)]
        context.update(
            today=today,
            phases=phases,
            timeline=timeline(phases, today) if phases else None,
            overdue=overdue,
            can_plan=can_act_on(self.request.user, engagement, "manage_contract") and not engagement.is_ended,
            can_milestones=self.can("change", engagement) and not engagement.is_ended,
            can_start=engagement.status == "transitioning" and phases and all(p.is_planned for p in phases),
        )
        return context


# --- Planning: whole plan and phases ---------------------------------------------------------------------------------


class EngagementPlanAction(ObjectActionView):
    model = Engagement
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers can change the transition plan."

    def get_success_url(self, obj):
        return reverse("engagements:transition", args=[obj.pk])


class StandardPlanView(EngagementPlanAction):
    def perform(self, engagement):
        phases = services.create_standard_plan(engagement, by=self.request.user)
        return f"Planned {len(phases)} phase{'s' if len(phases) != 1 else ''} from the standard plan."


class StartTransitionView(EngagementPlanAction):
    def perform(self, engagement):
        phase = services.start_transition(engagement, by=self.request.user)
        return f"“{phase.name}” started today; its service lines are now live."


class EngagementChildCreateView(ObjectCreateView):
    """A create form under an engagement or a phase the user can see (else 404)."""

    permission = "manage_contract"
    parent_model = Engagement

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.parent = get_object_or_404(self.parent_model.objects.for_user(request.user), pk=kwargs["pk"])
        self.engagement = self.parent if self.parent_model is Engagement else self.parent.engagement
        return super().dispatch(request, *args, **kwargs)

    def can_create(self):
        return can_act_on(self.request.user, self.engagement, self.permission)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("engagements:transition", args=[self.engagement.pk])
        return context


class PhaseCreateView(EngagementChildCreateView):
    model = TransitionPhase
    form_class = PhaseForm
    success_message = "Phase saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"New phase — {self.engagement.name}"}

    def perform_save(self, form):
        return services.save_phase(
            form.instance, by=self.request.user, service_lines=form.cleaned_data["service_lines"]
        )


class PhaseUpdateView(ObjectUpdateView):
    model = TransitionPhase
    form_class = PhaseForm
    select_related = ("engagement",)
    denied_message = "Only the practice's managers change the transition plan."
    success_message = "Phase saved."

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Edit phase — {self.object.engagement.name}"}

    def perform_save(self, form):
        return services.save_phase(
            form.instance, by=self.request.user, service_lines=form.cleaned_data["service_lines"]
        )


class PhaseDeleteView(ObjectDeleteView):
    model = TransitionPhase
    select_related = ("engagement",)
    denied_message = "Only the practice's managers change the transition plan."

    def get_success_url(self):
        return reverse("engagements:transition", args=[self.object.engagement_id])

    def perform_delete(self, obj):
        services.delete_phase(obj, by=self.request.user)


# --- The gate --------------------------------------------------------------------------------------------------------


class GateView(ObjectDetailView):
    model = TransitionPhase
    template_name = "engagements/transition/gate.html"
    select_related = ("engagement__practice", "engagement__provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        phase = self.object
        can_decide = self.can("change", phase) and phase.is_active and not phase.engagement.is_ended
        context.update(
            phase=phase,
            engagement=phase.engagement,
            evaluation=services.evaluate_gate(phase),
            decisions=phase.gate_decisions.select_related("decided_by"),
            next_phase=services.next_phase(phase),
            can_plan=self.can("change", phase) and not phase.is_done and not phase.engagement.is_ended,
            can_decide=can_decide,
            form=GateDecisionForm() if can_decide else None,
        )
        return context


class GateDecisionView(ObjectActionView):
    model = TransitionPhase
    denied_message = "Only the practice's managers decide a phase's gate."

    def perform(self, phase):
        form = GateDecisionForm(self.request.POST)
        if not form.is_valid():
            raise DomainError("Choose go or no-go.")
        decision = services.record_gate_decision(phase, by=self.request.user, **form.cleaned_data)
        if decision.is_go:
            upcoming = phase.engagement.transition_phases.filter(status="active").first()
            if upcoming is None:
                return "Go recorded: every phase is done. Move the engagement to steady state when both sides agree."
            return f"Go recorded. “{upcoming.name}” is now active."
        return "No-go recorded; the phase stays active."

    def get_success_url(self, phase):
        return phase.get_gate_url()


class CriterionCreateView(EngagementChildCreateView):
    model = GateCriterion
    form_class = GateCriterionForm
    parent_model = TransitionPhase
    success_message = "Gate criterion saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "phase": self.parent}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"New gate criterion — {self.parent.name}",
            "cancel_url": self.parent.get_gate_url(),
        }

    def perform_save(self, form):
        return services.save_criterion(form.instance, by=self.request.user)


class CriterionDeleteView(ObjectDeleteView):
    model = GateCriterion
    select_related = ("phase__engagement", "target__metric")
    denied_message = "Only the practice's managers set gate criteria."

    def get_success_url(self):
        return self.object.phase.get_gate_url()

    def perform_delete(self, obj):
        services.delete_criterion(obj, by=self.request.user)


# --- Milestones ------------------------------------------------------------------------------------------------------


class MilestoneCreateView(EngagementChildCreateView):
    model = Milestone
    form_class = MilestoneForm
    parent_model = TransitionPhase
    permission = "change_engagement"
    success_message = "Milestone saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "phase": self.parent}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"New milestone — {self.parent.name}"}

    def perform_save(self, form):
        return services.save_milestone(form.instance, by=self.request.user)


class MilestoneUpdateView(ObjectUpdateView):
    model = Milestone
    form_class = MilestoneForm
    select_related = ("phase__engagement",)
    denied_message = "Only the managers of either side change milestones."
    success_message = "Milestone saved."

    def perform_save(self, form):
        return services.save_milestone(form.instance, by=self.request.user)


class MilestoneDoneView(ObjectActionView):
    model = Milestone
    select_related = ("phase__engagement",)
    denied_message = "Only the managers of either side change milestones."

    def perform(self, milestone):
        services.complete_milestone(milestone, by=self.request.user)
        return f"“{milestone.title}” marked done."


class MilestoneTable(tables.Table):
    title = tables.Column(linkify=lambda record: record.get_absolute_url())
    engagement = tables.Column(
        accessor="phase__engagement__name",
        verbose_name="Engagement",
        linkify=lambda record: reverse("engagements:transition", args=[record.phase.engagement_id]),
    )
    phase = tables.Column(accessor="phase__name", verbose_name="Phase", order_by=("phase__order",))
    owner = tables.Column(empty_values=(), orderable=False)
    due_on = tables.DateColumn(verbose_name="Due", format="j M Y")
    done_at = tables.DateTimeColumn(verbose_name="Done", format="j M Y", default="")

    class Meta:
        model = Milestone
        fields = ("title", "engagement", "phase", "owner", "due_on", "done_at")
        order_by = ("due_on",)

    def render_owner(self, record):
        return record.owner

    def value_owner(self, record):
        return record.owner

    def render_due_on(self, value, record):
        if record.is_overdue(services.practice_today(record.phase.engagement)):
            return format_html('{} <span class="badge text-bg-danger">Overdue</span>', value.strftime("%-d %b %Y"))
        return value.strftime("%-d %b %Y")


class MilestoneListView(ObjectListView):
    model = Milestone
    table_class = MilestoneTable
    filterset_class = MilestoneFilterSet
    title = "Transition milestones"
    select_related = ("phase__engagement__practice", "owner_user")

    def get_queryset(self):
        return super().get_queryset().order_by("due_on", "pk")


urlpatterns = [
    path("engagements/<int:pk>/transition/", TransitionView.as_view(), name="transition"),
    path("engagements/<int:pk>/transition/standard-plan/", StandardPlanView.as_view(), name="transition_standard"),
    path("engagements/<int:pk>/transition/start/", StartTransitionView.as_view(), name="transition_start"),
    path("engagements/<int:pk>/transition/phases/new/", PhaseCreateView.as_view(), name="phase_create"),
    path("transition/phases/<int:pk>/edit/", PhaseUpdateView.as_view(), name="phase_edit"),
    path("transition/phases/<int:pk>/delete/", PhaseDeleteView.as_view(), name="phase_delete"),
    path("transition/phases/<int:pk>/gate/", GateView.as_view(), name="phase_gate"),
    path("transition/phases/<int:pk>/gate/decision/", GateDecisionView.as_view(), name="phase_gate_decision"),
    path("transition/phases/<int:pk>/criteria/new/", CriterionCreateView.as_view(), name="criterion_create"),
    path("transition/criteria/<int:pk>/delete/", CriterionDeleteView.as_view(), name="criterion_delete"),
    path("transition/phases/<int:pk>/milestones/new/", MilestoneCreateView.as_view(), name="milestone_create"),
    path("transition/milestones/", MilestoneListView.as_view(), name="milestone_list"),
    path("transition/milestones/<int:pk>/edit/", MilestoneUpdateView.as_view(), name="milestone_edit"),
    path("transition/milestones/<int:pk>/done/", MilestoneDoneView.as_view(), name="milestone_done"),
]
