"""Pipeline pages: the Onboarding hub, an engagement's pipeline board, the list of onboardings, one agent's
onboarding with every area's steps on one timeline, and the forms that start, move and offboard."""

from collections import Counter, defaultdict
from statistics import median

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectDetailView, ObjectListView
from engagements.access import engagements_for, is_agent
from engagements.choices import AgentStatus
from onboarding import hub, timeline
from onboarding.choices import OffboardReason
from onboarding.filters.pipeline import OnboardingFilterSet
from onboarding.forms.pipeline import MoveStageForm, OffboardForm, StartOnboardingForm
from onboarding.models import Onboarding, StageChange
from onboarding.services import pipeline
from onboarding.tables.pipeline import OnboardingTable


class NotForAgentsMixin(LoginRequiredMixin):
    """An agent's login has no engagement workspace: these pages do not exist for it."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_agent(request.user):
            from django.http import Http404

            raise Http404
        return super().dispatch(request, *args, **kwargs)


class HubView(NotForAgentsMixin, TemplateView):
    template_name = "onboarding/pipeline/hub.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = hub.links_for(self.request.user)
        context["engagements"] = engagements_for(self.request.user).select_related("practice", "provider")
        return context


def board_columns(engagement) -> tuple[list[dict], list[dict]]:
    """Each stage's count of onboardings in it now, median days a finished stay in it took (from the history), and
    the drop-outs: offboarded, by the stage they left and the reason."""
    counts = Counter(Onboarding.objects.filter(engagement=engagement).values_list("stage", flat=True))
    changes = StageChange.objects.filter(onboarding__engagement=engagement)
    changes = changes.order_by("onboarding_id", "changed_at", "pk")
    stays: dict[str, list[float]] = defaultdict(list)
    entered: dict[int, tuple[str, object]] = {}
    for onboarding_id, from_stage, to_stage, at in changes.values_list(
        "onboarding_id", "from_stage", "to_stage", "changed_at"
    ):
        previous = entered.get(onboarding_id)
        if previous and previous[0] == from_stage:
            stays[from_stage].append((at - previous[1]).total_seconds() / 86400)
        entered[onboarding_id] = (to_stage, at)
    dropouts = Counter(
        StageChange.objects.filter(onboarding__engagement=engagement, to_stage=AgentStatus.OFFBOARDED).values_list(
            "from_stage", "onboarding__offboard_reason"
        )
    )
    columns = []
    for stage in pipeline.PATH:
        columns.append(
            {
                "stage": stage,
                "label": AgentStatus(stage).label,
                "count": counts.get(stage, 0),
                "median_days": round(median(stays[stage]), 1) if stays[stage] else None,
                "dropouts": sum(n for (left, _), n in dropouts.items() if left == stage),
            }
        )
    drops = [
        {
            "stage": AgentStatus(left).label if left else "—",
            "reason": OffboardReason(reason).label if reason else "—",
            "count": n,
        }
        for (left, reason), n in sorted(
            dropouts.items(), key=lambda item: pipeline.PATH.index(item[0][0]) if item[0][0] in pipeline.PATH else 99
        )
    ]
    return columns, drops


class BoardView(NotForAgentsMixin, TemplateView):
    template_name = "onboarding/pipeline/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = get_object_or_404(engagements_for(self.request.user), pk=self.kwargs["pk"])
        columns, drops = board_columns(engagement)
        by_stage = defaultdict(list)
        for onboarding in Onboarding.objects.filter(engagement=engagement).select_related("agent"):
            by_stage[onboarding.stage].append(onboarding)
        for column in columns:
            column["onboardings"] = by_stage[column["stage"]]
        context.update(
            engagement=engagement,
            columns=columns,
            drops=drops,
            offboarded=by_stage[AgentStatus.OFFBOARDED],
            can_move=pipeline.may_move(self.request.user, engagement),
        )
        return context


class OnboardingListView(NotForAgentsMixin, ObjectListView):
    model = Onboarding
    table_class = OnboardingTable
    filterset_class = OnboardingFilterSet
    title = "Onboardings"
    select_related = ("agent", "engagement")


class OnboardingDetailView(ObjectDetailView):
    model = Onboarding
    template_name = "onboarding/pipeline/onboarding_detail.html"
    context_object_name = "onboarding"
    select_related = ("agent", "engagement", "engagement__practice", "engagement__provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeline"] = timeline.events_for(self.object)
        context["sections"] = timeline.sections_for(self.request, self.object)
        context["stage_changes"] = self.object.stage_changes.select_related("changed_by")
        context["can_move"] = pipeline.may_move(self.request.user, self.object.engagement)
        next_stage = pipeline.next_stage(self.object.stage) if not self.object.is_offboarded else None
        context["next_stage"] = AgentStatus(next_stage) if next_stage else None
        context["next_missing"] = onboarding_gates(self.object, next_stage) if next_stage else []
        context["move_form"] = MoveStageForm()
        context["offboard_form"] = OffboardForm()
        return context


def onboarding_gates(onboarding, stage) -> list[str]:
    from onboarding import gates

    return gates.missing_for(onboarding, stage)


class ProviderActionMixin(NotForAgentsMixin):
    """A form the engagement's provider managers use: others who see the object get 403, the rest 404."""

    template_name = "generic/object_form.html"

    def get_engagement(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if is_agent(request.user):
            from django.http import Http404

            raise Http404
        self.engagement = self.get_engagement()
        if not self.allowed():
            raise PermissionDenied("Only the provider's managers do this.")
        return super().dispatch(request, *args, **kwargs)

    def allowed(self) -> bool:
        return pipeline.may_move(self.request.user, self.engagement)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                message, target = self.perform(form)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(target)


class OnboardingActionMixin(ProviderActionMixin):
    def get_engagement(self):
        self.onboarding = get_object_or_404(
            Onboarding.objects.for_user(self.request.user).select_related("agent", "engagement"), pk=self.kwargs["pk"]
        )
        return self.onboarding.engagement

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.onboarding.get_absolute_url()
        return context


class StartOnboardingView(ProviderActionMixin, FormView):
    form_class = StartOnboardingForm

    def get_engagement(self):
        return get_object_or_404(engagements_for(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Start an onboarding onto {self.engagement.name}", **kwargs)

    def perform(self, form):
        onboarding = pipeline.start_onboarding(
            form.cleaned_data["agent"],
            self.engagement,
            by=self.request.user,
            sourcing_channel=form.cleaned_data["sourcing_channel"],
            time_zone=form.cleaned_data["time_zone"],
            note=form.cleaned_data["note"],
        )
        return f"{onboarding.agent} is a candidate on {self.engagement.name}.", onboarding.get_absolute_url()


class MoveStageView(OnboardingActionMixin, FormView):
    form_class = MoveStageForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Move {self.onboarding.agent} to the next stage", **kwargs)

    def perform(self, form):
        to_stage = pipeline.next_stage(self.onboarding.stage) or ""
        if self.request.POST.get("to_stage") and self.request.POST["to_stage"] != to_stage:
            to_stage = self.request.POST["to_stage"]  # the service refuses anything but the next stage
        pipeline.move(self.onboarding, to_stage, by=self.request.user, note=form.cleaned_data["note"])
        return f"{self.onboarding.agent} moved to {self.onboarding.get_stage_display()}.", (
            self.onboarding.get_absolute_url()
        )


class OffboardView(OnboardingActionMixin, FormView):
    form_class = OffboardForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Offboard {self.onboarding.agent} from {self.engagement.name}", **kwargs)

    def perform(self, form):
        pipeline.offboard(
            self.onboarding, form.cleaned_data["reason"], by=self.request.user, note=form.cleaned_data["note"]
        )
        return f"{self.onboarding.agent} was offboarded.", self.onboarding.get_absolute_url()
