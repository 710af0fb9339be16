"""Interview pages: the rounds editor per engagement, scheduling a candidate's interview, the interviewer's
feedback form, a provider manager's override, the Interviews list and one interview."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectListView
from engagements.access import can_act_on
from engagements.models import Engagement
from onboarding.filters.interviews import InterviewFilterSet
from onboarding.forms.interviews import FeedbackForm, InterviewRoundForm, OverrideForm, ScheduleInterviewForm
from onboarding.models import HiringProfile, Interview, InterviewFeedback, InterviewRound, Onboarding
from onboarding.services import interviews as interview_services
from onboarding.tables.interviews import InterviewTable


def _form_error(form, error: DomainError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


class ServiceFormView(LoginRequiredMixin, FormView):
    """A form whose valid data goes to one service call; a DomainError shows on the form."""

    template_name = "generic/object_form.html"
    success_message = "Saved."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.load()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                target = self.perform(form)
        except DomainError as error:
            _form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(target)


# --- Rounds ------------------------------------------------------------------------------------------------------


def _visible_engagement(user, pk):
    return get_object_or_404(Engagement.objects.for_user(user).select_related("practice", "provider"), pk=pk)


def _require_manager(user, engagement):
    if not can_act_on(user, engagement, "change"):
        raise PermissionDenied("Only the engagement's managers change its interview rounds.")


class InterviewRoundsView(ServiceFormView):
    """The engagement's interview rounds, and (for its managers) a form to add one."""

    template_name = "onboarding/interviews/rounds.html"
    form_class = InterviewRoundForm
    success_message = "Round added."

    def load(self):
        self.engagement = _visible_engagement(self.request.user, self.kwargs["engagement_pk"])
        self.can_change = can_act_on(self.request.user, self.engagement, "change")

    def post(self, request, *args, **kwargs):
        _require_manager(request.user, self.engagement)
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        profile = HiringProfile.objects.filter(engagement=self.engagement).first()
        last = profile.interview_rounds.order_by("-number").first() if profile else None
        return {"number": (last.number + 1) if last else 1, "expected_average": "3.50"}

    def get_context_data(self, **kwargs):
        rounds = InterviewRound.objects.filter(hiring_profile__engagement=self.engagement).order_by("number")
        return {
            **super().get_context_data(**kwargs),
            "engagement": self.engagement,
            "rounds": rounds,
            "defaults": interview_services.DEFAULT_ROUNDS,
            "can_change": self.can_change,
        }

    def perform(self, form):
        interview_services.create_round(engagement=self.engagement, by=self.request.user, **form.cleaned_data)
        return self.request.path


class DefaultRoundsView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, engagement_pk):
        engagement = _visible_engagement(request.user, engagement_pk)
        _require_manager(request.user, engagement)
        with transaction.atomic():
            rounds = interview_services.ensure_default_rounds(interview_services.profile_for(engagement))
        messages.success(request, f"The hiring profile has {len(rounds)} interview rounds.")
        return redirect("onboarding:interview_rounds", engagement.pk)


class RoundMixin:
    def load(self):
        self.round = get_object_or_404(
            InterviewRound.objects.for_user(self.request.user).select_related("hiring_profile__engagement"),
            pk=self.kwargs["pk"],
        )
        self.engagement = self.round.hiring_profile.engagement
        _require_manager(self.request.user, self.engagement)


class InterviewRoundEditView(RoundMixin, ServiceFormView):
    form_class = InterviewRoundForm
    success_message = "Round saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": InterviewRound.objects.get(pk=self.round.pk)}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Edit {self.round}",
            "cancel_url": self.round.get_absolute_url(),
        }

    def perform(self, form):
        interview_services.update_round(self.round, by=self.request.user, **form.cleaned_data)
        return self.round.get_absolute_url()


