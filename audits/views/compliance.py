"""Pages of provider compliance audits: the lists (audits, findings, corrective actions), an engagement's compliance
page (frequency, next audit due, its audits), the audit page (requirements by group, results, evidence, score,
findings), findings and corrective actions, and the access-checked evidence downloads.

Every object comes from its model's `for_user(user, "view")` (else 404); a write needs the action's scope on it
(else 403) and goes through a service, whose refusal is shown on the form."""

from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import FormView

from audits.choices import ComplianceAuditStatus, CorrectiveActionStatus, FindingStatus
from audits.filters.compliance import ComplianceAuditFilterSet, CorrectiveActionFilterSet, FindingFilterSet
from audits.forms.compliance import (
    CloseCorrectiveActionForm,
    ComplianceScheduleForm,
    CorrectiveActionForm,
    EvidenceForm,
    FindingForm,
    FindingResponseForm,
    RequirementResultForm,
    StartComplianceAuditForm,
)
from audits.models import (
    ComplianceAudit,
    ComplianceEvidence,
    ComplianceRequirement,
    ComplianceSchedule,
    CorrectiveAction,
    Finding,
)
from audits.models.compliance import MANAGE_ACTIONS, engagements_allowing
from audits.services import compliance as services
from audits.tables.compliance import ComplianceAuditTable, CorrectiveActionTable, FindingTable
from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectDetailView, ObjectListView
from engagements.models import Engagement
from engagements.registries import EngagementCard
from engagements.reminders import local_today
from engagements.views.diligence import stream_evidence

FORM_TEMPLATE = "audits/compliance/form.html"


def can(user, engagement, action: str) -> bool:
    return engagements_allowing(user, action).filter(pk=engagement.pk).exists()


# --- Lists ------------------------------------------------------------------------------------------------------


class ComplianceAuditListView(ObjectListView):
    model = ComplianceAudit
    table_class = ComplianceAuditTable
    filterset_class = ComplianceAuditFilterSet
    title = "Compliance audits"
    select_related = ("engagement", "auditor")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                finding_count=Count("findings", distinct=True),
                open_actions=Count(
                    "findings__actions",
                    filter=Q(findings__actions__status__in=CorrectiveActionStatus.unfinished()),
                    distinct=True,
                ),
            )
            .order_by("-period_end", "-pk")  # a GROUP BY drops the model's default ordering
        )


class FindingListView(ObjectListView):
    model = Finding
    table_class = FindingTable
    filterset_class = FindingFilterSet
    title = "Compliance findings"
    select_related = ("audit__engagement",)

    def get_queryset(self):
        return super().get_queryset().annotate(action_count=Count("actions")).order_by("-created_at", "-pk")


class CorrectiveActionListView(ObjectListView):
    model = CorrectiveAction
    table_class = CorrectiveActionTable
    filterset_class = CorrectiveActionFilterSet
    title = "Corrective actions"
    select_related = ("finding__audit__engagement", "owner")


# --- Scoped forms -----------------------------------------------------------------------------------------------


class ScopedFormView(LoginRequiredMixin, FormView):
    """A form about one object: visible or 404, the `write_scope` on it or 403; saved through `perform`, whose
    DomainError becomes a form error. Writes run in one transaction."""

    model = None
    write_scope = "run"
    denied_message = services.AUDITS_ONLY
    select_related: tuple[str, ...] = ()
    template_name = FORM_TEMPLATE
    success_message = "Saved."
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        visible = self.model.objects.for_user(request.user, "view").select_related(*self.select_related)
        self.object = get_object_or_404(visible, pk=kwargs["pk"])
        if not self.model.objects.for_user(request.user, self.write_scope).filter(pk=self.object.pk).exists():
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                result = self.perform(form)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(result.get_absolute_url())

    def form_invalid(self, form):
        if self.request.method == "POST" and self.template_name is None:
            messages.error(self.request, " ".join(m for errors in form.errors.values() for m in errors))
            return redirect(self.object.get_absolute_url())
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, object=self.object, cancel_url=self.object.get_absolute_url())
        return context

    def perform(self, form):
        raise NotImplementedError


class PostOnlyFormView(ScopedFormView):
    """A form posted from another page (the audit or finding page): errors go back there as a message."""

    http_method_names = ["post"]
    template_name = None


class EngagementScope:
    """Engagement pages: the practice's managers (manage_contract) run the compliance audits."""

    model = Engagement
    write_scope = "manage_contract"
    select_related = ("practice", "provider")


# --- An engagement's compliance page ----------------------------------------------------------------------------


