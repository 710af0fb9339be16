"""Mounted at /api/v1/ by bpo_portal/urls.py. Resource paths are a public contract: add, never rename."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from audits.api import views

# A SimpleRouter: the engagements router already serves the API root at /api/v1/.
router = SimpleRouter()
router.register("scorecards", views.ScorecardViewSet)
router.register("audits", views.AuditViewSet)
router.register("disputes", views.DisputeViewSet)

urlpatterns = [path("", include(router.urls))]

from audits.api.urls_coaching import urlpatterns as coaching_urlpatterns  # noqa: E402 - calibration, plans, sampling

urlpatterns += coaching_urlpatterns

# -- provider compliance audits --
from audits.api.views import compliance as compliance_views  # noqa: E402 - each area's routes, under its marker

compliance_router = SimpleRouter()
compliance_router.register("compliance-audits", compliance_views.ComplianceAuditViewSet)
compliance_router.register("findings", compliance_views.FindingViewSet)
compliance_router.register("corrective-actions", compliance_views.CorrectiveActionViewSet)
compliance_router.register("compliance-schedules", compliance_views.ComplianceScheduleViewSet)

urlpatterns += compliance_router.urls
