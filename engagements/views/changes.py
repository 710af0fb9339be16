"""Change requests and contract versions: an engagement's list, the propose form, a request's page with the
practice's decision, and the contract's versions with the diff of each against the one before.

Views read through `for_user` scopes and change state only through engagements.services.changes.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectActionView, ObjectDetailView, ObjectListView
from engagements.choices import PricingBasis, PricingModel
from engagements.filters.changes import EngagementChangeRequestFilterSet
from engagements.forms.changes import ChangeRequestForm, DecisionNoteForm
from engagements.models import ChangeRequest, Contract, ContractVersion, Engagement, ServiceLine
from engagements.pricing import monthly_cost, terms_of
from engagements.services import changes
from engagements.services.changes import TERM_LABELS
from engagements.tables.changes import ChangeRequestTable

REQUEST_RELATED = ("contract__engagement__practice", "contract__engagement__provider", "service_line", "proposed_by")


class EngagementScopedMixin(LoginRequiredMixin):
    """Finds the engagement of the URL among those the user may see; anything else is a 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = get_object_or_404(
            Engagement.objects.for_user(request.user).select_related("practice", "provider"), pk=kwargs["pk"]
        )
        self.contract = Contract.objects.filter(engagement=self.engagement).first()
        return super().dispatch(request, *args, **kwargs)


def proposal_blocker(engagement, contract) -> str:
    """Why nobody can propose a change on this engagement right now, or "" when they can."""
    if engagement.is_ended:
        return "This engagement has ended; its contract can no longer change."
    if contract is None:
        return "There is no contract yet: the practice records it first."
    if contract.signed_on is None:
        return "The contract is not signed yet: until it is, its terms are edited directly on the contract."
    return ""


class ChangeRequestListView(EngagementScopedMixin, ObjectListView):
    model = ChangeRequest
    table_class = ChangeRequestTable
    filterset_class = EngagementChangeRequestFilterSet
    template_name = "engagements/changes/change_request_list.html"
    select_related = REQUEST_RELATED

    @property
    def title(self):
        return f"Change requests — {self.engagement.name}"

    def get_queryset(self):
        return super().get_queryset().filter(contract__engagement=self.engagement)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.live_terms = terms_of(self.contract) if self.contract else None
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["engagement"], context["contract"] = self.engagement, self.contract
        context["can_propose"] = changes.can_propose(self.request.user, self.engagement)
        context["blocker"] = proposal_blocker(self.engagement, self.contract)
        return context


