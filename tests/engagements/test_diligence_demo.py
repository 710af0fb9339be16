"""The demo shows due diligence: certificates flagged, approved reviews past vetting, a half-done one in vetting."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagements.choices import EngagementStatus
from engagements.models import Certification, DueDiligenceReview, Engagement


@pytest.fixture(autouse=True)
def _demo(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_the_demo_has_reviews_and_flagged_certificates():
    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    statuses = {cert.status_on(today) for cert in Certification.objects.all()}
    assert {"valid", "expiring", "expired"} <= statuses
    for engagement in Engagement.objects.exclude(status=EngagementStatus.VETTING):
        assert engagement.due_diligence.is_approved, engagement
    vetting = DueDiligenceReview.objects.get(engagement__name="After-hours patient line")
    score = vetting.summary()
    assert not vetting.decision and score.rated == 6 and score.unrated == 5
