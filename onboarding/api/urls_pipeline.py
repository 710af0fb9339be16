"""API routes of the pipeline area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
