"""Mounted at /api/v1/ by bpo_portal/urls.py: each area's api/urls_<area>.py. Resource paths are a public
contract: add, never rename."""

from onboarding.api import (
    urls_acknowledgements,
    urls_interviews,
    urls_pipeline,
    urls_ramp,
    urls_responsibilities,
    urls_training,
    urls_vetting,
)

urlpatterns = [
    *urls_pipeline.urlpatterns,
    *urls_vetting.urlpatterns,
    *urls_interviews.urlpatterns,
    *urls_training.urlpatterns,
    *urls_acknowledgements.urlpatterns,
    *urls_ramp.urlpatterns,
    *urls_responsibilities.urlpatterns,
]
