"""Pages of the responsibilities area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import responsibilities as views

urlpatterns = [
    path("responsibilities/", views.HomeView.as_view(), name="responsibilities_home"),
    path("engagements/<int:pk>/ladder/", views.LadderView.as_view(), name="responsibilities_ladder"),
    path(
        "engagements/<int:pk>/ladder/default/",
        views.DefaultLadderView.as_view(),
        name="responsibilities_ladder_default",
    ),
    path("engagements/<int:pk>/ladder/rungs/", views.RungCreateView.as_view(), name="responsibilities_rung_add"),
    path("ladder-rungs/<int:pk>/edit/", views.RungEditView.as_view(), name="responsibilities_rung_edit"),
    path("ladder-rungs/<int:pk>/delete/", views.RungDeleteView.as_view(), name="responsibilities_rung_delete"),
    path("ladder-rungs/<int:pk>/move/", views.RungMoveView.as_view(), name="responsibilities_rung_move"),
    path("engagements/<int:pk>/responsibilities/", views.MatrixView.as_view(), name="responsibilities_matrix"),
    path(
        "onboardings/<int:pk>/responsibilities/<int:rung_pk>/grant/",
        views.GrantView.as_view(),
        name="responsibilities_grant",
    ),
    path("responsibilities/<int:pk>/", views.ResponsibilityDetailView.as_view(), name="responsibilities_grant_detail"),
    path("responsibilities/<int:pk>/revoke/", views.RevokeView.as_view(), name="responsibilities_revoke"),
    path("responsibilities/<int:pk>/reinstate/", views.ReinstateView.as_view(), name="responsibilities_reinstate"),
]
