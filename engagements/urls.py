from django.urls import path

from engagements import views

app_name = "engagements"

urlpatterns = [
    path("engagements/", views.EngagementListView.as_view(), name="engagement_list"),
    path("engagements/new/", views.EngagementCreateView.as_view(), name="engagement_create"),
    path("engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement_detail"),
    path("engagements/<int:pk>/edit/", views.EngagementUpdateView.as_view(), name="engagement_edit"),
    path("engagements/<int:pk>/status/", views.EngagementStatusView.as_view(), name="engagement_status"),
    path("engagements/<int:pk>/contract/", views.ContractEditView.as_view(), name="contract_edit"),
    path("engagements/<int:pk>/agents/", views.AssignAgentView.as_view(), name="assignment_add"),
    path(
        "engagements/<int:pk>/agents/<int:assignment_pk>/remove/",
        views.UnassignAgentView.as_view(),
        name="assignment_remove",
    ),
    path("practices/", views.PracticeListView.as_view(), name="practice_list"),
    path("practices/new/", views.PracticeCreateView.as_view(), name="practice_create"),
    path("practices/<int:pk>/", views.PracticeDetailView.as_view(), name="practice_detail"),
    path("practices/<int:pk>/edit/", views.PracticeUpdateView.as_view(), name="practice_edit"),
    path("practices/<int:practice_pk>/locations/new/", views.LocationCreateView.as_view(), name="location_create"),
    path("locations/<int:pk>/edit/", views.LocationUpdateView.as_view(), name="location_edit"),
    path("locations/<int:pk>/delete/", views.LocationDeleteView.as_view(), name="location_delete"),
    path("providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("providers/new/", views.ProviderCreateView.as_view(), name="provider_create"),
    path("providers/<int:pk>/", views.ProviderDetailView.as_view(), name="provider_detail"),
    path("providers/<int:pk>/edit/", views.ProviderUpdateView.as_view(), name="provider_edit"),
    path("agents/", views.AgentListView.as_view(), name="agent_list"),
    path("agents/new/", views.AgentCreateView.as_view(), name="agent_create"),
    path("agents/<int:pk>/", views.AgentDetailView.as_view(), name="agent_detail"),
    path("agents/<int:pk>/edit/", views.AgentUpdateView.as_view(), name="agent_edit"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/invite/", views.InviteView.as_view(), name="invite"),
    path("people/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("people/<int:pk>/deactivate/", views.MemberDeactivateView.as_view(), name="member_deactivate"),
    path("people/<int:pk>/reactivate/", views.MemberReactivateView.as_view(), name="member_reactivate"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("tokens/", views.TokenListView.as_view(), name="token_list"),
    path("tokens/new/", views.TokenCreateView.as_view(), name="token_create"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
]

# Each area of the engagement workspace keeps its own routes in its views module.
# -- due diligence --


# -- contract terms --


# -- scope, pricing and change requests --


# -- phased transition --


# -- communication --
from engagements.views import communication as communication_views  # noqa: E402

urlpatterns += communication_views.urlpatterns


# -- reminders --
