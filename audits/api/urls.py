from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)

urlpatterns = router.urls

from audits.api.urls_coaching import urlpatterns as coaching_urlpatterns  # noqa: E402 - calibration, plans, sampling

urlpatterns += coaching_urlpatterns
