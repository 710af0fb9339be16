"""The calibration, coaching, sampling and recognition pages (in the `audits` namespace; audits/urls.py adds them)."""

from django.urls import path

from audits.views import calibration, plans, recognition, sampling

urlpatterns = [
    # Calibration
    path("calibration/", calibration.CalibrationListView.as_view(), name="calibration_list"),
    path("calibration/<int:pk>/", calibration.CalibrationDetailView.as_view(), name="calibration_detail"),
    path("calibration/<int:pk>/score/", calibration.CalibrationScoreView.as_view(), name="calibration_score"),
    path("calibration/<int:pk>/close/", calibration.CalibrationCloseView.as_view(), name="calibration_close"),
    path(
        "calibration/auditors/<int:user_pk>/",
        calibration.AuditorCalibrationView.as_view(),
        name="auditor_calibration",
    ),
    path(
        "engagements/<int:pk>/calibration/new/",
        calibration.CalibrationCreateView.as_view(),
        name="calibration_create",
    ),
    path(
        "engagements/<int:pk>/calibration/two-sided/",
        calibration.TwoSidedCalibrationView.as_view(),
        name="calibration_two_sided",
    ),
    # Coaching
    path("action-plans/", plans.ActionPlanListView.as_view(), name="action_plan_list"),
    path("action-plans/<int:pk>/", plans.ActionPlanDetailView.as_view(), name="action_plan_detail"),
    path("action-plans/<int:pk>/edit/", plans.ActionPlanEditView.as_view(), name="action_plan_edit"),
    path(
        "action-plans/<int:pk>/cancel/", plans.ActionPlanOutcomeView.as_view(verb="cancel"), name="action_plan_cancel"
    ),
    path(
        "action-plans/<int:pk>/escalate/",
        plans.ActionPlanOutcomeView.as_view(verb="escalate"),
        name="action_plan_escalate",
    ),
    path("action-plans/items/<int:pk>/done/", plans.ActionPlanItemToggleView.as_view(), name="action_plan_item_done"),
    path("audits/<int:audit_pk>/action-plan/new/", plans.StartActionPlanView.as_view(), name="action_plan_from_audit"),
    # Sampling
    path("engagements/<int:pk>/sampling/", sampling.SamplingView.as_view(), name="sampling"),
    path("engagements/<int:pk>/sampling/edit/", sampling.SamplingPolicyEditView.as_view(), name="sampling_edit"),
    path("engagements/<int:pk>/sampling/schedule/", sampling.ScheduleWeekView.as_view(), name="sampling_schedule"),
    path("audit-assignments/", sampling.AssignmentListView.as_view(), name="assignment_list"),
    path("audit-assignments/<int:pk>/done/", sampling.CompleteAssignmentView.as_view(), name="assignment_complete"),
    path("audits/queue/", sampling.AuditorQueueView.as_view(), name="queue"),
    # Recognition and consequence
    path("engagements/<int:pk>/recognition/", recognition.RecognitionView.as_view(), name="recognition"),
]
