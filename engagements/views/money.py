"""The money pages of an engagement: scope and pricing (read by both sides, set by the practice's managers),
service credits, and the cost page. Rules live in engagements.services.money; figures in engagements.costs."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from django_tables2 import SingleTableMixin

from bpo_portal.csv_export import ExportMixin, csv_response
from bpo_portal.errors import DomainError
from bpo_portal.views import EditableObjectMixin, ObjectDetailView
from engagements import costs, pricing
from engagements.access_log import AccessKind, record_access
from engagements.filters.money import ServiceCreditFilterSet
from engagements.forms.money import OneOffFeeForm, PricingForm, ScopeLineForm, TierFormSet, tiers_from
from engagements.models import Contract, ContractScope, Engagement, OneOffFee
from engagements.services import money
from engagements.tables.money import ServiceCreditTable
from slas import evidence


def scope_url(engagement) -> str:
    return reverse("engagements:contract_scope", args=[engagement.pk])


# --- Reading: scope and pricing ------------------------------------------------------------------------------------


class ScopeView(ObjectDetailView):
    """Both sides read the scope, its pricing, the projected monthly cost per line and in total, and the one-off
    fees; the practice's managers edit them while the contract is unsigned."""

    model = Engagement
    template_name = "engagements/money/scope.html"
    select_related = ("practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        contract = Contract.objects.filter(engagement=engagement).first()
        context["contract"] = contract
        context["can_manage"] = self.can("manage_contract", engagement) and not engagement.is_ended
        if contract is None:
            return context
        record_access(self.request, AccessKind.CONTRACT_PRICING, contract, engagement=engagement)
        terms = pricing.terms_of(contract)
        lines = list(contract.scope.select_related("service_line").prefetch_related("tiers"))
        context["lines"] = [(line, pricing.line_cost(terms.line(line.service_line.code), terms)) for line in lines]
        context["projected_total"] = pricing.monthly_cost(terms)
        context["fees"] = list(contract.one_off_fees.all())
        context["fees_total"] = sum((fee.amount for fee in context["fees"]), pricing.CENT * 0)
        context["locked"] = money.is_locked(contract)
        context["can_edit"] = context["can_manage"] and not context["locked"]
        context["change_request_url"] = reverse("engagements:change_request_list", args=[engagement.pk])
        return context


# --- Editing -------------------------------------------------------------------------------------------------------


class ContractMoneyEditMixin(EditableObjectMixin):
    """An edit page of the practice's managers on an unsigned contract; anyone else sees the read page."""

    model = Engagement
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers set the contract's scope and pricing."
    template_name = "generic/object_form.html"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = self.get_object()
        self.contract = Contract.objects.filter(engagement=self.engagement).first()
        try:
            if self.contract is None:
                raise DomainError("Record the contract first; its scope and pricing hang off it.")
            if self.engagement.is_ended:
                raise DomainError("The engagement has ended; its contract can no longer be changed.")
            if money.is_locked(self.contract):
                raise DomainError(money.SIGNED_MESSAGE.format(signed_on=self.contract.signed_on))
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(scope_url(self.engagement))
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return scope_url(self.engagement)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title} — {self.engagement.name}"
        context["cancel_url"] = scope_url(self.engagement)
        return context

    def save(self, save, form, **extra) -> HttpResponse:
        """Call a service; a refused rule shows on the field it names, and nothing is written."""
        try:
            with transaction.atomic():
                save(**extra)
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            return self.render_to_response(self.get_context_data(form=form, **self.invalid_context(error)))
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def invalid_context(self, error) -> dict:
        return {}


class PricingEditView(ContractMoneyEditMixin, FormView):
    form_class = PricingForm
    title = "Pricing"
    success_message = "Pricing saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.contract, "user": self.request.user}

    def form_valid(self, form):
        terms = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return self.save(money.save_pricing, form, contract=self.contract, by=self.request.user, **terms)

    def form_invalid(self, form):
        self.contract.refresh_from_db()  # the ModelForm wrote its values onto the instance
        return super().form_invalid(form)


