"""Calibration pages: the sessions list, a session (blind scoring, then its report), the two-sided report and an
auditor's calibration history."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from audits.filters.coaching import CalibrationSessionFilterSet
from audits.forms.coaching import CalibrationSessionForm, ScoreForm
from audits.models import CalibrationParticipant, CalibrationSession
from audits.services import calibration
from audits.tables.coaching import CalibrationSessionTable
from audits.views.coaching_base import EngagementPageMixin, run_service
from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectListView
from engagements.access import can_act_on


class CalibrationListView(ObjectListView):
    model = CalibrationSession
    table_class = CalibrationSessionTable
    filterset_class = CalibrationSessionFilterSet
    title = "Calibration sessions"
    select_related = ("engagement", "version__scorecard")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                panel_count=Count("participants", distinct=True),
                submitted_count=Count(
                    "participants", filter=Q(participants__submitted_at__isnull=False), distinct=True
                ),
            )
        )


class CalibrationCreateView(EngagementPageMixin, FormView):
    write = True
    form_class = CalibrationSessionForm
    template_name = "generic/object_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"New calibration session · {self.engagement.name}",
            "cancel_url": reverse("audits:calibration_list"),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            session = calibration.create_session(
                engagement=self.engagement,
                by=self.request.user,
                **{k: v for k, v in data.items() if k != "participants"},
                participants=list(data["participants"]),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Calibration session opened. Each panel member scores it blind.")
        return redirect(session)


class CalibrationDetailView(LoginRequiredMixin, DetailView):
    """A session: its panel (who has scored, never what — until the blind rule allows), the caller's own scoring
    form while it is open, and the report once they may see every score."""

    template_name = "audits/calibration/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return CalibrationSession.objects.for_user(self.request.user).select_related(
            "engagement__practice", "engagement__provider", "version__scorecard", "agent"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session, user = self.object, self.request.user
        panel = list(session.participants.select_related("user"))
        me = next((p for p in panel if p.user_id == user.pk), None)
        context.update(panel=panel, me=me, can_manage=can_act_on(user, session.engagement, "change"))
        if me and not me.has_submitted and session.is_open:
            own = {r.criterion_id: r for r in me.ratings.all()}
            context["score_form"] = ScoreForm(criteria=session.version.ordered_criteria(), initial_ratings=own)
        if calibration.may_see_report(session, user):
            context["report"] = calibration.report(session)
        return context


class CalibrationScoreView(LoginRequiredMixin, View):
    """POST the caller's ratings; `submit` makes them final."""

    http_method_names = ["post"]

    def post(self, request, pk):
        session = get_object_or_404(CalibrationSession.objects.for_user(request.user), pk=pk)
        if not session.participants.filter(user=request.user).exists():
            raise PermissionDenied("You are not on this session's panel.")
        form = ScoreForm(request.POST, criteria=session.version.ordered_criteria())
        form.is_valid()
        submit = "submit" in request.POST
        try:
            with transaction.atomic():
                calibration.save_scores(session, by=request.user, ratings=form.ratings(), submit=submit)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Scores submitted: the others' scores are now visible." if submit else "Saved.")
        return redirect(session)


class CalibrationCloseView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        session = get_object_or_404(CalibrationSession.objects.for_user(request.user), pk=pk)
        if not can_act_on(request.user, session.engagement, "change"):
            raise PermissionDenied("Only the engagement's managers can close a session.")
        return run_service(
            request, lambda: calibration.close_session(session, by=request.user), "Session closed.", session
        )


class TwoSidedCalibrationView(EngagementPageMixin, TemplateView):
    template_name = "audits/calibration/two_sided.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "result": calibration.two_sided_report(self.engagement)}


class AuditorCalibrationView(LoginRequiredMixin, TemplateView):
    """An auditor's calibration history: their deviation from the expert, session by session, with a chart."""

    template_name = "audits/calibration/auditor_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        auditor = get_object_or_404(get_user_model(), pk=self.kwargs["user_pk"])
        visible = CalibrationSession.objects.for_user(self.request.user)
        if not CalibrationParticipant.objects.filter(session__in=visible, user=auditor).exists():
            raise Http404("No calibration of this auditor that you can see.")
        rows = calibration.auditor_history(auditor, visible)
        chart = {
            "labels": [row.session.closed_at.strftime("%Y-%m-%d") for row in rows if row.bias is not None],
            "mad": [round(row.mean_absolute_deviation * 100, 1) for row in rows if row.bias is not None],
            "bias": [round(row.bias * 100, 1) for row in rows if row.bias is not None],
        }
        context.update(auditor=auditor, rows=rows, chart=chart, title="Calibration history")
        return context
