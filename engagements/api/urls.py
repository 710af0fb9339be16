"""Mounted at /api/v1/ by bpo_portal/urls.py. Resource paths are a public contract: add, never rename."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from bpo_portal.api.docs import OfflineRedocView, OfflineSwaggerView
from engagements.api import views
from engagements.api.views import diligence
from engagements.api.views import terms as terms_views

router = DefaultRouter()
router.register("practices", views.PracticeViewSet)
router.register("providers", views.ProviderViewSet)
router.register("engagements", views.EngagementViewSet)
router.register("agents", views.AgentViewSet)
router.register("service-lines", views.ServiceLineViewSet)

# -- due diligence --
router.register("certifications", diligence.CertificationViewSet)
router.register("due-diligence-reviews", diligence.DueDiligenceReviewViewSet)


# -- contract terms --
router.register("contracts", terms_views.ContractViewSet)
router.register("checkpoints", terms_views.CheckpointViewSet)


# -- scope, pricing and change requests --
from engagements.api.views import money as money_views  # noqa: E402 - each area's routes, under its marker

router.register("contract-scope", money_views.ContractScopeViewSet)
router.register("volume-tiers", money_views.VolumeTierViewSet)
router.register("one-off-fees", money_views.OneOffFeeViewSet)
router.register("contract-pricing", money_views.ContractPricingViewSet, basename="contract-pricing")
router.register("service-credits", money_views.ServiceCreditViewSet, basename="service-credit")
router.register("costs", money_views.CostViewSet, basename="cost")

from engagements.api.views import changes as change_views  # noqa: E402

router.register("change-requests", change_views.ChangeRequestViewSet)
router.register("contract-versions", change_views.ContractVersionViewSet)


# -- phased transition --
from engagements.api.views import transition as transition_api  # noqa: E402

router.register("transition-phases", transition_api.TransitionPhaseViewSet)
router.register("gate-criteria", transition_api.GateCriterionViewSet)
router.register("milestones", transition_api.MilestoneViewSet)


# -- communication --
from engagements.api.views import communication as communication_views  # noqa: E402

router.register("contacts", communication_views.ContactViewSet)
router.register("escalation-levels", communication_views.EscalationLevelViewSet)
router.register("meeting-cadences", communication_views.MeetingCadenceViewSet)
router.register("meetings", communication_views.MeetingViewSet)
router.register("action-items", communication_views.ActionItemViewSet)
router.register("feedback", communication_views.FeedbackViewSet)


# -- reminders --
router.register("reminders", communication_views.ReminderViewSet)


urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", OfflineSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
