"""The contract page (full terms, the current term and its notice deadline, checkpoints, termination without
penalty) and the checkpoint outcome form."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from bpo_portal.errors import DomainError
from bpo_portal.views import EditableObjectMixin, ObjectDetailView
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
