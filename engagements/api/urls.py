"""Mounted at /api/v1/ by bpo_portal/urls.py. Resource paths are a public contract: add, never rename."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from bpo_portal.api.docs import OfflineRedocView
from engagements.api import views
from engagements.api.views import diligence

router = DefaultRouter()
router.register("practices", views.PracticeViewSet)
router.register("providers", views.ProviderViewSet)
router.register("engagements", views.EngagementViewSet)
router.register("agents", views.AgentViewSet)
router.register("service-lines", views.ServiceLineViewSet)

# -- due diligence --
router.register("certifications", diligence.CertificationViewSet)
router.register("due-diligence-reviews", diligence.DueDiligenceReviewViewSet)


# -- contract terms --


# -- scope, pricing and change requests --


# -- phased transition --


# -- communication --


# -- reminders --


urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
