"""Pages of the interviews area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
