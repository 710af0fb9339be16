"""API routes of the ramp area, mounted at /api/v1/ by onboarding/api/urls.py. Paths are a public contract: add,
never rename."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from onboarding.api.views import ramp

router = SimpleRouter()
router.register("ramp-plans", ramp.RampPlanViewSet)

urlpatterns = [
    *router.urls,
    path("agents/<int:pk>/ramp/", ramp.AgentRampView.as_view(), name="agent-ramp"),
]
