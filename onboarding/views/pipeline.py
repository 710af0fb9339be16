"""Pipeline pages: one agent's onboarding onto an engagement, with every area's steps on one timeline."""

from bpo_portal.views import ObjectDetailView
from onboarding import timeline
from onboarding.models import Onboarding


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
        return context
