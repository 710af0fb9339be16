"""Pages of the pipeline area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
