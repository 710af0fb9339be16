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
from engagements.api.views import changes as change_views  # noqa: E402

router.register("change-requests", change_views.ChangeRequestViewSet)
router.register("contract-versions", change_views.ContractVersionViewSet)


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
