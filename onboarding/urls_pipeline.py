"""Pages of the pipeline area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import pipeline

urlpatterns = [
    path("onboarding/", pipeline.HubView.as_view(), name="pipeline_hub"),
    path("onboarding/onboardings/", pipeline.OnboardingListView.as_view(), name="pipeline_list"),
    path("onboarding/engagements/<int:pk>/pipeline/", pipeline.BoardView.as_view(), name="pipeline_board"),
    path(
        "onboarding/engagements/<int:pk>/pipeline/start/", pipeline.StartOnboardingView.as_view(), name="pipeline_start"
    ),
    path("onboardings/<int:pk>/", pipeline.OnboardingDetailView.as_view(), name="onboarding_detail"),
    path("onboardings/<int:pk>/move/", pipeline.MoveStageView.as_view(), name="pipeline_move"),
    path("onboardings/<int:pk>/offboard/", pipeline.OffboardView.as_view(), name="pipeline_offboard"),
]
