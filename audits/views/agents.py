"""The agent's own pages: a signed-in agent sees their audits, feedback and disputes — nothing else."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from audits import access, extensions, reports
from audits.choices import AuditStatus
from audits.models import Dispute, QualityAudit


class AgentHomeView(LoginRequiredMixin, TemplateView):
    """An agent's home page: what awaits their acknowledgement, their audits and trend, and their disputes."""

    template_name = "audits/agent_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agent = access.agent_of(user)
        if agent is None:
            raise Http404("This page is for agents.")
        audits = QualityAudit.objects.for_user(user).select_related("engagement", "version__scorecard")
        context.update(
            agent=agent,
            title="My audits",
            to_acknowledge=audits.filter(status=AuditStatus.SUBMITTED).order_by("-submitted_at", "-pk"),
            audits=audits.order_by("-interaction_date", "-pk")[:50],
            summary=reports.summary(audits.scored()),
            trend=reports.weekly_trend(audits.scored()),
            disputes=Dispute.objects.for_user(user).select_related("audit").order_by("-raised_at", "-pk")[:20],
            panels=extensions.collect(extensions.AGENT_HOME_PANELS, self.request, agent),
        )
        return context
