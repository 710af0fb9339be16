from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("me/audits/", views.AgentHomeView.as_view(), name="agent_home"),
]
