"""SLAs in the browser: the provider uploads a CSV that misses a target, and the practice sees the breach."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from slas import services
from slas.models import Breach, Measurement, Metric, SLATarget
from slas.periods import local_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_csv_that_misses_a_target_shows_as_a_breach_on_the_practices_sla_page(world, log_in, live_server):
    target = services.save_target(
        SLATarget(
            engagement=world.engagement,
            metric=Metric.objects.get(code="service_level"),
            threshold=Decimal("80"),
            warning_threshold=Decimal("90"),
            effective_from=(local_today(world.practice.timezone) - timedelta(days=40)).replace(day=1),
        ),
        by=world.practice_manager,
    )
    # 40 days back: its month is closed (ended, and past the grace for late data), so it is judged.
    day = local_today(world.practice.timezone) - timedelta(days=40)
    content = (
        "engagement,metric,date,numerator,denominator,external_id\n"
        f"{world.engagement.pk},service_level,{day},60,100,sl-1\n"
        f"{world.engagement.pk},service_level,{day},10,20,sl-2\n"
    )

    provider = log_in(world.provider_manager)
    provider.get_by_role("navigation", name="Main").get_by_role("link", name="SLAs").click()
    provider.get_by_test_id("upload-measurements").click()
    provider.get_by_label("CSV file").set_input_files(
        files=[{"name": "service-level.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    provider.get_by_role("button", name="Check file").click()
    expect(provider.get_by_test_id("preview-new")).to_have_text("2")
    assert not Measurement.objects.exists()  # the preview saves nothing

    provider.get_by_test_id("confirm-upload").click()
    expect(provider).to_have_url(re.compile(r"/measurements/batches/\d+/$"))
    expect(provider.get_by_role("alert").filter(has_text="2 new")).to_be_visible()
    expect(provider.get_by_test_id("batch-breaches")).to_contain_text("Service level")
    breach = Breach.objects.get(target=target)

    practice = log_in(world.practice_manager)
    expect(practice.get_by_test_id("unread-count")).to_have_text("1")
    errors = []
    practice.on("pageerror", lambda error: errors.append(str(error)))
    practice.get_by_role("navigation", name="Main").get_by_role("link", name="SLAs").click()
    cell = practice.get_by_test_id("portfolio").locator(".portfolio-cell.kpi-breach")
    expect(cell).to_contain_text("58.33%")
    cell.click()

    expect(practice).to_have_url(re.compile(rf"/engagements/{world.engagement.pk}/slas/#target-{target.pk}$"))
    card = practice.locator(f"#target-{target.pk}")
    expect(card.get_by_test_id("kpi-status")).to_have_text("Breach")
    expect(card.get_by_test_id("closed-value")).to_have_text("58.33%")
    expect(card.get_by_test_id("so-far")).to_contain_text("so far")
    expect(card.get_by_test_id("target-breaches").get_by_role("link", name=breach.period_label)).to_be_visible()
    canvas = card.locator("canvas.sla-chart")
    expect(canvas).to_have_attribute("data-rendered", "true")
    assert canvas.bounding_box()["height"] > 100
    assert errors == []

    card.get_by_test_id("target-breaches").get_by_role("link", name=breach.period_label).click()
    expect(practice.get_by_test_id("breach-status")).to_have_text("Open")
    expect(practice.get_by_test_id("evidence")).to_contain_text("58.33%")
