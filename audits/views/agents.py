"""The agent's own pages: a signed-in agent sees their audits, feedback and disputes — nothing else."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from audits import access
from audits.models import QualityAudit


class AgentHomeView(LoginRequiredMixin, TemplateView):
    """An agent's home page: their latest audits and feedback, what awaits their acknowledgement, disputes."""

    template_name = "audits/agent_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agent = access.agent_of(self.request.user)
        if agent is None:
            raise Http404("This page is for agents.")
        audits = (
            QualityAudit.objects.for_user(self.request.user)
            .select_related("engagement", "version__scorecard")
            .order_by("-interaction_date", "-pk")
        )
        context.update(agent=agent, audits=audits[:50], title="My audits")
        return context
