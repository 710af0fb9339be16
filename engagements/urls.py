from django.urls import path

from engagements import views
from engagements.views import terms as terms_views
from engagements.views.diligence import urlpatterns as diligence_urlpatterns
from engagements.views.history import EngagementHistoryView

app_name = "engagements"

urlpatterns = [
    path("engagements/", views.EngagementListView.as_view(), name="engagement_list"),
    path("engagements/new/", views.EngagementCreateView.as_view(), name="engagement_create"),
    path("engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement_detail"),
    path("engagements/<int:pk>/edit/", views.EngagementUpdateView.as_view(), name="engagement_edit"),
    path("engagements/<int:pk>/status/", views.EngagementStatusView.as_view(), name="engagement_status"),
    path("engagements/<int:pk>/history/", EngagementHistoryView.as_view(), name="engagement_history"),
    path("engagements/<int:pk>/contract/edit/", views.ContractEditView.as_view(), name="contract_edit"),
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
urlpatterns += diligence_urlpatterns


# -- contract terms --
urlpatterns += [
    path("engagements/<int:pk>/contract/", terms_views.ContractDetailView.as_view(), name="contract_detail"),
    path(
        "engagements/<int:pk>/contract/document/", terms_views.ContractDocumentView.as_view(), name="contract_document"
    ),
    path(
        "engagements/<int:pk>/contract/document/upload/",
        terms_views.ContractDocumentUploadView.as_view(),
        name="contract_document_upload",
    ),
    path("checkpoints/<int:pk>/outcome/", terms_views.CheckpointOutcomeView.as_view(), name="checkpoint_outcome"),
]


# -- scope, pricing and change requests --
from engagements.views.money import urlpatterns as money_urls  # noqa: E402 - each area's routes, under its marker

urlpatterns += money_urls

from engagements.views import changes as change_views  # noqa: E402

urlpatterns += [
    path(
        "engagements/<int:pk>/change-requests/",
        change_views.ChangeRequestListView.as_view(),
        name="change_request_list",
    ),
    path(
        "engagements/<int:pk>/change-requests/new/",
        change_views.ChangeRequestCreateView.as_view(),
        name="change_request_create",
    ),
    path("change-requests/<int:pk>/", change_views.ChangeRequestDetailView.as_view(), name="change_request_detail"),
    path(
        "change-requests/<int:pk>/approve/",
        change_views.ApproveChangeRequestView.as_view(),
        name="change_request_approve",
    ),
    path(
        "change-requests/<int:pk>/reject/", change_views.RejectChangeRequestView.as_view(), name="change_request_reject"
    ),
    path(
        "change-requests/<int:pk>/withdraw/",
        change_views.WithdrawChangeRequestView.as_view(),
        name="change_request_withdraw",
    ),
    path(
        "engagements/<int:pk>/contract/versions/",
        change_views.ContractVersionListView.as_view(),
        name="contract_version_list",
    ),
    path(
        "engagements/<int:pk>/contract/versions/<int:number>/",
        change_views.ContractVersionDetailView.as_view(),
        name="contract_version_detail",
    ),
]


# -- phased transition --
from engagements.views import transition as transition_views  # noqa: E402

urlpatterns += transition_views.urlpatterns


# -- communication --
from engagements.views import communication as communication_views  # noqa: E402

urlpatterns += communication_views.urlpatterns


# -- reminders --


# -- webhooks (next to API tokens) --
from engagements.views.webhooks import urlpatterns as webhook_urls  # noqa: E402

urlpatterns += webhook_urls

# -- access log (who read which sensitive record) --
from engagements.views import access_log as access_log_views  # noqa: E402

urlpatterns += access_log_views.urlpatterns