class ChangeRequestCreateView(EngagementScopedMixin, FormView):
    form_class = ChangeRequestForm
    template_name = "engagements/changes/change_request_form.html"

    def get(self, request, *args, **kwargs):
        self.check_allowed()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_allowed()
        return super().post(request, *args, **kwargs)

    def check_allowed(self):
        if not changes.can_propose(self.request.user, self.engagement):
            raise PermissionDenied("Only the managers of the practice or the provider propose changes.")

    def get_initial(self):
        return {"kind": self.request.GET.get("kind", "")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["engagement"], context["contract"] = self.engagement, self.contract
        context["blocker"] = proposal_blocker(self.engagement, self.contract)
        if self.contract is not None:
            terms = terms_of(self.contract)
            context["terms"], context["monthly_cost"] = terms, monthly_cost(terms)
        return context

    def form_valid(self, form):
        try:
            request = changes.propose_change_request(self.engagement, by=self.request.user, **form.service_kwargs())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Change proposed. The other side's managers have been told.")
        return redirect(request.get_absolute_url())


class ChangeRequestDetailView(ObjectDetailView):
    model = ChangeRequest
    template_name = "engagements/changes/change_request_detail.html"
    select_related = (*REQUEST_RELATED, "decided_by", "contract")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.object, self.request.user
        engagement = request.contract.engagement
        proposed = request.is_proposed
        context["engagement"], context["breadcrumb"] = engagement, f"#{request.pk}"
        context["delta"] = changes.current_delta(request)
        context["can_decide"] = proposed and changes.can_decide(user, engagement)
        context["can_withdraw"] = proposed and changes.can_withdraw(user, request)
        context["note_form"] = DecisionNoteForm()
        context["version"] = ContractVersion.objects.filter(change_request=request).first()
        return context


class ChangeRequestActionView(ObjectActionView):
    model = ChangeRequest
    select_related = ("contract__engagement", "service_line")

    def note(self) -> str:
        form = DecisionNoteForm(self.request.POST)
        return form.cleaned_data["note"] if form.is_valid() else ""


class ApproveChangeRequestView(ChangeRequestActionView):
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers approve changes."

    def perform(self, request):
        request = changes.approve_change_request(request, by=self.request.user, note=self.note())
        return f"Change approved: the contract is now at version {request.resulting_version.number}."


class RejectChangeRequestView(ChangeRequestActionView):
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers reject changes."

    def perform(self, request):
        changes.reject_change_request(request, by=self.request.user, note=self.note())
        return "Change rejected; it stays on record with your note."


class WithdrawChangeRequestView(ChangeRequestActionView):
    write_scope = "change"
    denied_message = "Only the side that proposed a change withdraws it."

    def get_object(self, queryset=None):
        request = super().get_object(queryset)
        if not changes.can_withdraw(self.request.user, request):
            raise PermissionDenied(self.denied_message)
        return request

    def perform(self, request):
        changes.withdraw_change_request(request, by=self.request.user, note=self.note())
        return "Change withdrawn; it stays on record."


# --- Contract versions -----------------------------------------------------------------------------------------------

CHOICE_LABELS = {"basis": dict(PricingBasis.choices), "pricing_model": dict(PricingModel.choices)}


def shown(field: str, value) -> str:
    """A snapshot value as a person reads it: labels for choices, Yes/No, tiers as "from N: rate"."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in CHOICE_LABELS:
        return str(CHOICE_LABELS[field].get(value, value))
    if field == "tiers":
        return ", ".join(f"from {start}: {rate}" for start, rate in value)
    return str(value)


def present_diff(diff, names: dict) -> dict:
    def fields(changes_):
        return [(change.label, shown(change.field, change.old), shown(change.field, change.new)) for change in changes_]

    return {
        "is_empty": diff.is_empty,
        "terms": fields(diff.terms),
        "lines": [
            {
                "code": line.service_line,
                "name": names.get(line.service_line, line.service_line),
                "change": line.change,
                # An added or removed line lists only the values it has.
                "fields": [row for row in fields(line.fields) if line.change == "changed" or row[1:] != ("—", "—")],
            }
            for line in diff.lines
        ],
    }


class ContractVersionListView(EngagementScopedMixin, TemplateView):
    template_name = "engagements/changes/version_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = ContractVersion.objects.filter(contract=self.contract).select_related("created_by", "change_request")
        context["page_obj"] = Paginator(versions, self.paginate_by).get_page(self.request.GET.get("page"))
        context["engagement"], context["contract"] = self.engagement, self.contract
        return context


class ContractVersionDetailView(EngagementScopedMixin, TemplateView):
    template_name = "engagements/changes/version_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.contract is None:
            raise Http404("No contract.")
        version = get_object_or_404(
            ContractVersion.objects.select_related("created_by", "change_request"),
            contract=self.contract,
            number=self.kwargs["number"],
        )
        context["engagement"], context["contract"], context["version"] = self.engagement, self.contract, version
        diff = changes.version_diff(version)
        names = dict(ServiceLine.objects.values_list("code", "name"))
        context["diff"] = None if diff is None else present_diff(diff, names)
        context["breadcrumb"] = f"Version {version.number}"
        context["term_rows"] = [(label, shown(name, version.terms.get(name))) for name, label in TERM_LABELS.items()]
        context["lines"] = [
            {
                **line,
                "name": names.get(line["service_line"], line["service_line"]),
                "basis": shown("basis", line["basis"]),
            }
            for line in version.terms.get("lines", [])
        ]
        context["versions_url"] = reverse("engagements:contract_version_list", args=[self.engagement.pk])
        return context
