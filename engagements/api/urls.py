"""Mounted at /api/v1/ by bpo_portal/urls.py. Resource paths are a public contract: add, never rename."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from bpo_portal.api.docs import OfflineRedocView
from engagements.api import views

router = DefaultRouter()
router.register("practices", views.PracticeViewSet)
router.register("providers", views.ProviderViewSet)
router.register("engagements", views.EngagementViewSet)
router.register("agents", views.AgentViewSet)
router.register("service-lines", views.ServiceLineViewSet)

# -- due diligence --


# -- contract terms --


# -- scope, pricing and change requests --


# -- phased transition --


# -- communication --
from engagements.api.views import communication as communication_views  # noqa: E402

router.register("contacts", communication_views.ContactViewSet)
router.register("escalation-levels", communication_views.EscalationLevelViewSet)
router.register("meeting-cadences", communication_views.MeetingCadenceViewSet)
router.register("meetings", communication_views.MeetingViewSet)
router.register("action-items", communication_views.ActionItemViewSet)
router.register("feedback", communication_views.FeedbackViewSet)


# -- reminders --
router.register("reminders", communication_views.ReminderViewSet)


urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
