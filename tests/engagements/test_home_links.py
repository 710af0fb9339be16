"""Every link on a home page leads somewhere its reader may open: read-only staff get links to what they can read."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

READ_ONLY = ["staff@riverside.example", "staff@clearview.example", "manager@riverside.example"]


@pytest.mark.parametrize("email", READ_ONLY)
def test_every_attention_and_reminder_link_on_home_opens(client, email):
    call_command("seed_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(email=email))
    home = client.get(reverse("home")).content.decode()
    attention = home.split('data-testid="attention"', 1)[1].split("</ul>", 1)[0]
    links = set(re.findall(r'href="([^"#]+)"', attention))
    assert links, "the demo gives every role something to attend to"
    statuses = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in statuses.items() if status != 200} == {}
