"""Pages of the pipeline area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import pipeline

urlpatterns = [
    path("onboardings/<int:pk>/", pipeline.OnboardingDetailView.as_view(), name="onboarding_detail"),
]
