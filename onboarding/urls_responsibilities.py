"""Pages of the responsibilities area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