class InterviewRoundDeleteView(RoundMixin, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        self.load()
        try:
            with transaction.atomic():
                interview_services.delete_round(self.round, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Deleted {self.round}.")
        return redirect("onboarding:interview_rounds", self.engagement.pk)


# --- Scheduling ----------------------------------------------------------------------------------------------------


class ScheduleInterviewView(ServiceFormView):
    form_class = ScheduleInterviewForm
    success_message = "Interview scheduled; it is on each interviewer's home page."

    def load(self):
        self.onboarding = get_object_or_404(
            Onboarding.objects.for_user(self.request.user).select_related("agent", "engagement"),
            pk=self.kwargs["pk"],
        )
        if not can_act_on(self.request.user, self.onboarding.engagement, "change"):
            raise PermissionDenied("Only the engagement's managers schedule interviews.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "onboarding": self.onboarding}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Schedule an interview for {self.onboarding.agent}",
            "cancel_url": self.onboarding.get_absolute_url(),
        }

    def perform(self, form):
        data = form.cleaned_data
        return interview_services.schedule_interview(
            onboarding=self.onboarding,
            round=data["round"],
            scheduled_at=data["scheduled_at"],
            interviewers=list(data["interviewers"]),
            by=self.request.user,
        )


# --- List and detail ---------------------------------------------------------------------------------------------


def interview_queryset(queryset):
    return queryset.select_related("onboarding__agent", "onboarding__engagement", "round").prefetch_related(
        "interviewers", "feedback"
    )


class InterviewListView(ObjectListView):
    model = Interview
    table_class = InterviewTable
    filterset_class = InterviewFilterSet
    title = "Interviews"

    def get_queryset(self):
        return interview_queryset(self.scoped("view"))


class InterviewDetailView(LoginRequiredMixin, DetailView):
    template_name = "onboarding/interviews/interview_detail.html"
    context_object_name = "interview"

    def get_queryset(self):
        return Interview.objects.for_user(self.request.user).select_related(
            "onboarding__agent", "onboarding__engagement", "round", "overridden_by"
        )

    def get_context_data(self, **kwargs):
        interview = self.object
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "feedback": interview.feedback.select_related("interviewer"),
            "interviewers": interview.interviewers.all(),
            "is_interviewer": interview.interviewers.filter(pk=user.pk).exists(),
            "may_override": interview_services.may_override(user, interview.onboarding.engagement),
        }


# --- Feedback and override -----------------------------------------------------------------------------------------


class InterviewMixin:
    def get_interview(self):
        return get_object_or_404(
            Interview.objects.for_user(self.request.user).select_related(
                "round", "onboarding__agent", "onboarding__engagement"
            ),
            pk=self.kwargs["pk"],
        )


class FeedbackView(InterviewMixin, ServiceFormView):
    template_name = "onboarding/interviews/feedback_form.html"
    form_class = FeedbackForm
    success_message = "Feedback saved."

    def load(self):
        self.interview = self.get_interview()
        if not self.interview.interviewers.filter(pk=self.request.user.pk).exists():
            raise PermissionDenied("Only the interviewers on this interview's panel give feedback on it.")
        mine = InterviewFeedback.objects.filter(interview=self.interview, interviewer=self.request.user)
        self.existing = mine.first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "interview": self.interview, "instance": self.existing}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "interview": self.interview, "existing": self.existing}

    def perform(self, form):
        interview_services.submit_feedback(
            interview=self.interview,
            by=self.request.user,
            ratings=form.ratings(),
            notes=form.cleaned_data["notes"],
            cleared=form.cleaned_data["cleared"],
        )
        return self.interview.get_absolute_url()


class OverrideView(InterviewMixin, ServiceFormView):
    form_class = OverrideForm
    success_message = "Round overridden: it counts as passed."

    def load(self):
        self.interview = self.get_interview()
        if not interview_services.may_override(self.request.user, self.interview.onboarding.engagement):
            raise PermissionDenied("Only a manager of the engagement's provider overrides an interview round.")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Override {self.interview}",
            "cancel_url": self.interview.get_absolute_url(),
        }

    def perform(self, form):
        return interview_services.override(
            interview=self.interview, by=self.request.user, reason=form.cleaned_data["reason"]
        )


def section_context(request, onboarding) -> dict:
    """What the onboarding page's Interviews section shows: each round with this candidate's interview in it."""
    user = request.user
    interviews = {
        interview.round_id: interview
        for interview in onboarding.interviews.select_related("round", "overridden_by").prefetch_related(
            "interviewers", Prefetch("feedback", queryset=InterviewFeedback.objects.select_related("interviewer"))
        )
    }
    rounds = InterviewRound.objects.filter(hiring_profile__engagement_id=onboarding.engagement_id).order_by("number")
    upcoming = interview_services.next_round(onboarding)
    rows = [
        {
            "round": round_,
            "interview": interviews.get(round_.pk),
            "is_interviewer": bool(interviews.get(round_.pk))
            and any(u.pk == user.pk for u in interviews[round_.pk].interviewers.all()),
        }
        for round_ in rounds
    ]
    return {
        "onboarding": onboarding,
        "rows": rows,
        "can_schedule": onboarding.stage == "interviewing"
        and upcoming is not None
        and upcoming.pk not in interviews
        and can_act_on(user, onboarding.engagement, "change"),
        "engagement_id": onboarding.engagement_id,
    }
