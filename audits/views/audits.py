"""Audit pages: the list (filters, sorting, CSV), starting an audit, the rating form with its live score,
submitting, the audit itself, and acknowledging it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from audits import access, extensions, scoring
from audits.filters import AuditFilterSet
from audits.forms import AuditStartForm, RatingForm
from audits.models import Dispute, QualityAudit
from audits.services import audits as services
from audits.services.disputes import may_decide, may_dispute, window_closes_at
from audits.tables import AuditTable
from bpo_portal.errors import DomainError
from bpo_portal.views import EditableObjectMixin, ObjectActionView, ObjectDetailView, ObjectListView, ScopedMixin


class AuditListView(ObjectListView):
    model = QualityAudit
    table_class = AuditTable
    filterset_class = AuditFilterSet
    title = "Quality audits"
    create_url_name = "audits:audit_create"
    select_related = ("agent", "engagement", "auditor")

    def can_create(self):
        return access.audit_engagements(self.request.user).exists()


class AuditCreateView(ScopedMixin, FormView):
    """Step one of an audit: which interaction, which agent, which scorecard. Makes a draft to rate."""

    model = QualityAudit
    form_class = AuditStartForm
    template_name = "generic/object_form.html"
    extra_context = {"title": "New quality audit"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.audit_engagements(request.user).exists():
            raise PermissionDenied("Only the engagement's managers run quality audits.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        engagement_id = self.request.GET.get("engagement") or self.request.POST.get("engagement")
        engagement = None
        if engagement_id and str(engagement_id).isdigit():
            engagement = access.audit_engagements(self.request.user).filter(pk=engagement_id).first()
        kwargs.update(user=self.request.user, engagement=engagement)
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            audit = services.create_audit(
                engagement=data["engagement"],
                agent=data["agent"],
                version=data["version"],
                by=self.request.user,
                interaction_type=data["interaction_type"],
                interaction_ref=data["interaction_ref"],
                interaction_date=data["interaction_date"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Draft audit started. Rate each criterion, then submit.")
        return redirect("audits:audit_rate", audit.pk)


class AuditRateView(EditableObjectMixin, FormView):
    """The rating form: criteria by section, N/A where allowed, and the live score as you rate."""

    model = QualityAudit
    write_scope = access.AUDIT
    denied_message = "Only the auditing side's managers rate this audit."
    template_name = "audits/audit_rate.html"
    select_related = ("version__scorecard", "agent", "engagement")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not self.object.is_draft:
            messages.info(request, "This audit is submitted; its ratings change only through a dispute.")
            return redirect(self.object.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "audit": self.object}

    def get_form_class(self):
        return RatingForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(audit=self.object, title=f"Rate {self.object}", **kwargs)

    def form_valid(self, form):
        submit = "submit" in self.request.POST
        try:
            with transaction.atomic():
                audit = services.update_audit(
                    self.object, by=self.request.user, feedback=form.cleaned_data["feedback"], ratings=form.ratings()
                )
                if submit:
                    audit = services.submit_audit(audit, by=self.request.user)
        except scoring.Unscorable as error:
            form.add_error(None, f"{error.message} Rate every criterion (or mark it N/A where allowed).")
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if submit:
            messages.success(self.request, f"Audit submitted: {audit.score}. The agent can now read the feedback.")
            return redirect(audit.get_absolute_url())
        messages.success(self.request, "Ratings saved as a draft.")
        return redirect("audits:audit_rate", audit.pk)


class ScorePreviewView(EditableObjectMixin, View):
    """The live score: the rating form posts what is rated so far, the one score function answers."""

    model = QualityAudit
    write_scope = access.AUDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        audit = self.get_object()
        form = RatingForm(request.POST, audit=audit)
        form.is_valid()
        ratings = {
            pk: scoring.Rating(value=r.get("value"), na=bool(r.get("na")))
            for pk, r in form.ratings().items()
            if r.get("value") is not None or r.get("na")
        }
        items = [(c.rule(), ratings.get(c.pk)) for c in audit.version.ordered_criteria()]
        result = scoring.partial_score(items, audit.version.pass_mark)
        rated = sum(1 for _, rating in items if rating is not None)
        return JsonResponse(
            {
                "rated": rated,
                "total": len(items),
                "score": str(result.score) if result else None,
                "score_before_critical": str(result.score_before_critical) if result else None,
                "critical_failed": bool(result and result.critical_failed),
                "passed": bool(result and result.passed),
                "pass_mark": str(audit.version.pass_mark),
            }
        )


class AuditDetailView(ObjectDetailView):
    model = QualityAudit
    template_name = "audits/audit_detail.html"
    select_related = ("agent", "engagement", "version__scorecard", "auditor", "acknowledged_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit, user = self.object, self.request.user
        ratings = {r.criterion_id: r for r in audit.ratings.all()}
        context["sections"] = [
            (section, [(criterion, ratings.get(criterion.pk)) for criterion in section.criteria.all()])
            for section in audit.version.sections.prefetch_related("criteria")
        ]
        context["can_rate"] = audit.is_draft and self.can(access.AUDIT, audit)
        context["can_acknowledge"] = audit.status == "submitted" and self.can("acknowledge", audit)
        dispute = Dispute.objects.filter(audit=audit).first()
        context["dispute"] = dispute
        context["can_dispute"] = (
            dispute is None
            and audit.status in ("submitted", "acknowledged")
            and may_dispute(user, audit)
            and window_closes_at(audit) >= timezone.now()
        )
        context["can_decide"] = bool(dispute and dispute.is_open and may_decide(user, dispute))
        context["window_closes_at"] = window_closes_at(audit) if audit.submitted_at else None
        context["history"] = audit.score_history.all()
        context["is_agent"] = access.agent_of(user) is not None
        context["extra_actions"] = extensions.collect(extensions.AUDIT_ACTIONS, self.request, audit)
        return context


class AuditSubmitView(ObjectActionView):
    model = QualityAudit
    write_scope = access.AUDIT
    denied_message = "Only the auditing side's managers submit this audit."

    def perform(self, audit):
        audit = services.submit_audit(audit, by=self.request.user)
        return f"Audit submitted: {audit.score}."


class AuditAcknowledgeView(ObjectActionView):
    model = QualityAudit
    write_scope = "acknowledge"
    denied_message = "Only the audited agent, or the provider's managers for them, acknowledge an audit."

    def perform(self, audit):
        audit = services.acknowledge_audit(audit, by=self.request.user)
        if audit.acknowledged_on_behalf:
            return "Acknowledged on the agent's behalf."
        return "Thank you — you have acknowledged the feedback."


class AuditDeleteView(ObjectActionView):
    model = QualityAudit
    write_scope = access.AUDIT

    def perform(self, audit):
        services.delete_draft(audit, by=self.request.user)
        return "Draft audit deleted."

    def get_success_url(self, obj):
        return reverse("audits:audit_list")
