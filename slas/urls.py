from django.urls import path

from slas import views

app_name = "slas"

urlpatterns = [
    path("slas/", views.PortfolioView.as_view(), name="portfolio"),
    path("slas/kpis/", views.KPIValueListView.as_view(), name="kpi_list"),
    path("slas/breaches/", views.BreachListView.as_view(), name="breach_list"),
    path("slas/targets/<int:pk>/edit/", views.TargetUpdateView.as_view(), name="target_edit"),
    path("engagements/<int:pk>/slas/", views.EngagementSLAView.as_view(), name="engagement_slas"),
    path("engagements/<int:pk>/slas/targets/new/", views.TargetCreateView.as_view(), name="target_create"),
    path("breaches/<int:pk>/", views.BreachDetailView.as_view(), name="breach_detail"),
    path("breaches/<int:pk>/remediation/new/", views.RemediationPlanCreateView.as_view(), name="plan_create"),
    path("remediation/<int:pk>/decide/", views.DecidePlanView.as_view(), name="plan_decide"),
    path("remediation/<int:pk>/done/", views.CompletePlanView.as_view(), name="plan_complete"),
    path("remediation/<int:pk>/close/", views.ClosePlanView.as_view(), name="plan_close"),
    path("measurements/upload/", views.MeasurementUploadView.as_view(), name="upload"),
    path("measurements/batches/", views.IngestBatchListView.as_view(), name="batch_list"),
    path("measurements/batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch_detail"),
    path("measurements/corrections/", views.MeasurementCorrectionListView.as_view(), name="correction_list"),
]