class EngagementComplianceView(ObjectDetailView):
    model = Engagement
    template_name = "audits/compliance/engagement.html"
    select_related = ("practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement, user = self.object, self.request.user
        schedule = ComplianceSchedule.objects.filter(engagement=engagement).first()
        audits = list(engagement.compliance_audits.select_related("auditor").annotate(finding_count=Count("findings")))
        completed = [a.period_end for a in audits if a.status == ComplianceAuditStatus.COMPLETED]
        context.update(
            schedule=schedule,
            next_due=services.next_audit_due(schedule, max(completed, default=None)) if schedule else None,
            today=local_today(engagement.practice.timezone),
            audits=audits,
            can_run=can(user, engagement, "run") and not engagement.is_ended,
        )
        return context


class ScheduleView(EngagementScope, ScopedFormView):
    form_class = ComplianceScheduleForm
    denied_message = "Only the practice's managers set how often the provider is audited."
    success_message = "Audit frequency saved."

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": ComplianceSchedule.objects.filter(engagement=self.object).first(),
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Compliance audit frequency — {self.object.name}"}

    def perform(self, form):
        services.set_compliance_frequency(
            self.object,
            frequency=form.cleaned_data["frequency"],
            first_due_on=form.cleaned_data["first_due_on"],
            by=self.request.user,
        )
        return _compliance_page(self.object)


class _Page:
    def __init__(self, url):
        self.url = url

    def get_absolute_url(self):
        return self.url


def _compliance_page(engagement):
    return _Page(reverse("audits:engagement_compliance", args=[engagement.pk]))


class StartAuditView(EngagementScope, ScopedFormView):
    form_class = StartComplianceAuditForm
    success_message = "Audit started: record a result for each requirement."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.object}

    def get_initial(self):
        latest = self.object.compliance_audits.filter(status=ComplianceAuditStatus.COMPLETED).first()
        return {"baseline": latest}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"New compliance audit — {self.object.name}"}

    def perform(self, form):
        return services.start_compliance_audit(self.object, by=self.request.user, **form.cleaned_data)


# --- The audit page ---------------------------------------------------------------------------------------------


