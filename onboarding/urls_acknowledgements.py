"""Pages of the acknowledgements area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import acknowledgements as views

urlpatterns = [
    path("documents/", views.DocumentListView.as_view(), name="document_list"),
    path("documents/new/", views.DocumentCreateView.as_view(), name="document_create"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("documents/<int:pk>/versions/new/", views.VersionCreateView.as_view(), name="document_version_create"),
    path("documents/versions/<int:pk>/file/", views.VersionFileView.as_view(), name="document_version_file"),
    path("documents/versions/<int:pk>/sign/", views.SignView.as_view(), name="document_sign"),
    path("documents/signatures/", views.AcknowledgementListView.as_view(), name="acknowledgement_list"),
    path("me/documents/", views.MyDocumentsView.as_view(), name="my_documents"),
    path("engagements/<int:pk>/baa/", views.BAAView.as_view(), name="baa"),
    path("baa/<int:pk>/file/", views.BAAFileView.as_view(), name="baa_file"),
]
