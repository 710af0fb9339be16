"""API routes of the ramp area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
