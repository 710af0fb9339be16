"""Sampling pages: an engagement's policy, its agents' bands and its coverage; the assignments list and each
auditor's queue."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from audits.filters.coaching import AuditAssignmentFilterSet
from audits.forms.coaching import CompleteAssignmentForm, SamplingPolicyForm
from audits.models import AuditAssignment
from audits.services import sampling
from audits.tables.coaching import AuditAssignmentTable
from audits.views.coaching_base import EngagementPageMixin, run_service
from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectListView
from engagements.models import Agent

COVERAGE_WEEKS = 8


class SamplingView(EngagementPageMixin, TemplateView):
    template_name = "audits/sampling/sampling.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = sampling.policy_of(self.engagement)
        agents = list(Agent.objects.filter(assignments__engagement=self.engagement).order_by("full_name"))
        bands = sampling.bands_for(self.engagement, agents, policy=policy)
        weeks = sampling.coverage(self.engagement, weeks=COVERAGE_WEEKS)
        context.update(
            policy=policy,
            agents=[(agent, bands[agent.pk]) for agent in agents],
            coverage=weeks[-2:],
            chart={
                "labels": [w.week_start.strftime("%d %b") for w in weeks],
                "due": [w.due for w in weeks],
                "done": [w.done for w in weeks],
            },
            auditors=sampling.auditors_of(policy),
            title=f"Audit sampling · {self.engagement.name}",
        )
        return context


class SamplingPolicyEditView(EngagementPageMixin, FormView):
    write = True
    template_name = "generic/object_form.html"
    form_class = SamplingPolicyForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        policy = sampling.policy_of(self.engagement)
        return {**kwargs, "engagement": self.engagement, "instance": policy}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Sampling policy · {self.engagement.name}",
            "cancel_url": sampling.policy_of(self.engagement).get_absolute_url(),
        }

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in sampling.POLICY_FIELDS}
        try:
            sampling.save_policy(
                self.engagement, by=self.request.user, auditors=list(form.cleaned_data["auditors"]), **fields
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Sampling policy saved; next week's assignments follow it.")
        return redirect("audits:sampling", self.engagement.pk)


class ScheduleWeekView(EngagementPageMixin, View):
    """Create this week's assignments now, rather than waiting for Monday's job (it creates nothing twice)."""

    write = True
    http_method_names = ["post"]

    def post(self, request, pk):
        created = sampling.schedule_week(self.engagement)
        messages.success(request, f"{created} assignment(s) created for this week.")
        return redirect("audits:sampling", self.engagement.pk)


class AssignmentListView(ObjectListView):
    model = AuditAssignment
    table_class = AuditAssignmentTable
    filterset_class = AuditAssignmentFilterSet
    title = "Audit assignments"
    select_related = ("agent", "engagement", "auditor", "audit")


class AuditorQueueView(AssignmentListView):
    """My queue: the open assignments given to me, oldest week first."""

    template_name = "audits/sampling/queue.html"
    title = "My audit queue"

    def get_queryset(self):
        return super().get_queryset().filter(auditor=self.request.user, audit__isnull=True)


class CompleteAssignmentView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        assignment = get_object_or_404(AuditAssignment.objects.for_user(request.user), pk=pk)
        if not sampling.access.may_audit(request.user, assignment.engagement):
            raise PermissionDenied("Only the engagement's auditors record what did an assignment.")
        form = CompleteAssignmentForm(request.POST, assignment=assignment, user=request.user)
        if not form.is_valid():
            messages.error(request, "Choose a submitted audit of this agent that did no other assignment.")
            return redirect("audits:queue")
        return run_service(
            request,
            lambda: sampling.complete_assignment(assignment, form.cleaned_data["audit"], by=request.user),
            "Assignment done.",
            "audits:queue",
        )
