"""Responsibilities pages: the engagement's ladder and its editor, the matrix of agents × service lines (with the
readiness columns every area registers), the grant form with what is missing, and one grant's page with its
history, revocation and reinstatement. Views shape; onboarding.services.responsibilities holds the rules."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from bpo_portal.csv_export import csv_response
from bpo_portal.errors import DomainError
from engagements.access import is_agent
from engagements.models import Engagement
from onboarding import readiness
from onboarding.forms.responsibilities import MatrixFilterForm, NoteForm, ReasonForm, RungForm
from onboarding.models import Onboarding, Responsibility, Rung
from onboarding.services import responsibilities as services

PER_PAGE = 25


def _engagement(request, pk) -> Engagement:
    """An engagement the user may see (404 otherwise; an agent's login has no engagement workspace)."""
    if is_agent(request.user):
        raise_404()
    return get_object_or_404(Engagement.objects.for_user(request.user).select_related("practice", "provider"), pk=pk)


def raise_404():
    from django.http import Http404

    raise Http404("Not found.")


def _run(request, action, success: str) -> bool:
    """Call a service in one transaction; a refusal becomes a message and changes nothing."""
    try:
        with transaction.atomic():
            action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


class HomeView(LoginRequiredMixin, View):
    """Every engagement the user sees, with links to its ladder and matrix."""

    def get(self, request):
        if is_agent(request.user):
            raise_404()
        engagements = Engagement.objects.for_user(request.user).select_related("practice", "provider").order_by("name")
        return render(request, "onboarding/responsibilities/home.html", {"engagements": engagements})


class LadderView(LoginRequiredMixin, View):
    """The ladder of one engagement: rungs in order, what each requires; its managers edit it here."""

    def get(self, request, pk):
        engagement = _engagement(request, pk)
        return render(
            request,
            "onboarding/responsibilities/ladder.html",
            {
                "engagement": engagement,
                "rungs": services.rungs_of(engagement),
                "can_edit": services.may_edit_ladder(request.user, engagement),
                "form": RungForm(engagement=engagement),
            },
        )


class LadderEditMixin(LoginRequiredMixin):
    def editable(self, request, pk) -> Engagement:
        engagement = _engagement(request, pk)
        if not services.may_edit_ladder(request.user, engagement):
            raise PermissionDenied("Only the engagement's managers change its ladder.")
        return engagement

    def rung(self, request, pk) -> Rung:
        rung = get_object_or_404(Rung.objects.for_user(request.user).select_related("ladder__engagement"), pk=pk)
        self.editable(request, rung.ladder.engagement_id)
        return rung


class DefaultLadderView(LadderEditMixin, View):
    def post(self, request, pk):
        engagement = self.editable(request, pk)
        _run(request, lambda: services.create_default_ladder(engagement, by=request.user), "The default ladder is set.")
        return redirect("onboarding:responsibilities_ladder", engagement.pk)


class RungCreateView(LadderEditMixin, View):
    def post(self, request, pk):
        engagement = self.editable(request, pk)
        form = RungForm(request.POST, engagement=engagement)
        if form.is_valid():
            values = form.values()
            if _run(request, lambda: services.add_rung(engagement, by=request.user, **values), "Rung added."):
                return redirect("onboarding:responsibilities_ladder", engagement.pk)
        return render(
            request,
            "onboarding/responsibilities/ladder.html",
            {"engagement": engagement, "rungs": services.rungs_of(engagement), "can_edit": True, "form": form},
            status=200,
        )


class RungEditView(LadderEditMixin, View):
    def get(self, request, pk):
        rung = self.rung(request, pk)
        form = RungForm(instance=rung, engagement=rung.ladder.engagement)
        return render(request, "onboarding/responsibilities/rung_form.html", {"rung": rung, "form": form})

    def post(self, request, pk):
        rung = self.rung(request, pk)
        engagement = rung.ladder.engagement
        form = RungForm(request.POST, instance=Rung.objects.get(pk=rung.pk), engagement=engagement)
        if form.is_valid():
            values = form.values()
            if _run(request, lambda: services.update_rung(rung, by=request.user, **values), "Rung saved."):
                return redirect("onboarding:responsibilities_ladder", engagement.pk)
        rung.refresh_from_db()
        return render(request, "onboarding/responsibilities/rung_form.html", {"rung": rung, "form": form})


class RungDeleteView(LadderEditMixin, View):
    def post(self, request, pk):
        rung = self.rung(request, pk)
        _run(request, lambda: services.remove_rung(rung, by=request.user), "Rung removed.")
        return redirect("onboarding:responsibilities_ladder", rung.ladder.engagement_id)


class RungMoveView(LadderEditMixin, View):
    def post(self, request, pk):
        rung = self.rung(request, pk)
        up = request.POST.get("direction") == "up"
        _run(request, lambda: services.move_rung(rung, by=request.user, up=up), "Rung moved.")
        return redirect("onboarding:responsibilities_ladder", rung.ladder.engagement_id)


# --- The matrix ------------------------------------------------------------------------------------------------


class MatrixView(LoginRequiredMixin, View):
    """Agents × service lines on one engagement (held, eligible, missing what, suspended why) beside the
    readiness columns the other areas register; filters, paging and CSV export of the filtered rows."""

    def get(self, request, pk):
        engagement = _engagement(request, pk)
        form = MatrixFilterForm(request.GET or None)
        onboardings = Onboarding.objects.filter(engagement=engagement).active().select_related("agent", "engagement")
        filters = form.cleaned_data if form.is_valid() else {}
        if filters.get("q"):
            onboardings = onboardings.filter(agent__full_name__icontains=filters["q"])
        if filters.get("stage"):
            onboardings = onboardings.filter(stage=filters["stage"])
        rungs = services.rungs_of(engagement)
        onboardings = list(onboardings.order_by("agent__full_name", "pk"))
        states = services.line_states(engagement, onboardings, rungs)
        onboardings = [o for o in onboardings if _matches(states[o.pk], filters)]
        if request.GET.get("_export") == "csv":
            return self.export(engagement, rungs, onboardings, states)
        page = Paginator(onboardings, PER_PAGE).get_page(request.GET.get("page"))
        columns = [(key, label) for _, key, label, _ in readiness.COLUMNS if key != "responsibilities"]
        cells = readiness.cells_for(page.object_list)
        rows = [
            {
                "onboarding": onboarding,
                "states": states[onboarding.pk],
                "readiness": [cells.get(key, {}).get(onboarding.pk) for key, _ in columns],
            }
            for onboarding in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "onboarding/responsibilities/matrix.html",
            {
                "engagement": engagement,
                "form": form,
                "rungs": rungs,
                "columns": columns,
                "rows": rows,
                "page_obj": page,
                "query": query.urlencode(),
                "can_grant": services.may_grant(request.user, engagement),
            },
        )

    def export(self, engagement, rungs, onboardings, states):
        header = ["Agent", "Employee ID", "Stage"] + [str(rung.service_line) for rung in rungs]
        rows = [header]
        for onboarding in onboardings:
            cells = []
            for state in states[onboarding.pk]:
                why = " ".join(state.reasons)
                cells.append(f"{state.state}: {why}" if why else state.state)
            agent = onboarding.agent
            rows.append([agent.full_name, agent.employee_ref, onboarding.get_stage_display(), *cells])
        return csv_response(f"responsibilities-{engagement.pk}-{timezone.localdate():%Y-%m-%d}.csv", rows)


def _matches(states, filters) -> bool:
    wanted, line = filters.get("state"), filters.get("line")
    if not wanted:
        return True
    relevant = [s for s in states if line is None or s.rung.service_line_id == line.pk]
    return any(s.state == wanted for s in relevant)


# --- Granting, revoking, reinstating ---------------------------------------------------------------------------


class GrantView(LoginRequiredMixin, View):
    """The grant form of one rung for one onboarding: what is missing is shown; granting is refused until
    nothing is."""

    def setup_objects(self, request, pk, rung_pk):
        onboarding = get_object_or_404(
            Onboarding.objects.for_user(request.user).select_related("agent", "engagement"), pk=pk
        )
        if is_agent(request.user):
            raise_404()
        rung = get_object_or_404(Rung.objects.filter(ladder__engagement=onboarding.engagement), pk=rung_pk)
        if not services.may_grant(request.user, onboarding.engagement):
            raise PermissionDenied("Only the provider's managers grant responsibilities.")
        return onboarding, rung

    def get(self, request, pk, rung_pk):
        onboarding, rung = self.setup_objects(request, pk, rung_pk)
        missing = services.missing_for_rung(onboarding, rung)
        return render(
            request,
            "onboarding/responsibilities/grant_form.html",
            {"onboarding": onboarding, "rung": rung, "missing": missing},
        )

    def post(self, request, pk, rung_pk):
        onboarding, rung = self.setup_objects(request, pk, rung_pk)
        granted = _run(
            request,
            lambda: services.grant(onboarding, rung, by=request.user),
            f"{onboarding.agent} may now work {rung.service_line}.",
        )
        if granted:
            return redirect("onboarding:responsibilities_matrix", onboarding.engagement_id)
        return redirect("onboarding:responsibilities_grant", onboarding.pk, rung.pk)


class ResponsibilityDetailView(LoginRequiredMixin, View):
    """One grant: its state, why, and every step of its history; the provider's managers revoke or reinstate."""

    def get(self, request, pk):
        responsibility = self.responsibility(request, pk)
        return render(
            request,
            "onboarding/responsibilities/grant_detail.html",
            {
                "responsibility": responsibility,
                "events": responsibility.events.select_related("by", "audit"),
                "can_grant": services.may_grant(request.user, responsibility.engagement),
                "revoke_form": ReasonForm(),
                "reinstate_form": NoteForm(),
            },
        )

    def responsibility(self, request, pk) -> Responsibility:
        if is_agent(request.user):
            raise_404()
        return get_object_or_404(
            Responsibility.objects.for_user(request.user).select_related("agent", "engagement", "rung__service_line"),
            pk=pk,
        )


class RevokeView(ResponsibilityDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        responsibility = self.responsibility(request, pk)
        if not services.may_grant(request.user, responsibility.engagement):
            raise PermissionDenied("Only the provider's managers revoke responsibilities.")
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        _run(request, lambda: services.revoke(responsibility, by=request.user, reason=reason), "Revoked.")
        return redirect(responsibility.get_absolute_url())


class ReinstateView(ResponsibilityDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        responsibility = self.responsibility(request, pk)
        if not services.may_grant(request.user, responsibility.engagement):
            raise PermissionDenied("Only the provider's managers reinstate responsibilities.")
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        _run(request, lambda: services.reinstate(responsibility, by=request.user, note=note), "Reinstated.")
        return redirect(responsibility.get_absolute_url())


def matrix_url(engagement_id) -> str:
    return reverse("onboarding:responsibilities_matrix", args=[engagement_id])
