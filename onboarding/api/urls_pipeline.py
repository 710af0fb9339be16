"""API routes of the pipeline area, mounted at /api/v1/ by onboarding/api/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from onboarding.api.views import pipeline

router = SimpleRouter()
router.register("onboardings", pipeline.OnboardingViewSet)

urlpatterns = [
    *router.urls,
    path("agents/<int:pk>/stage/", pipeline.AgentStageView.as_view(), name="agent-stage"),
]
