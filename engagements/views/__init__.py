from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView, TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.history import present
from bpo_portal.views import (
    EditableObjectMixin,
    ObjectActionView,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from engagements import services
from engagements.access import is_portal_admin, manages_a_provider, membership_of
from engagements.attention import attention_items
from engagements.choices import EngagementStatus, TokenKind
from engagements.filters import (
    AgentFilterSet,
    EngagementFilterSet,
    MemberFilterSet,
    NotificationFilterSet,
    PracticeFilterSet,
    ProviderFilterSet,
)
from engagements.forms import (
    AcceptInvitationForm,
    AgentForm,
    ApiTokenForm,
    AssignAgentForm,
    ContractForm,
    EngagementForm,
    EngagementStatusForm,
    InviteForm,
    LocationForm,
    PracticeForm,
    ProviderForm,
    RoleForm,
)
from engagements.history import engagement_log
from engagements.models import (
    Agent,
    AgentAssignment,
    ApiToken,
    Contract,
    Engagement,
    Invitation,
    Location,
    Membership,
    Notification,
    Practice,
    Provider,
)
from engagements.notifications import mark_read
from engagements.registries import HOME_PAGES, agent_cards, engagement_cards
from engagements.tables import AgentTable, EngagementTable, MemberTable, PracticeTable, ProviderTable

# --- Home -----------------------------------------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's start page: my engagements, where they stand, and what needs my attention."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        membership = membership_of(request.user)
        if membership and membership.role in HOME_PAGES:  # a role with a home of its own (an agent's)
            return redirect(HOME_PAGES[membership.role])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        engagements = Engagement.objects.for_user(user).select_related("practice", "provider")
        counts = dict(engagements.values_list("status").annotate(n=Count("pk")).order_by())
        context["status_counts"] = [(s, s.label, counts.get(s.value, 0)) for s in EngagementStatus]
        context["active_engagements"] = engagements.active().order_by("-updated_at")[:8]
        context["engagement_total"] = sum(counts.values())
        context["attention"] = attention_items(user)
        context["can_create_engagement"] = services.can_create_engagement(user)
        return context


# --- Engagements ----------------------------------------------------------------------------------------------------


class EngagementListView(ObjectListView):
    model = Engagement
    table_class = EngagementTable
    filterset_class = EngagementFilterSet
    title = "Engagements"
    create_url_name = "engagements:engagement_create"
    select_related = ("practice", "provider")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("service_lines")

    def can_create(self):
        return services.can_create_engagement(self.request.user)


class EngagementDetailView(ObjectDetailView):
    model = Engagement
    template_name = "engagements/engagement_detail.html"
    select_related = ("practice", "provider", "contract")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        context["contract"] = Contract.objects.filter(engagement=engagement).first()
        context["can_manage_contract"] = self.can("manage_contract", engagement)
        context["can_assign_agents"] = self.can("assign_agents", engagement)
        context["assignments"] = engagement.assignments.select_related("agent")
        context["status_changes"] = engagement.status_changes.select_related("changed_by")[:20]
        if context["can_change"]:
            context["status_form"] = EngagementStatusForm(engagement=engagement)
        if context["can_assign_agents"]:
            context["assign_form"] = AssignAgentForm(engagement=engagement)
        context["history"] = engagement_history(engagement)
        context["extension_cards"] = engagement_cards(self.request, engagement)
        return context


def engagement_history(engagement, limit=12):
    """The last few actions on the engagement and the rows that hang off it, written for people; the full,
    filterable history is on its own page (views/history.py)."""
    return present(engagement_log(engagement)[:limit])[:5]


class EngagementCreateView(ObjectCreateView):
    model = Engagement
    form_class = EngagementForm
    success_message = "Engagement opened. Both sides can now see it."
    extra_context = {"title": "Start an engagement"}

    def can_create(self):
        return services.can_create_engagement(self.request.user)

    def perform_save(self, form):
        data = form.cleaned_data
        return services.create_engagement(
            **form.side_values(),
            name=data["name"],
            by=self.request.user,
            service_lines=data["service_lines"],
            target_go_live=data["target_go_live"],
            summary=data["summary"],
        )


class EngagementUpdateView(ObjectUpdateView):
    model = Engagement
    form_class = EngagementForm
    success_message = "Engagement updated."


class EngagementStatusView(ObjectActionView):
    model = Engagement

    def perform(self, engagement):
        form = EngagementStatusForm(self.request.POST, engagement=engagement)
        if not form.is_valid():
            errors = [error for field in ("note", "confirm_back") for error in form.errors.get(field, [])]
            raise DomainError(" ".join(errors) or "Choose one of the statuses the engagement can move to.")
        engagement = services.change_engagement_status(
            engagement, form.cleaned_data["status"], by=self.request.user, note=form.cleaned_data["note"]
        )
        return f"The engagement is now in {engagement.get_status_display()}."


class ContractEditView(EditableObjectMixin, FormView):
    """The practice records or amends the contract terms; the provider sees them on the engagement page."""

    model = Engagement
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers agree the contract terms."
    form_class = ContractForm
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Contract.objects.filter(engagement=self.engagement).first()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Contract — {self.engagement.name}"
        context["cancel_url"] = reverse("engagements:contract_detail", args=[self.engagement.pk])
        return context

    def form_valid(self, form):
        terms = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            services.save_contract(self.engagement, by=self.request.user, **terms)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Contract saved.")
        return redirect("engagements:contract_detail", pk=self.engagement.pk)


class AssignAgentView(ObjectActionView):
    model = Engagement
    write_scope = "assign_agents"
    denied_message = "Only the provider's account managers assign agents."

    def perform(self, engagement):
        form = AssignAgentForm(self.request.POST, engagement=engagement)
        if not form.is_valid():
            raise DomainError("Choose one of the provider's agents who is not on the engagement yet.")
        assignment = services.assign_agent(engagement, form.cleaned_data["agent"], by=self.request.user)
        return f"{assignment.agent} now works on this engagement."


class UnassignAgentView(AssignAgentView):
    def perform(self, engagement):
        assignment = get_object_or_404(engagement.assignments, pk=self.kwargs["assignment_pk"])
        services.unassign_agent(assignment, by=self.request.user)
        return f"{assignment.agent} no longer works on this engagement."


# --- Practices and locations ----------------------------------------------------------------------------------------


class PracticeListView(ObjectListView):
    model = Practice
    table_class = PracticeTable
    filterset_class = PracticeFilterSet
    title = "Practices"
    create_url_name = "engagements:practice_create"

    def get_queryset(self):
        return super().get_queryset().annotate(location_count=Count("locations"))

    def can_create(self):
        return is_portal_admin(self.request.user)


class PracticeDetailView(ObjectDetailView):
    model = Practice
    template_name = "engagements/practice_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["locations"] = self.object.locations.all()
        context["shows_costs"] = self.object.shows_costs_to(self.request.user)
        context["engagements"] = (
            Engagement.objects.for_user(self.request.user).filter(practice=self.object).select_related("provider")
        )
        return context


class PracticeCreateView(ObjectCreateView):
    model = Practice
    form_class = PracticeForm
    extra_context = {"title": "Add a practice"}

    def can_create(self):
        return is_portal_admin(self.request.user)


class PracticeUpdateView(ObjectUpdateView):
    model = Practice
    form_class = PracticeForm


class LocationCreateView(ObjectCreateView):
    model = Location
    form_class = LocationForm
    success_message = "Location added."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.practice = get_object_or_404(Practice.objects.for_user(request.user), pk=kwargs["practice_pk"])
        return super().dispatch(request, *args, **kwargs)

    def can_create(self):
        return Practice.objects.for_user(self.request.user, "change").filter(pk=self.practice.pk).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Add a location to {self.practice}"
        return context

    def perform_save(self, form):
        form.instance.practice = self.practice
        return form.save()


class LocationUpdateView(ObjectUpdateView):
    model = Location
    form_class = LocationForm


class LocationDeleteView(ObjectDeleteView):
    model = Location

    def get_success_url(self):
        return self.object.practice.get_absolute_url()


# --- Providers ------------------------------------------------------------------------------------------------------


class ProviderListView(ObjectListView):
    model = Provider
    table_class = ProviderTable
    filterset_class = ProviderFilterSet
    title = "Providers"
    create_url_name = "engagements:provider_create"

    def can_create(self):
        return is_portal_admin(self.request.user)


class ProviderDetailView(ObjectDetailView):
    model = Provider
    template_name = "engagements/provider_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["engagements"] = (
            Engagement.objects.for_user(user).filter(provider=self.object).select_related("practice")
        )
        context["agents"] = Agent.objects.for_user(user).filter(provider=self.object)
        return context


