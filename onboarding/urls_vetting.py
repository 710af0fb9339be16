"""Pages of the vetting area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
