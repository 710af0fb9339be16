from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("me/audits/", views.AgentHomeView.as_view(), name="agent_home"),
]

from audits.urls_coaching import urlpatterns as coaching_urlpatterns  # noqa: E402 - calibration, coaching, sampling

urlpatterns += coaching_urlpatterns
