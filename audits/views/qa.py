"""The QA pages: an engagement's quality at a glance, and one agent's audit history and trend."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from audits import access, extensions, reports
from audits.models import Dispute, QualityAudit, Scorecard
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
        )
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
