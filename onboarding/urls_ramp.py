"""Pages of the ramp area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
