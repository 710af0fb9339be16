"""An expired certificate's reminder reads *expired*, not *expiring*."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from engagements.choices import ReminderKind
from engagements.models import Reminder

pytestmark = pytest.mark.django_db


def test_the_reminder_list_says_a_lapsed_certificate_expired(client):
    call_command("seed_demo", verbosity=0)
    lapsed = Reminder.objects.filter(kind=ReminderKind.CERTIFICATE_EXPIRING, level="danger")
    assert lapsed.exists()  # the demo has an ISO certificate that expired
    client.force_login(get_user_model().objects.get(email="manager@riverside.example"))
    page = client.get(reverse("engagements:reminder_list")).content.decode()
    assert "Certificate expired" in page
