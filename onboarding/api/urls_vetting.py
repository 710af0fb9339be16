"""API routes of the vetting area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
