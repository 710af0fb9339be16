"""The contract page (full terms, the current term and its notice deadline, checkpoints, termination without
penalty) and the checkpoint outcome form."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from bpo_portal.errors import DomainError
from bpo_portal.views import EditableObjectMixin, ObjectActionView, ObjectDetailView, ScopedMixin
from engagements.forms.terms import CheckpointOutcomeForm
from engagements.models import Checkpoint, Contract, Engagement
from engagements.services import terms


class ContractDetailView(ObjectDetailView):
    """Both sides read the terms; the practice's managers edit them and record checkpoint outcomes."""

    model = Engagement
    template_name = "engagements/terms/contract_detail.html"
    select_related = ("practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        contract = Contract.objects.filter(engagement=engagement).first()
        can_manage = self.can("manage_contract", engagement)
        context.update(contract=contract, can_manage_contract=can_manage and not engagement.is_ended)
        if contract is None:
            return context
        contract.engagement = engagement  # already loaded with its practice: the dates need its timezone
        today = contract.local_today()
        checkpoints = list(contract.checkpoints.select_related("recorded_by"))
        if context["can_manage_contract"]:
            for checkpoint in checkpoints:
                if checkpoint.due_on <= today:
                    # One form per checkpoint on the page, each with its own element ids.
                    checkpoint.outcome_form = CheckpointOutcomeForm(auto_id=f"id_checkpoint{checkpoint.pk}_%s")
        context.update(
            today=today,
            term=contract.current_term(today),
            notice_deadline=contract.notice_deadline_on(today),
            days_to_notice_deadline=contract.days_to_notice_deadline(today),
            notice_deadline_near=contract.notice_deadline_near(today),
            checkpoints=checkpoints,
            eligibility=terms.termination_eligibility(contract, today),
        )
        return context


class CheckpointOutcomeView(EditableObjectMixin, FormView):
    """The practice records what it decided at a checkpoint. Posted from the contract page; shown on its own
    with the errors on the fields when the input is refused."""

    model = Checkpoint
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers record checkpoint outcomes."
    select_related = ("contract__engagement",)
    form_class = CheckpointOutcomeForm
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.checkpoint = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.checkpoint.is_pending:
            return {}
        return {"outcome": self.checkpoint.outcome, "notes": self.checkpoint.notes}

    def contract_url(self) -> str:
        return reverse("engagements:contract_detail", args=[self.checkpoint.contract.engagement_id])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.checkpoint.contract.engagement
        context["title"] = f"{self.checkpoint} — {engagement.name}"
        context["cancel_url"] = self.contract_url()
        return context

    def form_valid(self, form):
        try:
            checkpoint = terms.record_checkpoint_outcome(self.checkpoint, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{checkpoint}: {checkpoint.get_outcome_display().lower()} recorded.")
        return redirect(f"{self.contract_url()}#checkpoint-{checkpoint.pk}")


class ContractDocumentForm(forms.Form):
    document = forms.FileField(label="Signed contract (PDF)")


class ContractDocumentUploadView(ObjectActionView):
    """The practice's managers attach the signed contract (a PDF) to the contract page."""

    model = Engagement
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers keep the signed contract."

    def perform(self, engagement):
        contract = Contract.objects.filter(engagement=engagement).first()
        if contract is None:
            raise DomainError("Record the contract's terms before attaching the signed document.")
        form = ContractDocumentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise DomainError("Choose the signed contract's PDF file to upload.")
        terms.attach_contract_document(contract, form.cleaned_data["document"], by=self.request.user)
        return "Signed contract attached. Both sides can open it from the contract page."

    def get_success_url(self, engagement):
        return reverse("engagements:contract_detail", args=[engagement.pk])


class ContractDocumentView(ScopedMixin, View):
    """Streams the signed contract to those who may see the engagement: never served as public media."""

    model = Engagement

    def get(self, request, pk):
        engagement = get_object_or_404(self.scoped("view"), pk=pk)
        contract = Contract.objects.filter(engagement=engagement).first()
        if contract is None or not contract.document:
            raise Http404("No signed contract uploaded.")
        try:
            handle = contract.document.open("rb")
        except FileNotFoundError:
            raise Http404("The contract file is missing.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            content_type="application/pdf",
            filename=contract.document_name or "contract.pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
