"""The notification list filters by what a notification is about and by engagement, and marks what it shows read."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from engagements.models import Notification
from engagements.notifications import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(world):
    users = get_user_model().objects.filter(pk=world.practice_manager.pk)
    notify(users, key="breach:1", title="Service level breach", engagement=world.engagement)
    notify(users, key="reminder:meeting_due:1:1:2026-12-01", title="Monthly review due", engagement=world.engagement)
    notify(users, key="change_request:3:approved", title="Change approved")
    return world


def titles(response):
    return [notification.title for notification in response.context["notifications"]]


def test_it_filters_by_kind_and_by_engagement(client, inbox):
    client.force_login(inbox.practice_manager)
    url = reverse("engagements:notification_list")
    assert len(titles(client.get(url))) == 3
    assert titles(client.get(url, {"kind": "breach"})) == ["Service level breach"]
    by_engagement = titles(client.get(url, {"engagement": inbox.engagement.pk}))
    assert sorted(by_engagement) == ["Monthly review due", "Service level breach"]


def test_an_engagement_the_user_cannot_see_is_not_a_choice(client, inbox):
    client.force_login(inbox.practice_manager)
    response = client.get(reverse("engagements:notification_list"), {"engagement": inbox.other_engagement.pk})
    assert titles(response) == []  # an engagement out of sight matches nothing, as an unknown one does (issue 11)
    assert str(inbox.other_engagement.pk) not in [
        str(value) for value, _ in response.context["filter"].form.fields["engagement"].choices
    ]


def test_mark_all_read_marks_what_the_filters_show(client, inbox):
    client.force_login(inbox.practice_manager)
    client.post(reverse("engagements:notification_read"), {"kind": "reminder"})
    unread = Notification.objects.filter(user=inbox.practice_manager, read_at=None)
    assert sorted(unread.values_list("title", flat=True)) == ["Change approved", "Service level breach"]
    client.post(reverse("engagements:notification_read"))
    assert not unread.exists()


def test_mark_all_read_leaves_other_peoples_notifications_alone(client, inbox):
    notify(get_user_model().objects.filter(pk=inbox.provider_manager.pk), key="breach:1", title="Breach")
    client.force_login(inbox.practice_manager)
    client.post(reverse("engagements:notification_read"))
    assert Notification.objects.get(user=inbox.provider_manager).read_at is None
