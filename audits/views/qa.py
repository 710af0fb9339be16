"""The QA pages: an engagement's quality at a glance, and one agent's audit history and trend."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from audits import access, extensions, reports
from audits.forms import QualitySettingsForm
from audits.models import Dispute, QualityAudit, QualitySettings, Scorecard
from audits.services.disputes import save_quality_settings
from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.models import Agent, Engagement


class EngagementQAView(LoginRequiredMixin, TemplateView):
    """Quality score per week, pass and auto-fail rates, the Pareto of failed criteria, and each agent."""

    template_name = "audits/engagement_qa.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        engagement = get_object_or_404(
            Engagement.objects.for_user(user).select_related("practice", "provider"), pk=kwargs["pk"]
        )
        audits = QualityAudit.objects.for_user(user).filter(engagement=engagement).scored()
        agents = Agent.objects.filter(assignments__engagement=engagement).order_by("full_name", "pk")
        context.update(
            engagement=engagement,
            title=f"Quality — {engagement.name}",
            summary=reports.summary(audits),
            trend=reports.weekly_trend(audits),
            pareto=reports.pareto(audits),
            agents=reports.agent_rows(audits, agents),
            scorecards=Scorecard.objects.filter(engagement=engagement).prefetch_related("versions"),
            open_disputes=Dispute.objects.for_user(user).open().filter(audit__engagement=engagement).count(),
            can_audit=access.may_audit(user, engagement),
            can_change_scorecards=can_act_on(user, engagement, "change"),
            recent=audits.select_related("agent").order_by("-interaction_date", "-pk")[:10],
            panels=extensions.collect(extensions.QA_PAGE_PANELS, self.request, engagement),
            quality_settings=QualitySettings.of(engagement),
        )
        if context["can_change_scorecards"]:
            context["settings_form"] = QualitySettingsForm(instance=context["quality_settings"])
        return context


class AgentQualityView(LoginRequiredMixin, TemplateView):
    """One agent's audits (those the viewer may see) with their weekly trend."""

    template_name = "audits/agent_quality.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agent = get_object_or_404(Agent.objects.for_user(user), pk=kwargs["pk"])
        audits = QualityAudit.objects.for_user(user).filter(agent=agent)
        scored = audits.scored()
        context.update(
            agent=agent,
            title=f"Quality — {agent.full_name}",
            summary=reports.summary(scored),
            trend=reports.weekly_trend(scored),
            pareto=reports.pareto(scored, limit=5),
            audits=audits.select_related("engagement", "version__scorecard", "auditor").order_by(
                "-interaction_date", "-pk"
            )[:100],
            panels=extensions.collect(extensions.AGENT_PAGE_PANELS, self.request, agent),
        )
        return context


class QualitySettingsView(LoginRequiredMixin, View):
    """Either side's managers change the engagement's dispute window and decision time."""

    http_method_names = ["post"]

    def post(self, request, pk):
        engagement = get_object_or_404(Engagement.objects.for_user(request.user), pk=pk)
        if not can_act_on(request.user, engagement, "change"):
            raise PermissionDenied("Only the engagement's managers change its quality settings.")
        form = QualitySettingsForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Days are whole numbers from 1 to 60.")
        else:
            try:
                save_quality_settings(engagement, by=request.user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Dispute settings saved.")
        return redirect("audits:engagement_qa", engagement.pk)
