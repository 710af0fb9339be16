"""API routes of the interviews area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