class ScopeLineEditView(ContractMoneyEditMixin, FormView):
    """Add a service line to the scope, or change one, with its volume tiers."""

    form_class = ScopeLineForm
    template_name = "engagements/money/line_form.html"
    success_message = "Scope saved."

    def dispatch(self, request, *args, **kwargs):
        self.line = None
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return f"Scope line: {self.line.service_line}" if self.line else "Add a service line"

    def get_line(self):
        if "line_pk" in self.kwargs and self.line is None:
            self.line = get_object_or_404(ContractScope, contract=self.contract, pk=self.kwargs["line_pk"])
        return self.line

    def get_form_kwargs(self):
        line = self.get_line()
        instance = line or ContractScope(contract=self.contract)
        return {**super().get_form_kwargs(), "instance": instance, "user": self.request.user}

    def get_context_data(self, **kwargs):
        self.get_line()
        context = super().get_context_data(**kwargs)
        if "tiers" not in context:
            initial = (
                [{"from_volume": t.from_volume, "unit_rate": t.unit_rate} for t in self.line.tiers.all()]
                if (self.line)
                else []
            )
            context["tiers"] = TierFormSet(prefix="tiers", initial=initial)
        context["contract"] = self.contract
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        tiers = TierFormSet(request.POST, prefix="tiers")
        if not (form.is_valid() and tiers.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, tiers=tiers))
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        line = None
        if self.line is not None:
            line = ContractScope.objects.get(pk=self.line.pk)  # the form wrote its values onto self.line
        self.tiers_formset = tiers
        return self.save(
            money.save_scope_line,
            form,
            contract=self.contract,
            by=request.user,
            line=line,
            tiers=tiers_from(tiers),
            **fields,
        )

    def invalid_context(self, error):
        return {"tiers": self.tiers_formset, "tier_error": error.message if error.field == "tiers" else None}


class FeeEditView(ContractMoneyEditMixin, FormView):
    form_class = OneOffFeeForm
    success_message = "One-off fee saved."

    def dispatch(self, request, *args, **kwargs):
        self.fee = None
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return "One-off fee" if self.fee else "Add a one-off fee"

    def get_form_kwargs(self):
        if "fee_pk" in self.kwargs:
            self.fee = get_object_or_404(OneOffFee, contract=self.contract, pk=self.kwargs["fee_pk"])
        instance = self.fee or OneOffFee(contract=self.contract)
        return {**super().get_form_kwargs(), "instance": instance, "user": self.request.user}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fee = OneOffFee.objects.get(pk=self.fee.pk) if self.fee else None
        return self.save(money.save_fee, form, contract=self.contract, by=self.request.user, fee=fee, **fields)


class ScopeDeleteView(ContractMoneyEditMixin, TemplateView):
    """POST-only removal of a scope line or a one-off fee."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                if "line_pk" in kwargs:
                    line = get_object_or_404(ContractScope, contract=self.contract, pk=kwargs["line_pk"])
                    money.delete_scope_line(line, by=request.user)
                    messages.success(request, f"{line.service_line} removed from the scope.")
                else:
                    fee = get_object_or_404(OneOffFee, contract=self.contract, pk=kwargs["fee_pk"])
                    money.delete_fee(fee, by=request.user)
                    messages.success(request, f"{fee} removed.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(self.get_success_url())


# --- Service credits -----------------------------------------------------------------------------------------------


class EngagementScopedPage(LoginRequiredMixin):
    """A page about one engagement the user may see (else 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Engagement.objects.for_user(request.user).select_related("practice", "provider")
        self.engagement = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class ServiceCreditListView(EngagementScopedPage, ExportMixin, SingleTableMixin, TemplateView):
    """Each credit an engagement's breaches earned: its breach, target, month, percent and amount."""

    template_name = "engagements/money/credit_list.html"
    table_class = ServiceCreditTable
    table_pagination = {"per_page": 25}
    export_formats = ("csv",)

    def get_filterset(self):
        queryset = evidence.breaches().filter(target__engagement=self.engagement).order_by("-period_start", "-pk")
        filterset = ServiceCreditFilterSet(self.request.GET or None, queryset=queryset, request=self.request)
        filterset.form.fields.pop("engagement")  # this page is one engagement's already
        return filterset

    def get_table_data(self):
        self.filterset = self.get_filterset()
        return costs.service_credits(self.filterset.qs)

    def get_export_filename(self, export_format):
        return f"service-credits-{self.engagement.pk}-{timezone.localdate():%Y-%m-%d}.{export_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["engagement"] = self.engagement
        context["title"] = f"Service credits · {self.engagement.name}"
        context["filter"] = self.filterset
        context["total"] = sum((credit.amount for credit in context["table"].data), pricing.CENT * 0)
        return context


# --- The cost page -------------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    ("month", "Month"),
    ("projected", "Projected cost"),
    ("actual", "Actual cost"),
    ("credits", "Service credits"),
    ("net", "Net cost"),
    ("in_house", "In-house cost"),
    ("savings", "Savings"),
    ("measured_units", "Units measured"),
    ("state", "Status"),  # "closed", "no data" (no actual cost) or "month to date" (out of the totals)
]


