"""API routes of the training area, mounted at /api/v1/ by onboarding/api/urls.py."""

from rest_framework.routers import SimpleRouter

from onboarding.api.views import training as views

router = SimpleRouter()
router.register("training-modules", views.TrainingModuleViewSet)
router.register("curricula", views.CurriculumViewSet)
router.register("training-completions", views.TrainingCompletionViewSet)

urlpatterns = router.urls
