"""Pages of the ramp area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import ramp

urlpatterns = [
    path("ramp/", ramp.RampListView.as_view(), name="ramp_list"),
    path("engagements/<int:pk>/ramp-plan/", ramp.RampPlanView.as_view(), name="ramp_plan"),
    path("engagements/<int:pk>/ramp-cohort/", ramp.RampCohortView.as_view(), name="ramp_cohort"),
    path("onboardings/<int:pk>/ramp/", ramp.RampOnboardingView.as_view(), name="ramp_onboarding"),
]