class CostView(EngagementScopedPage, TemplateView):
    """Month by month since the contract started: projected, actual, credits, net, and — for the practice —
    its in-house cost and the savings; a chart of them; the one-off fees; unagreed scope."""

    template_name = "engagements/money/costs.html"
    export_formats = ("csv",)  # `?_export=csv`, written by bpo_portal.csv_export like every other export

    def get(self, request, *args, **kwargs):
        self.contract = Contract.objects.filter(engagement=self.engagement).first()
        self.report = costs.cost_report(self.contract, request.user) if self.contract else None
        if self.contract is not None:
            record_access(request, AccessKind.COST_PAGE, self.contract, engagement=self.engagement)
        if request.GET.get("_export") == "csv" and self.report is not None:
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self) -> HttpResponse:
        columns = [c for c in CSV_COLUMNS if self.report.shows_in_house or c[0] not in ("in_house", "savings")]
        filename = f"costs-{self.engagement.pk}-{timezone.localdate():%Y-%m-%d}.csv"
        rows = [[label for _name, label in columns]]
        for month in self.report.months:
            row = [getattr(month, name) for name, _label in columns]
            row[0] = f"{month.month:%Y-%m}"
            rows.append(row)
        return csv_response(filename, rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["engagement"] = self.engagement
        context["contract"] = self.contract
        context["report"] = self.report
        if self.report is not None:
            context["chart"] = self.report.chart()
            context["credit_total"] = sum((c.amount for c in self.report.credits), pricing.CENT * 0)
        return context


# --- Routes (added to engagements/urls.py) -------------------------------------------------------------------------

urlpatterns = [
    path("engagements/<int:pk>/contract/scope/", ScopeView.as_view(), name="contract_scope"),
    path("engagements/<int:pk>/contract/scope/pricing/", PricingEditView.as_view(), name="contract_pricing"),
    path("engagements/<int:pk>/contract/scope/lines/new/", ScopeLineEditView.as_view(), name="scope_line_create"),
    path(
        "engagements/<int:pk>/contract/scope/lines/<int:line_pk>/", ScopeLineEditView.as_view(), name="scope_line_edit"
    ),
    path(
        "engagements/<int:pk>/contract/scope/lines/<int:line_pk>/delete/",
        ScopeDeleteView.as_view(),
        name="scope_line_delete",
    ),
    path("engagements/<int:pk>/contract/scope/fees/new/", FeeEditView.as_view(), name="fee_create"),
    path("engagements/<int:pk>/contract/scope/fees/<int:fee_pk>/", FeeEditView.as_view(), name="fee_edit"),
    path("engagements/<int:pk>/contract/scope/fees/<int:fee_pk>/delete/", ScopeDeleteView.as_view(), name="fee_delete"),
    path("engagements/<int:pk>/credits/", ServiceCreditListView.as_view(), name="service_credits"),
    path("engagements/<int:pk>/costs/", CostView.as_view(), name="engagement_costs"),
]
