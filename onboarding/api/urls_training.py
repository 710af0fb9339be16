"""API routes of the training area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