class ComplianceAuditDetailView(ObjectDetailView):
    """The checklist by group with each requirement's result, notes and evidence; the score; the findings."""

    model = ComplianceAudit
    context_object_name = "audit"
    template_name = "audits/compliance/audit_detail.html"
    select_related = ("engagement__practice", "engagement__provider", "auditor", "baseline", "completed_by")

    def post(self, request, *args, **kwargs):
        """Save every requirement's result and notes at once (the practice's managers)."""
        self.object = self.get_object()
        if not self.can_run():
            raise PermissionDenied(services.AUDITS_ONLY)
        forms = [RequirementResultForm(request.POST, requirement=r) for r in self.requirements()]
        if not all(form.is_valid() for form in forms):
            messages.error(request, "Some results need fixing; see the marked requirements.")
            return self.render_to_response(self.get_context_data(result_forms=forms))
        changes = {form.requirement.key: form.cleaned_data for form in forms}
        try:
            with transaction.atomic():
                audit = services.record_results(self.object, changes, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(result_forms=forms))
        messages.success(request, f"Results saved: score {audit.score if audit.score is not None else '—'}.")
        return redirect(audit.get_absolute_url())

    def can_run(self) -> bool:
        return can(self.request.user, self.object.engagement, "run")

    def requirements(self):
        return list(
            self.object.requirements.select_related("assessed_by").prefetch_related(
                Prefetch("evidence", queryset=ComplianceEvidence.objects.order_by("uploaded_at", "pk"))
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit, user = self.object, self.request.user
        requirements = self.requirements()
        editable = self.can_run() and not audit.is_completed
        forms = kwargs.pop("result_forms", None)
        if editable and forms is None:
            forms = [RequirementResultForm(requirement=r) for r in requirements]
        by_key = {form.requirement.key: form for form in forms or []}
        for requirement in requirements:
            requirement.form = by_key.get(requirement.key)
        groups = [(group, list(rows)) for group, rows in groupby(requirements, key=lambda r: r.group)]
        assessed = sum(1 for r in requirements if r.result)
        context.update(
            groups=groups,
            assessed=assessed,
            total=len(requirements),
            editable=editable,
            can_add_evidence=can(user, audit.engagement, MANAGE_ACTIONS) and not audit.is_completed,
            findings=audit.findings.select_related("requirement").annotate(
                action_count=Count("actions"),
                open_actions=Count("actions", filter=Q(actions__status__in=CorrectiveActionStatus.unfinished())),
            ),
            evidence_form=EvidenceForm(),
        )
        return context


class NoInput(forms.Form):
    """An action that takes no input but the button."""


class CompleteAuditView(PostOnlyFormView):
    model = ComplianceAudit
    form_class = NoInput
    success_message = "Audit completed."

    def perform(self, form):
        return services.complete_compliance_audit(self.object, by=self.request.user)


class EvidenceUploadView(PostOnlyFormView):
    model = ComplianceRequirement
    write_scope = MANAGE_ACTIONS
    denied_message = "Only the managers of either side add evidence."
    form_class = EvidenceForm
    select_related = ("audit",)
    success_message = "Evidence added."

    def perform(self, form):
        services.add_evidence(self.object, form.cleaned_data["file"], by=self.request.user)
        return self.object


class EvidenceFileView(LoginRequiredMixin, View):
    """Streams a requirement's evidence file to those who may see its audit, as a download: never public media."""

    def get(self, request, pk):
        evidence = get_object_or_404(ComplianceEvidence.objects.for_user(request.user), pk=pk)
        return stream_evidence(
            evidence.file, filename=evidence.name, content_type=evidence.content_type, as_attachment=True
        )


# --- Findings ---------------------------------------------------------------------------------------------------


class FindingCreateView(ScopedFormView):
    model = ComplianceAudit
    form_class = FindingForm
    success_message = "Finding raised. Agree a corrective action for it."

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "audit": self.object}
        requirement = self.object.requirements.filter(key=self.request.GET.get("requirement", "")).first()
        if requirement is not None:
            kwargs["initial"] = {"requirement": requirement}
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Raise a finding — {self.object}"}

    def perform(self, form):
        data = form.cleaned_data
        return services.raise_finding(
            self.object,
            title=data["title"],
            severity=data["severity"],
            description=data["description"],
            requirement=data["requirement"],
            by=self.request.user,
        )


class FindingEditView(ScopedFormView):
    """Change what a finding says (the practice's managers, while its audit is not completed)."""

    model = Finding
    form_class = FindingForm
    select_related = ("audit__engagement",)
    success_message = "Finding saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "audit": self.object.audit, "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Edit finding — {self.object.title}"}

    def perform(self, form):
        return services.save_finding(form.instance, by=self.request.user)


class FindingDetailView(ObjectDetailView):
    model = Finding
    context_object_name = "finding"
    template_name = "audits/compliance/finding_detail.html"
    select_related = ("audit__engagement", "requirement", "raised_by", "responded_by", "closed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        finding, user = self.object, self.request.user
        engagement = finding.audit.engagement
        is_open = finding.status == FindingStatus.OPEN
        context.update(
            actions=finding.actions.select_related("owner", "closed_by"),
            can_respond=is_open and can(user, engagement, "respond"),
            can_close=is_open and can(user, engagement, "run"),
            can_edit=is_open and not finding.audit.is_completed and can(user, engagement, "run"),
            can_add_action=is_open and can(user, engagement, MANAGE_ACTIONS),
            response_form=FindingResponseForm(initial={"response": finding.response}),
            today=local_today(engagement.practice.timezone),
        )
        return context


class RespondToFindingView(PostOnlyFormView):
    model = Finding
    write_scope = "respond"
    denied_message = services.RESPONDERS_ONLY
    form_class = FindingResponseForm
    success_message = "Response saved."

    def perform(self, form):
        return services.respond_to_finding(self.object, response=form.cleaned_data["response"], by=self.request.user)


class CloseFindingView(CompleteAuditView):
    model = Finding
    success_message = "Finding closed."

    def perform(self, form):
        return services.close_finding(self.object, by=self.request.user)


# --- Corrective actions -----------------------------------------------------------------------------------------


class CorrectiveActionCreateView(ScopedFormView):
    model = Finding
    write_scope = MANAGE_ACTIONS
    denied_message = services.MANAGERS_ONLY
    form_class = CorrectiveActionForm
    select_related = ("audit__engagement",)
    success_message = "Corrective action added."

    def get_form_kwargs(self):
        instance = CorrectiveAction(finding=self.object)
        return {**super().get_form_kwargs(), "engagement": self.object.audit.engagement, "instance": instance}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"New corrective action — {self.object.title}"}

    def perform(self, form):
        services.save_corrective_action(form.instance, by=self.request.user)
        return self.object


class CorrectiveActionEditView(ScopedFormView):
    model = CorrectiveAction
    write_scope = MANAGE_ACTIONS
    denied_message = services.MANAGERS_ONLY
    form_class = CorrectiveActionForm
    select_related = ("finding__audit__engagement",)
    success_message = "Corrective action saved."

    def get_form_kwargs(self):
        engagement = self.object.finding.audit.engagement
        return {**super().get_form_kwargs(), "engagement": engagement, "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Edit corrective action — {self.object.finding.title}"}

    def perform(self, form):
        return services.save_corrective_action(form.instance, by=self.request.user)


class CorrectiveActionDetailView(ObjectDetailView):
    model = CorrectiveAction
    context_object_name = "action"
    template_name = "audits/compliance/corrective_action_detail.html"
    select_related = ("finding__audit__engagement__practice", "owner", "closed_by", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action, user = self.object, self.request.user
        engagement = action.finding.audit.engagement
        context.update(
            can_close=not action.is_done and can(user, engagement, "respond"),
            can_edit=not action.is_done and can(user, engagement, MANAGE_ACTIONS),
            close_form=kwargs.get("close_form") or CloseCorrectiveActionForm(),
            escalations=action.escalations.select_related("level__contact"),
            is_overdue=not action.is_done and action.due_on < local_today(engagement.practice.timezone),
        )
        return context


class CloseCorrectiveActionView(PostOnlyFormView):
    model = CorrectiveAction
    write_scope = "respond"
    denied_message = services.RESPONDERS_ONLY
    form_class = CloseCorrectiveActionForm
    success_message = "Corrective action closed."

    def perform(self, form):
        return services.close_corrective_action(
            self.object,
            note=form.cleaned_data["closing_note"],
            evidence=form.cleaned_data["closing_evidence"],
            by=self.request.user,
        )


class ClosingEvidenceView(LoginRequiredMixin, View):
    def get(self, request, pk):
        action = get_object_or_404(CorrectiveAction.objects.for_user(request.user), pk=pk)
        return stream_evidence(
            action.closing_evidence,
            filename=action.closing_evidence_name,
            content_type=action.closing_evidence_content_type,
            as_attachment=True,
        )


# --- The card on the engagement page (registered in engagements.registries) -----------------------------------------


def engagement_card(request, engagement):
    user = request.user
    if user is None or not engagements_allowing(user, "view").filter(pk=engagement.pk).exists():
        return None
    audits = engagement.compliance_audits.order_by("-period_end", "-pk")
    latest = audits.exclude(score=None).filter(status=ComplianceAuditStatus.COMPLETED).first()
    today = local_today(engagement.practice.timezone)
    actions = CorrectiveAction.objects.filter(finding__audit__engagement=engagement).unfinished()
    schedule = ComplianceSchedule.objects.filter(engagement=engagement).first()
    return EngagementCard(
        "audits/compliance/_engagement_card.html",
        {
            "latest": latest,
            "audit_count": audits.count(),
            "open_actions": actions.count(),
            "overdue_actions": actions.filter(due_on__lt=today).count(),
            "schedule": schedule,
            "next_due": services.next_audit_due(schedule, latest.period_end if latest else None) if schedule else None,
            "today": today,
        },
    )


urlpatterns = [
    path("compliance/audits/", ComplianceAuditListView.as_view(), name="compliance_audit_list"),
    path("compliance/audits/<int:pk>/", ComplianceAuditDetailView.as_view(), name="compliance_audit_detail"),
    path("compliance/audits/<int:pk>/complete/", CompleteAuditView.as_view(), name="compliance_audit_complete"),
    path("compliance/audits/<int:pk>/findings/new/", FindingCreateView.as_view(), name="finding_create"),
    path("compliance/requirements/<int:pk>/evidence/", EvidenceUploadView.as_view(), name="compliance_evidence_add"),
    path("compliance/evidence/<int:pk>/", EvidenceFileView.as_view(), name="compliance_evidence"),
    path("compliance/findings/", FindingListView.as_view(), name="finding_list"),
    path("compliance/findings/<int:pk>/", FindingDetailView.as_view(), name="finding_detail"),
    path("compliance/findings/<int:pk>/edit/", FindingEditView.as_view(), name="finding_edit"),
    path("compliance/findings/<int:pk>/respond/", RespondToFindingView.as_view(), name="finding_respond"),
    path("compliance/findings/<int:pk>/close/", CloseFindingView.as_view(), name="finding_close"),
    path(
        "compliance/findings/<int:pk>/actions/new/",
        CorrectiveActionCreateView.as_view(),
        name="corrective_action_create",
    ),
    path("compliance/corrective-actions/", CorrectiveActionListView.as_view(), name="corrective_action_list"),
    path(
        "compliance/corrective-actions/<int:pk>/",
        CorrectiveActionDetailView.as_view(),
        name="corrective_action_detail",
    ),
    path(
        "compliance/corrective-actions/<int:pk>/edit/",
        CorrectiveActionEditView.as_view(),
        name="corrective_action_edit",
    ),
    path(
        "compliance/corrective-actions/<int:pk>/close/",
        CloseCorrectiveActionView.as_view(),
        name="corrective_action_close",
    ),
    path(
        "compliance/corrective-actions/<int:pk>/evidence/",
        ClosingEvidenceView.as_view(),
        name="corrective_action_evidence",
    ),
    path("engagements/<int:pk>/compliance/", EngagementComplianceView.as_view(), name="engagement_compliance"),
    path("engagements/<int:pk>/compliance/frequency/", ScheduleView.as_view(), name="compliance_schedule"),
    path("engagements/<int:pk>/compliance/new/", StartAuditView.as_view(), name="compliance_audit_create"),
]
