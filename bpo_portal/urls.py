from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bpo_portal.views import health
from engagements.forms import LoginForm
from engagements.views import AcceptInvitationView, HomeView

handler500 = "bpo_portal.views.server_error"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("invitations/<str:token>/", AcceptInvitationView.as_view(), name="accept_invitation"),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("engagements.api.urls")),
    path("api/v1/", include("slas.api.urls")),
    path("api/v1/", include("audits.api.urls")),
    path("api/v1/", include("onboarding.api.urls")),
    path("", include("engagements.urls")),
    path("", include("slas.urls")),
    path("", include("audits.urls")),
    path("", include("onboarding.urls")),
]
