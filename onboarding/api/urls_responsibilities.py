"""API routes of the responsibilities area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
