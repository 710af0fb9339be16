from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("me/audits/", views.AgentHomeView.as_view(), name="agent_home"),
    # Scorecards
    path("scorecards/", views.ScorecardListView.as_view(), name="scorecard_list"),
    path("scorecards/new/", views.ScorecardCreateView.as_view(), name="scorecard_create"),
    path("scorecards/<int:pk>/", views.ScorecardDetailView.as_view(), name="scorecard_detail"),
    path("scorecard-versions/<int:pk>/", views.VersionDetailView.as_view(), name="version_detail"),
    path("scorecard-versions/<int:pk>/pass-mark/", views.PassMarkView.as_view(), name="version_pass_mark"),
    path("scorecard-versions/<int:pk>/sections/", views.AddSectionView.as_view(), name="version_add_section"),
    path("scorecard-versions/<int:pk>/criteria/", views.AddCriterionView.as_view(), name="version_add_criterion"),
    path("scorecard-versions/<int:pk>/publish/", views.PublishVersionView.as_view(), name="version_publish"),
    path("scorecard-versions/<int:pk>/new-draft/", views.NewDraftView.as_view(), name="version_new_draft"),
    path("criteria/<int:pk>/edit/", views.CriterionUpdateView.as_view(), name="criterion_edit"),
    path("criteria/<int:pk>/delete/", views.CriterionDeleteView.as_view(), name="criterion_delete"),
    path("scorecard-sections/<int:pk>/delete/", views.SectionDeleteView.as_view(), name="section_delete"),
    # Audits
    path("audits/", views.AuditListView.as_view(), name="audit_list"),
    path("audits/new/", views.AuditCreateView.as_view(), name="audit_create"),
    path("audits/<int:pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path("audits/<int:pk>/rate/", views.AuditRateView.as_view(), name="audit_rate"),
    path("audits/<int:pk>/score/", views.ScorePreviewView.as_view(), name="audit_score_preview"),
    path("audits/<int:pk>/submit/", views.AuditSubmitView.as_view(), name="audit_submit"),
    path("audits/<int:pk>/acknowledge/", views.AuditAcknowledgeView.as_view(), name="audit_acknowledge"),
    path("audits/<int:pk>/delete/", views.AuditDeleteView.as_view(), name="audit_delete"),
    path("audits/<int:pk>/dispute/", views.DisputeCreateView.as_view(), name="dispute_create"),
    # Disputes
    path("disputes/", views.DisputeListView.as_view(), name="dispute_list"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="dispute_detail"),
    path("disputes/<int:pk>/decide/", views.DisputeDecideView.as_view(), name="dispute_decide"),
    # QA pages
    path("engagements/<int:pk>/quality/", views.EngagementQAView.as_view(), name="engagement_qa"),
    path("engagements/<int:pk>/quality/settings/", views.QualitySettingsView.as_view(), name="quality_settings"),
    path("agents/<int:pk>/quality/", views.AgentQualityView.as_view(), name="agent_quality"),
]

from audits.urls_coaching import urlpatterns as coaching_urlpatterns  # noqa: E402 - calibration, coaching, sampling

urlpatterns += coaching_urlpatterns

# -- provider compliance audits --
from audits.views import compliance as compliance_views  # noqa: E402

urlpatterns += compliance_views.urlpatterns
