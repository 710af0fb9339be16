"""Calibration, action plans and sampling under /api/v1/ (audits/api/urls.py adds these). Paths are a public
contract: add, never rename."""

from rest_framework.routers import SimpleRouter

from audits.api.views import coaching

router = SimpleRouter()
router.register("calibration-sessions", coaching.CalibrationSessionViewSet)
router.register("action-plans", coaching.ActionPlanViewSet)
router.register("sampling-policies", coaching.SamplingPolicyViewSet)
router.register("audit-assignments", coaching.AuditAssignmentViewSet)

urlpatterns = router.urls
