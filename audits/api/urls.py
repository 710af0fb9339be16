"""Mounted at /api/v1/ by bpo_portal/urls.py. Resource paths are a public contract: add, never rename."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# -- provider compliance audits --
from audits.api.views import compliance as compliance_views  # noqa: E402 - each area's routes, under its marker

router.register("compliance-audits", compliance_views.ComplianceAuditViewSet)
router.register("findings", compliance_views.FindingViewSet)
router.register("corrective-actions", compliance_views.CorrectiveActionViewSet)
router.register("compliance-schedules", compliance_views.ComplianceScheduleViewSet)

urlpatterns = [path("", include(router.urls))]
