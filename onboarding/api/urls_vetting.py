"""API routes of the vetting area, mounted at /api/v1/ by onboarding/api/urls.py."""

from rest_framework.routers import SimpleRouter

from onboarding.api.views import vetting

router = SimpleRouter()
router.register("hiring-profiles", vetting.HiringProfileViewSet)
router.register("assessments", vetting.AssessmentResultViewSet)

urlpatterns = router.urls