class ProviderCreateView(ObjectCreateView):
    model = Provider
    form_class = ProviderForm
    extra_context = {"title": "Add a provider"}

    def can_create(self):
        return is_portal_admin(self.request.user)


class ProviderUpdateView(ObjectUpdateView):
    model = Provider
    form_class = ProviderForm


# --- Agents ---------------------------------------------------------------------------------------------------------


class AgentListView(ObjectListView):
    model = Agent
    table_class = AgentTable
    filterset_class = AgentFilterSet
    title = "Agents"
    create_url_name = "engagements:agent_create"
    select_related = ("provider",)

    def can_create(self):
        return manages_a_provider(self.request.user)


class AgentDetailView(ObjectDetailView):
    model = Agent
    template_name = "engagements/agent_detail.html"
    select_related = ("provider",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = (
            AgentAssignment.objects.for_user(self.request.user)
            .filter(agent=self.object)
            .select_related("engagement__practice")
        )
        context["extension_cards"] = agent_cards(self.request, self.object)
        return context


class AgentCreateView(ObjectCreateView):
    model = Agent
    form_class = AgentForm
    success_message = "Agent added."
    extra_context = {"title": "Add an agent"}

    def can_create(self):
        return manages_a_provider(self.request.user)


class AgentUpdateView(ObjectUpdateView):
    model = Agent
    form_class = AgentForm
    success_message = "Agent updated."


# --- People ---------------------------------------------------------------------------------------------------------


class PeopleView(ObjectListView):
    """The people on my side: who they are, their role, and (for managers) invitations and actions."""

    model = Membership
    table_class = MemberTable
    filterset_class = MemberFilterSet
    title = "People"
    template_name = "engagements/people/people.html"
    select_related = ("user", "practice", "provider")

    def get_queryset(self):
        return super().get_queryset().people()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = membership_of(self.request.user)
        context["organization"] = membership.organization if membership else None
        context["can_manage"] = bool(membership and membership.is_manager)
        if context["can_manage"]:
            context["invite_form"] = InviteForm(provider=membership.provider if membership.provider_id else None)
            context["invitations"] = Invitation.objects.for_user(self.request.user).pending()
            context["role_form"] = RoleForm()
        return context


def flash_errors_and_redirect(request, form, to: str):
    """A form posted from a panel on another page: show its errors there as messages."""
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect(to)


class ManagerOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        membership = membership_of(request.user) if request.user.is_authenticated else None
        if request.user.is_authenticated and not (membership and membership.is_manager):
            raise PermissionDenied("Only managers manage their side's people.")
        return super().dispatch(request, *args, **kwargs)


class InviteView(ManagerOnlyMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        membership = membership_of(request.user)
        form = InviteForm(request.POST, provider=membership.provider if membership.provider_id else None)
        if not form.is_valid():
            return flash_errors_and_redirect(request, form, "engagements:people")
        try:
            invitation, link = services.invite_member(
                organization=membership.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                agent=form.cleaned_data.get("agent"),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("engagements:people")
        messages.success(
            request,
            f"Invitation e-mailed to {invitation.email}. If it does not arrive, send them this one-time link: {link}",
        )
        return redirect("engagements:people")


class MemberRoleView(ObjectActionView):
    model = Membership

    def perform(self, membership):
        form = RoleForm(self.request.POST)
        if not form.is_valid():
            raise DomainError("Choose manager or staff.")
        services.change_member_role(membership, form.cleaned_data["role"], by=self.request.user)
        return f"{membership.user.get_full_name() or membership.user.email} is now {membership.role_label}."

    def get_success_url(self, obj):
        return reverse("engagements:people")


class MemberDeactivateView(MemberRoleView):
    def perform(self, membership):
        services.deactivate_member(membership, by=self.request.user)
        return f"{membership.user.email} can no longer sign in; their access has ended."


class MemberReactivateView(MemberRoleView):
    def perform(self, membership):
        services.reactivate_member(membership, by=self.request.user)
        return f"{membership.user.email} can sign in again."


class InvitationRevokeView(MemberRoleView):
    model = Invitation

    def perform(self, invitation):
        services.revoke_invitation(invitation, by=self.request.user)
        return f"The invitation for {invitation.email} no longer works."


@method_decorator(never_cache, name="dispatch")
class AcceptInvitationView(FormView):
    """The page behind an invitation link: the invited person names themselves and sets a password."""

    form_class = AcceptInvitationForm
    template_name = "registration/accept_invitation.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = services.find_invitation(kwargs["token"])
        if self.invitation is None:
            raise Http404("No such invitation.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.invitation, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.accept_invitation(
                self.kwargs["token"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"],
            )
        except DomainError as error:
            form.add_error("password" if error.field == "password" else None, error.message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, f"Welcome to {self.invitation.organization}, {user.first_name}.")
        return redirect("home")


# --- API tokens -----------------------------------------------------------------------------------------------------


class TokenListView(LoginRequiredMixin, TemplateView):
    template_name = "engagements/tokens/token_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tokens = ApiToken.objects.for_user(self.request.user).select_related("provider", "created_by")
        context["personal_tokens"] = [t for t in tokens if t.kind == TokenKind.PERSONAL]
        context["integration_tokens"] = [t for t in tokens if t.kind == TokenKind.INTEGRATION]
        context["form"] = ApiTokenForm(user=self.request.user)
        return context


@method_decorator(never_cache, name="dispatch")
class TokenCreateView(LoginRequiredMixin, View):
    """Creates a token and shows its secret this once; the page is never cached."""

    http_method_names = ["post"]

    def post(self, request):
        form = ApiTokenForm(request.POST, user=request.user)
        if not form.is_valid():
            return flash_errors_and_redirect(request, form, "engagements:token_list")
        membership = membership_of(request.user)
        kind = form.cleaned_data["kind"]
        try:
            token, raw = services.create_api_token(
                name=form.cleaned_data["name"],
                kind=kind,
                by=request.user,
                provider=membership.provider if kind == TokenKind.INTEGRATION else None,
                scopes=form.cleaned_data["scopes"] if kind == TokenKind.INTEGRATION else [],
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("engagements:token_list")
        return render(request, "engagements/tokens/token_created.html", {"token": token, "raw": raw})


class TokenRevokeView(ObjectActionView):
    model = ApiToken

    def perform(self, token):
        services.revoke_api_token(token, by=self.request.user)
        return f"Token “{token.name}” revoked; requests using it are now refused."

    def get_success_url(self, obj):
        return reverse_lazy("engagements:token_list")


# --- Notifications --------------------------------------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, ListView):
    """My notifications (SLA breaches, remediation decisions, reminders), newest first."""

    template_name = "engagements/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        mine = Notification.objects.for_user(self.request.user).select_related("engagement")
        self.filterset = NotificationFilterSet(self.request.GET or None, queryset=mine, request=self.request)
        return self.filterset.qs if self.filterset.is_valid() else mine

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter=self.filterset, query=query.urlencode())
        return context


class NotificationReadView(LoginRequiredMixin, View):
    """Marks one notification read (and, with `open`, follows its link), or all of mine when none is named."""

    http_method_names = ["post"]

    def post(self, request):
        raw_id = request.POST.get("notification", "")
        if not raw_id:
            # "Mark all read" marks what the list shows: all of mine, or those the filters picked
            mine = Notification.objects.for_user(request.user)
            shown = NotificationFilterSet(request.POST, queryset=mine, request=request)
            ids = list(shown.qs.values_list("pk", flat=True)) if shown.is_valid() else None
            count = mark_read(request.user, ids)
            messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
            return redirect("engagements:notification_list")
        if not raw_id.isdigit():
            raise Http404("No such notification.")
        notification = get_object_or_404(Notification.objects.for_user(request.user), pk=int(raw_id))
        mark_read(request.user, [notification.pk])
        safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
        if "open" in request.POST and notification.url and safe:
            return redirect(notification.url)
        return redirect("engagements:notification_list")
