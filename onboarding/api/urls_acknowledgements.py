"""API routes of the acknowledgements area, mounted at /api/v1/ by onboarding/api/urls.py."""

from rest_framework.routers import SimpleRouter

from onboarding.api.views import acknowledgements as views

router = SimpleRouter()
router.register("policy-documents", views.PolicyDocumentViewSet)
router.register("acknowledgements", views.AcknowledgementViewSet)
router.register("business-associate-agreements", views.BusinessAssociateAgreementViewSet)

urlpatterns = router.urls
