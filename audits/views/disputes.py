"""Dispute pages: raising one from an audit, the inbox for each side, and deciding it criterion by criterion."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView

from audits.filters import DisputeFilterSet
from audits.forms import DecideForm, DisputeForm
from audits.models import Dispute, QualityAudit
from audits.services import disputes as services
from audits.tables import DisputeTable
from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectDetailView, ObjectListView, ScopedMixin


class DisputeListView(ObjectListView):
    model = Dispute
    table_class = DisputeTable
    filterset_class = DisputeFilterSet
    title = "Audit disputes"
    select_related = ("audit__agent", "audit__engagement")


class DisputeCreateView(ScopedMixin, FormView):
    """The agent (or a provider manager for them) proposes other ratings for some criteria, and says why."""

    model = QualityAudit
    template_name = "audits/dispute_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.audit = get_object_or_404(self.scoped("view").select_related("version", "engagement"), pk=kwargs["pk"])
        if not services.may_dispute(request.user, self.audit):
            raise PermissionDenied("Only the audited agent, or the provider's managers for them, dispute an audit.")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return DisputeForm(**self.get_form_kwargs(), audit=self.audit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(audit=self.audit, title=f"Dispute {self.audit}", **kwargs)

    def form_valid(self, form):
        try:
            dispute = services.raise_dispute(
                self.audit, by=self.request.user, reason=form.cleaned_data["reason"], items=form.items()
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Dispute raised. The auditing side decides it; you will see the outcome here.")
        return redirect(dispute.audit.get_absolute_url())


class DisputeDetailView(ObjectDetailView):
    model = Dispute
    template_name = "audits/dispute_detail.html"
    select_related = ("audit__agent", "audit__engagement", "audit__version", "raised_by", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dispute = self.object
        context["can_decide"] = dispute.is_open and services.may_decide(self.request.user, dispute)
        fields = {}
        if context["can_decide"]:
            form = DecideForm(dispute=dispute)
            fields = {item.pk: (decision, value) for item, decision, value in form.rows}
        # Before a decision the audit's rating is what was given; after it, the history keeps the given one.
        given = {r.criterion_id: r for r in dispute.audit.ratings.all()}
        earlier = dispute.audit.score_history.order_by("replaced_at", "pk").first()
        if not dispute.is_open and earlier is not None:
            given = {int(k): SimpleNamespace(**v) for k, v in earlier.ratings.items()}
        context["rows"] = [
            (item, given.get(item.criterion_id), *fields.get(item.pk, (None, None)))
            for item in dispute.items.select_related("criterion")
        ]
        return context


class DisputeDecideView(ScopedMixin, View):
    """The deciding side's decision, criterion by criterion, with a note; the audit is rescored."""

    model = Dispute
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        dispute = get_object_or_404(self.scoped("view").select_related("audit"), pk=kwargs["pk"])
        if not services.may_decide(request.user, dispute):
            raise PermissionDenied("Only the auditing side's managers (not the auditor) decide this dispute.")
        form = DecideForm(request.POST, dispute=dispute)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(dispute.get_absolute_url())
        try:
            with transaction.atomic():
                services.decide_dispute(
                    dispute, by=request.user, note=form.cleaned_data["note"], decisions=form.decisions()
                )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(dispute.get_absolute_url())
        dispute.audit.refresh_from_db()
        messages.success(request, f"Dispute decided. The audit's score is now {dispute.audit.score}.")
        return redirect(dispute.get_absolute_url())
