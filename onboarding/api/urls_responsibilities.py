"""API routes of the responsibilities area, mounted at /api/v1/ by onboarding/api/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from onboarding.api.views import responsibilities as views

router = SimpleRouter()
router.register("ladders", views.LadderViewSet)
router.register("responsibilities", views.ResponsibilityViewSet)

urlpatterns = [
    path("routing/", views.RoutingView.as_view(), name="routing"),
    path(
        "agents/<int:pk>/responsibilities/",
        views.AgentResponsibilitiesView.as_view(),
        name="agent-responsibilities",
    ),
    *router.urls,
]
