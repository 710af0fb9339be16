"""Pages of the training area, mounted by onboarding/urls.py under the onboarding namespace."""

from django.urls import path

from onboarding.views import training as views

urlpatterns = [
    path("training/modules/", views.ModuleListView.as_view(), name="training_module_list"),
    path("training/modules/new/", views.ModuleCreateView.as_view(), name="training_module_create"),
    path("training/modules/<int:pk>/", views.ModuleDetailView.as_view(), name="module_detail"),
    path("training/modules/<int:pk>/edit/", views.ModuleUpdateView.as_view(), name="training_module_edit"),
    path("training/modules/<int:pk>/attachments/", views.AttachmentAddView.as_view(), name="training_attachment_add"),
    path("training/modules/<int:pk>/questions/", views.QuestionAddView.as_view(), name="training_question_add"),
    path("training/attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="training_attachment"),
    path(
        "training/attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="training_attachment_delete",
    ),
    path("training/questions/<int:pk>/delete/", views.QuestionDeleteView.as_view(), name="training_question_delete"),
    path("training/curricula/", views.CurriculumListView.as_view(), name="training_curriculum_list"),
    path("engagements/<int:pk>/curriculum/", views.CurriculumView.as_view(), name="training_curriculum"),
    path("engagements/<int:pk>/curriculum/add/", views.CurriculumAddView.as_view(), name="training_curriculum_add"),
    path(
        "training/curriculum-items/<int:pk>/<slug:action>/",
        views.CurriculumItemActionView.as_view(),
        name="training_curriculum_item",
    ),
    path("training/completions/", views.CompletionListView.as_view(), name="training_completion_list"),
    path("training/completions/new/", views.CompletionRecordView.as_view(), name="training_completion_record"),
    path("training/staff/", views.StaffTrainingView.as_view(), name="training_staff_list"),
    path("me/training/", views.MyTrainingView.as_view(), name="training_me"),
    path("me/training/modules/<int:pk>/", views.MyModuleView.as_view(), name="training_my_module"),
    path("me/training/modules/<int:pk>/start/", views.StartQuizView.as_view(), name="training_quiz_start"),
    path("training/attempts/<int:pk>/", views.AttemptView.as_view(), name="training_attempt"),
]
