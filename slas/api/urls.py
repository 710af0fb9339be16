"""Mounted at /api/v1/ by bpo_portal/urls.py, after the engagements API. Resource paths are a public contract:
add, never rename."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from slas.api import views

# A SimpleRouter: the engagements router already serves the API root at /api/v1/.
router = SimpleRouter()
router.register("metrics", views.MetricViewSet)
router.register("sla-targets", views.SLATargetViewSet)
router.register("measurements", views.MeasurementViewSet)
router.register("ingest-batches", views.IngestBatchViewSet)
router.register("measurement-corrections", views.MeasurementCorrectionViewSet)
router.register("kpis", views.KPIValueViewSet)
router.register("breaches", views.BreachViewSet)
router.register("remediation-plans", views.RemediationPlanViewSet)
router.register("notifications", views.NotificationViewSet)

urlpatterns = [
    # Before the router, whose notifications/{id}/ would otherwise take "read" for an id.
    path("notifications/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path("", include(router.urls)),
]
