"""Action plan pages: the list, one plan, "Start an action plan" from a failing audit, edits and outcomes."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView

from audits.filters.coaching import ActionPlanFilterSet
from audits.forms.coaching import ActionPlanForm
from audits.models import ActionPlan, ActionPlanItem, QualityAudit
from audits.services import plans
from audits.tables.coaching import ActionPlanTable
from audits.views.coaching_base import run_service
from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectListView
from engagements.access import can_act_on


class ActionPlanListView(ObjectListView):
    model = ActionPlan
    table_class = ActionPlanTable
    filterset_class = ActionPlanFilterSet
    title = "Action plans"
    select_related = ("agent", "engagement", "owner")


class ActionPlanDetailView(LoginRequiredMixin, DetailView):
    template_name = "audits/plans/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return ActionPlan.objects.for_user(self.request.user).select_related(
            "agent", "engagement", "owner", "follow_up_audit", "previous_plan"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        context.update(
            items=plan.items.prefetch_related("criteria"),
            causing=plan.causing_audits.filter(pk__in=QualityAudit.objects.for_user(self.request.user)),
            can_manage=ActionPlan.objects.for_user(self.request.user, "change").filter(pk=plan.pk).exists(),
            follow_up=getattr(plan, "follow_up_assignment", None),
        )
        return context


class StartActionPlanView(LoginRequiredMixin, FormView):
    """ "Start an action plan" from an audit: its failed criteria are the items, ready to edit. `?previous=<plan>`
    starts the next plan after one that was not effective."""

    template_name = "audits/plans/plan_form.html"
    form_class = ActionPlanForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.audit = get_object_or_404(
            QualityAudit.objects.for_user(request.user).scored().select_related("engagement", "agent", "version"),
            pk=kwargs["audit_pk"],
        )
        if not can_act_on(request.user, self.audit.engagement, "change"):
            raise PermissionDenied("Only the engagement's managers start action plans.")
        self.previous = None
        if request.GET.get("previous") or request.POST.get("previous"):
            self.previous = get_object_or_404(
                ActionPlan.objects.for_user(request.user),
                pk=request.GET.get("previous") or request.POST.get("previous"),
            )
        self.suggestion = plans.suggest_from_audit(self.audit)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        from datetime import timedelta

        from audits.services.sampling import today_of

        today = today_of(self.audit.engagement)
        return {
            "title": self.suggestion.title,
            "owner": self.request.user.pk,
            "due_on": today + timedelta(days=14),
            "follow_up_on": today + timedelta(days=14),
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.audit.engagement, "items": self.suggestion.items}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "audit": self.audit,
            "previous": self.previous,
            "title": f"Start an action plan for {self.audit.agent}",
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            plan = plans.create_plan(
                engagement=self.audit.engagement,
                agent=self.audit.agent,
                by=self.request.user,
                title=data["title"],
                owner=data["owner"],
                due_on=data["due_on"],
                follow_up_on=data["follow_up_on"],
                audits=[self.audit],
                items=form.items(),
                previous_plan=self.previous,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Action plan started; its follow-up audit is in the auditor's queue.")
        return redirect(plan)


class PlanWriteMixin(LoginRequiredMixin):
    """The plan among those the user may see (else 404), and may change (else 403)."""

    def get_plan(self):
        plan = get_object_or_404(ActionPlan.objects.for_user(self.request.user), pk=self.kwargs["pk"])
        if not ActionPlan.objects.for_user(self.request.user, "change").filter(pk=plan.pk).exists():
            raise PermissionDenied("Only the engagement's managers change action plans.")
        return plan


class ActionPlanEditView(PlanWriteMixin, FormView):
    template_name = "generic/object_form.html"
    form_class = ActionPlanForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.plan = self.get_plan()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {f: getattr(self.plan, f) for f in ("title", "due_on", "follow_up_on")} | {"owner": self.plan.owner_id}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.plan.engagement, "with_items": False}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Edit {self.plan}",
            "cancel_url": self.plan.get_absolute_url(),
        }

    def form_valid(self, form):
        try:
            plans.update_plan(self.plan, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Saved.")
        return redirect(self.plan)


class ActionPlanItemToggleView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        item = get_object_or_404(ActionPlanItem.objects.for_user(request.user).select_related("plan"), pk=pk)
        if not ActionPlan.objects.for_user(request.user, "change").filter(pk=item.plan_id).exists():
            raise PermissionDenied("Only the engagement's managers change action plans.")
        done = request.POST.get("done") == "1"
        return run_service(request, lambda: plans.set_item_done(item, done=done, by=request.user), "Saved.", item.plan)


class ActionPlanOutcomeView(PlanWriteMixin, View):
    """POST: cancel an open plan, or escalate one that was not effective (both with a note)."""

    http_method_names = ["post"]
    verb = "cancel"

    def post(self, request, pk):
        plan = self.get_plan()
        note = request.POST.get("note", "")
        service = plans.cancel_plan if self.verb == "cancel" else plans.escalate_plan

        def call():
            with transaction.atomic():
                service(plan, by=request.user, note=note)

        done = "Plan cancelled." if self.verb == "cancel" else "Escalated to both sides' managers."
        return run_service(request, call, done, plan)
