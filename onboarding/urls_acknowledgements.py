"""Pages of the acknowledgements area, mounted by onboarding/urls.py under the onboarding namespace."""

urlpatterns = []
