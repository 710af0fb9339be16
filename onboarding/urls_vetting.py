"""Pages of the vetting area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import vetting

urlpatterns = [
    path("onboarding/engagements/<int:pk>/hiring-profile/", vetting.HiringProfileView.as_view(), name="hiring_profile"),
    path(
        "onboarding/engagements/<int:pk>/hiring-profile/require/",
        vetting.RequirementSetView.as_view(),
        name="vetting_requirement_set",
    ),
    path(
        "onboarding/requirements/<int:pk>/remove/",
        vetting.RequirementRemoveView.as_view(),
        name="vetting_requirement_remove",
    ),
    path("onboardings/<int:pk>/assessments/add/", vetting.ResultAddView.as_view(), name="vetting_result_add"),
    path("onboardings/<int:pk>/typing-test/send/", vetting.TypingLinkSendView.as_view(), name="vetting_typing_send"),
    path("typing-test/<str:token>/", vetting.TypingTestView.as_view(), name="vetting_typing_test"),
]
