"""Onboarding's pages: each area's own urls_<area>.py, under one namespace."""

from onboarding import (
    urls_acknowledgements,
    urls_interviews,
    urls_pipeline,
    urls_ramp,
    urls_responsibilities,
    urls_training,
    urls_vetting,
)

app_name = "onboarding"

urlpatterns = [
    *urls_pipeline.urlpatterns,
    *urls_vetting.urlpatterns,
    *urls_interviews.urlpatterns,
    *urls_training.urlpatterns,
    *urls_acknowledgements.urlpatterns,
    *urls_ramp.urlpatterns,
    *urls_responsibilities.urlpatterns,
]
