"""API routes of the interviews area, mounted at /api/v1/ by onboarding/api/urls.py. Paths are a public contract:
add, never rename."""

from rest_framework.routers import SimpleRouter

from onboarding.api.views import interviews

router = SimpleRouter()
router.register("interview-rounds", interviews.InterviewRoundViewSet)
router.register("interviews", interviews.InterviewViewSet)
router.register("interview-feedback", interviews.InterviewFeedbackViewSet)

urlpatterns = router.urls
