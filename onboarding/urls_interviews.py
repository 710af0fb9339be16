"""Pages of the interviews area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import interviews

urlpatterns = [
    path(
        "engagements/<int:engagement_pk>/interview-rounds/",
        interviews.InterviewRoundsView.as_view(),
        name="interview_rounds",
    ),
    path(
        "engagements/<int:engagement_pk>/interview-rounds/defaults/",
        interviews.DefaultRoundsView.as_view(),
        name="interview_rounds_defaults",
    ),
    path("interview-rounds/<int:pk>/edit/", interviews.InterviewRoundEditView.as_view(), name="interview_round_edit"),
    path(
        "interview-rounds/<int:pk>/delete/",
        interviews.InterviewRoundDeleteView.as_view(),
        name="interview_round_delete",
    ),
    path(
        "onboardings/<int:pk>/interviews/schedule/",
        interviews.ScheduleInterviewView.as_view(),
        name="interview_schedule",
    ),
    path("interviews/", interviews.InterviewListView.as_view(), name="interview_list"),
    path("interviews/<int:pk>/", interviews.InterviewDetailView.as_view(), name="interview_detail"),
    path("interviews/<int:pk>/feedback/", interviews.FeedbackView.as_view(), name="interview_feedback"),
    path("interviews/<int:pk>/override/", interviews.OverrideView.as_view(), name="interview_override"),
]
