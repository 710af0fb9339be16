"""API routes of the acknowledgements area, mounted at /api/v1/ by onboarding/api/urls.py."""

urlpatterns = []
