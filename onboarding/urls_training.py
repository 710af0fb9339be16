"""Pages of the training area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
