from django.urls import path

from slas import views

app_name = "slas"

urlpatterns = [
    path("engagements/<int:pk>/slas/", views.EngagementSLAView.as_view(), name="engagement_slas"),
    path("breaches/<int:pk>/", views.BreachDetailView.as_view(), name="breach_detail"),
    path("measurements/batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch_detail"),
]
