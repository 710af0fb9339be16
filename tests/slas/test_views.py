"""The SLA pages: what each role sees, forms that save through the services, the two-step CSV upload, exports
that hold exactly the filtered rows, and query counts that stay put as the data grows."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from engagements.choices import Role
from engagements.models import Notification
from slas import forms as sla_forms
from slas.choices import BreachStatus, KPIStatus, RemediationStatus
from slas.models import Breach, IngestBatch, KPIValue, Measurement, RemediationPlan, SLATarget
from slas.periods import label, local_today, period_start, shift
from tests import factories

pytestmark = pytest.mark.django_db


def judged_day(world):
    """A day 40 days back: its month is closed (ended, and past the 2-day grace) whatever today is, so breaches
    open for it. Data for the period under way is provisional and opens none."""
    return local_today(world.practice.timezone) - timedelta(days=40)


def judged_month(world):
    return period_start(judged_day(world), "month")


@pytest.fixture
def missed(sla, world):
    """Service level ≥ 80% (warning under 90%), met in one closed month (95%) and missed the next (50%)."""
    target = sla.target("service_level", 80, warning_threshold=90)
    last_month = shift(judged_month(world), "month", -1)
    sla.push([
        sla.row("service_level", last_month, numerator=95, denominator=100, external_id="sl-last"),
        sla.row("service_level", judged_day(world), numerator=5, denominator=10, external_id="sl-now"),
    ])  # fmt: skip
    return target


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def upload(client, content: str, *, allow_corrections=False, name="measurements.csv"):
    data = {"file": SimpleUploadedFile(name, content.encode(), content_type="text/csv")}
    if allow_corrections:
        data["allow_corrections"] = "on"
    return client.post(reverse("slas:upload"), data)


def csv_text(world, *rows):
    lines = ["engagement,metric,date,numerator,denominator,value,external_id"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


# --- The engagement's SLA page ---------------------------------------------------------------------------------------


class TestEngagementSLAPage:
    def test_staff_see_each_target_with_its_current_value_status_chart_and_breach(self, client, world, missed):
        client.force_login(world.practice_staff)
        response = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk]))
        assert response.status_code == 200
        (trend,) = response.context["trends"]
        assert trend.target == missed
        assert trend.last_closed.value == 50 and trend.status == KPIStatus.BREACH
        assert trend.last_closed.period_label == label(judged_month(world), "month")
        assert trend.last_closed_breach == Breach.objects.get()
        (chart,) = response.context["charts"]
        assert len(chart["labels"]) == 12 and chart["labels"][-1] == trend.current_label
        months = chart["labels"].index(label(judged_month(world), "month"))
        assert chart["values"][months - 1 : months + 1] == [95.0, 50.0]
        assert chart["values"].count(None) == 10  # gaps, not zeros
        assert chart["threshold"] == 80.0 and chart["warning"] == 90.0
        html = response.content.decode()
        assert f'id="sla-chart-{missed.pk}"' in html and 'id="sla-charts-data"' in html
        breach = Breach.objects.get()
        assert trend.breaches == [breach] and breach.get_absolute_url() in html
        assert "No plan yet" in html

    @pytest.mark.parametrize(
        ("persona", "add_target", "upload"),
        [
            ("practice_manager", True, False),
            ("provider_manager", False, True),
            ("practice_staff", False, False),
            ("provider_staff", False, False),
            ("admin", True, True),
        ],
    )
    def test_buttons_follow_what_each_role_may_do(self, client, world, missed, persona, add_target, upload):
        client.force_login(getattr(world, persona))
        html = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk])).content.decode()
        assert ('data-testid="add-target"' in html) is add_target
        assert ("Edit target" in html) is add_target
        assert ('data-testid="upload-measurements"' in html) is upload

    def test_an_engagement_without_targets_says_so(self, client, world):
        client.force_login(world.practice_manager)
        response = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk]))
        assert response.context["trends"] == [] and b'data-testid="no-targets"' in response.content

    def test_the_current_period_is_the_practices_today(self, client, world, sla):
        world.practice.timezone = "Pacific/Kiritimati"  # UTC+14: often already tomorrow
        world.practice.save()
        sla.target("calls_handled", 10, period="day")
        client.force_login(world.practice_manager)
        response = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk]))
        assert response.context["trends"][0].periods[-1] == local_today("Pacific/Kiritimati")

    def test_queries_do_not_grow_with_targets_and_periods(self, client, world, sla, django_assert_max_num_queries):
        url = reverse("slas:engagement_slas", args=[world.engagement.pk])
        client.force_login(world.practice_manager)
        sla.target("service_level", 80)
        sla.push([sla.row("service_level", judged_day(world), numerator=1, denominator=2)])
        client.get(url)
        with django_assert_max_num_queries(25) as few:
            client.get(url)
        baseline = len(few)  # now: the connection's query log is a bounded deque that the setup below may roll
        codes = ["first_call_resolution", "escalation_rate", "appointment_adherence", "claim_accuracy"]
        for code in codes:
            sla.target(code, 50, period="week")
        start = judged_month(world) - timedelta(days=60)
        sla.push([
            sla.row(code, start + timedelta(days=day), numerator=day % 3, denominator=3)
            for code in codes
            for day in range(0, 60, 2)
        ])  # fmt: skip
        assert Breach.objects.count() > 5
        with django_assert_max_num_queries(baseline):
            client.get(url)


# --- Target forms ----------------------------------------------------------------------------------------------------


def target_data(**overrides):
    data = {
        "metric": "",
        "threshold": "80",
        "warning_threshold": "90",
        "period": "month",
        "min_sample_size": "1",
        "effective_from": "2024-01-01",
        "effective_to": "",
        "weight": "1",
    }
    return {**data, **overrides}


class TestTargetForms:
    @pytest.fixture
    def service_level(self):
        from slas.models import Metric

        return Metric.objects.get(code="service_level")

    def test_a_practice_manager_adds_a_target_and_its_kpis_are_computed(
        self, client, world, sla, service_level, django_capture_on_commit_callbacks
    ):
        sla.push([sla.row("service_level", judged_day(world), numerator=1, denominator=2)])
        client.force_login(world.practice_manager)
        url = reverse("slas:target_create", args=[world.engagement.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, target_data(metric=service_level.pk))
        target = SLATarget.objects.get()
        assert response.status_code == 302 and response.url == target.get_absolute_url()
        assert (target.engagement, target.created_by, target.threshold) == (
            world.engagement,
            world.practice_manager,
            80,
        )
        assert KPIValue.objects.get(target=target).status == KPIStatus.BREACH  # recomputed from what was there

    def test_a_warning_threshold_on_the_wrong_side_is_shown_on_its_field(self, client, world, service_level):
        client.force_login(world.practice_manager)
        url = reverse("slas:target_create", args=[world.engagement.pk])
        response = client.post(url, target_data(metric=service_level.pk, warning_threshold="70"))
        assert response.status_code == 200
        assert "at or above the threshold" in response.context["form"].errors["warning_threshold"][0]
        assert b"is-invalid" in response.content
        assert not SLATarget.objects.exists()

    def test_an_end_before_the_start_is_shown_on_its_field(self, client, world, service_level):
        client.force_login(world.practice_manager)
        url = reverse("slas:target_create", args=[world.engagement.pk])
        response = client.post(url, target_data(metric=service_level.pk, effective_to="2023-12-31"))
        assert response.context["form"].errors["effective_to"] == ["A target cannot end before it starts."]
        assert not SLATarget.objects.exists()

    def test_editing_the_threshold_rejudges_the_periods(
        self, client, world, missed, service_level, django_capture_on_commit_callbacks
    ):
        client.force_login(world.practice_manager)
        data = target_data(metric=service_level.pk, threshold="40", warning_threshold="45")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("slas:target_edit", args=[missed.pk]), data)
        assert response.status_code == 302
        missed.refresh_from_db()
        assert missed.threshold == 40
        assert KPIValue.objects.get(target=missed, period_start=judged_month(world)).status == KPIStatus.MET
        assert Breach.objects.get().status == BreachStatus.RESOLVED_BY_DATA

    def test_the_provider_cannot_open_the_target_forms(self, client, world, missed):
        client.force_login(world.provider_manager)
        assert client.get(reverse("slas:target_create", args=[world.engagement.pk])).status_code == 403
        assert client.get(reverse("slas:target_edit", args=[missed.pk])).status_code == 403


# --- Portfolio -------------------------------------------------------------------------------------------------------


def add_engagement_with_target(world, sla, provider=None, *, value=(5, 10), code="service_level"):
    provider = provider or factories.make_provider()
    engagement = factories.make_engagement(world.practice, provider, by=world.practice_manager)
    manager = factories.make_member(provider, Role.MANAGER)
    target = sla.target(code, 80, engagement=engagement)
    numerator, denominator = value
    sla.push(
        [sla.row(code, judged_day(world), engagement=engagement, numerator=numerator, denominator=denominator)],
        by=manager,
    )
    return engagement, target


class TestPortfolio:
    def test_a_practice_manager_sees_every_provider_and_where_slas_are_missed(self, client, world, sla, missed):
        other_engagement, other_target = add_engagement_with_target(world, sla, value=(9, 10))
        client.force_login(world.practice_manager)
        response = client.get(reverse("slas:portfolio"))
        rows = {row.engagement: row for row in response.context["rows"]}
        assert set(rows) == {world.engagement, other_engagement}
        assert [m.code for m in response.context["metrics"]] == ["service_level"]
        ((home_target,),) = rows[world.engagement].cells
        assert home_target.latest.status == KPIStatus.BREACH and home_target.latest.value == 50
        ((other,),) = rows[other_engagement].cells
        assert other.latest.status == KPIStatus.MET
        assert (rows[world.engagement].open_breaches, rows[other_engagement].open_breaches) == (1, 0)
        assert response.context["open_totals"] == {"breach": 1}
        html = response.content.decode()
        assert "portfolio-cell kpi-breach" in html and "portfolio-cell kpi-met" in html
        assert f"{reverse('slas:engagement_slas', args=[world.engagement.pk])}#target-{missed.pk}" in html

    def test_a_cell_shows_the_latest_judged_period_not_one_with_too_few_samples(self, client, world, sla):
        target = sla.target("service_level", 80, min_sample_size=10)
        last_month = shift(judged_month(world), "month", -1)
        sla.push([
            sla.row("service_level", last_month, numerator=9, denominator=10),
            sla.row("service_level", judged_day(world), numerator=1, denominator=2),  # too few this month
        ])  # fmt: skip
        client.force_login(world.provider_manager)
        ((cell,),) = client.get(reverse("slas:portfolio")).context["rows"][0].cells
        assert cell == target and cell.latest.period_start == last_month and cell.latest.status == KPIStatus.MET

    def test_it_filters_to_engagements_with_open_breaches_and_keeps_the_filter_across_pages(
        self, client, world, sla, missed
    ):
        healthy, _ = add_engagement_with_target(world, sla, value=(9, 10))
        client.force_login(world.practice_manager)
        url = reverse("slas:portfolio")
        assert {row.engagement for row in client.get(url).context["rows"]} == {world.engagement, healthy}

        response = client.get(url, {"troubled": "on"})
        assert [row.engagement for row in response.context["rows"]] == [world.engagement]
        response = client.get(url, {"q": healthy.name})
        assert [row.engagement for row in response.context["rows"]] == [healthy]
        assert 'data-testid="portfolio-filter"' in response.content.decode()

        response = client.get(url, {"troubled": "on", "page": "1"})
        assert "No live engagement matches" not in response.content.decode()
        response = client.get(url, {"q": "no such engagement"})
        assert response.context["rows"] == [] and "No live engagement matches" in response.content.decode()

    def test_an_outsider_sees_none_of_the_home_engagements(self, client, world, missed):
        client.force_login(world.outsider)
        response = client.get(reverse("slas:portfolio"))
        assert [row.engagement for row in response.context["rows"]] == [world.other_engagement]
        assert response.context["open_totals"] == {}
        assert b"Front desk</a>" not in response.content

    def test_queries_do_not_grow_with_engagements(self, client, world, sla, missed, django_assert_max_num_queries):
        client.force_login(world.practice_manager)
        url = reverse("slas:portfolio")
        client.get(url)
        with django_assert_max_num_queries(25) as few:
            client.get(url)
        baseline = len(few)  # now: the connection's query log is a bounded deque that the setup below may roll
        for _ in range(6):
            add_engagement_with_target(world, sla, code="first_call_resolution")
        assert len(client.get(url).context["rows"]) == 7
        with django_assert_max_num_queries(baseline):
            client.get(url)


# --- KPI values and breaches lists -----------------------------------------------------------------------------------


class TestLists:
    def test_kpi_values_filter_by_status_and_export_exactly_those_rows(self, client, world, missed):
        client.force_login(world.provider_staff)
        url = reverse("slas:kpi_list")
        assert len(client.get(url).context["table"].rows) == 2
        response = client.get(url, {"status": "breach"})
        (row,) = response.context["table"].page.object_list
        assert row.record.period_start == judged_month(world)
        exported = csv_rows(client.get(url, {"status": "breach", "_export": "csv"}))
        assert len(exported) == 1
        assert exported[0]["Status"] == "Breach" and exported[0]["Value"] == "50.0000"
        assert exported[0]["Engagement"] == "Front desk"

    def test_breaches_filter_by_engagement_and_status_and_export_them(self, client, world, sla, missed):
        other_engagement, _ = add_engagement_with_target(world, sla)
        client.force_login(world.practice_manager)
        url = reverse("slas:breach_list")
        assert len(client.get(url).context["table"].rows) == 2
        params = {"engagement": world.engagement.pk, "status": "open"}
        (row,) = client.get(url, params).context["table"].page.object_list
        assert row.record.target == missed
        exported = csv_rows(client.get(url, {**params, "_export": "csv"}))
        assert [r["Engagement"] for r in exported] == ["Front desk"]
        assert exported[0]["Remediation"] == "" and exported[0]["Severity"] == "Breach"
        assert (
            client.get(url, {"engagement": other_engagement.pk, "status": "closed"}).context["table"].paginator.count
            == 0
        )

    def test_the_breach_list_shows_the_latest_remediation_status(self, client, world, missed):
        breach = Breach.objects.get()
        RemediationPlan.objects.create(
            breach=breach, actions="Add two agents", owner="Bea", due_on=timezone.localdate(), status="rejected"
        )
        RemediationPlan.objects.create(
            breach=breach, actions="Add four agents", owner="Bea", due_on=timezone.localdate()
        )
        client.force_login(world.practice_manager)
        exported = csv_rows(client.get(reverse("slas:breach_list"), {"_export": "csv"}))
        assert exported[0]["Remediation"] == "Submitted"

    def test_another_tenants_rows_never_show(self, client, world, sla, missed):
        other_manager = world.other_provider_manager
        sla.target("service_level", 80, engagement=world.other_engagement, by=world.outsider)
        sla.push(
            [
                sla.row(
                    "service_level", judged_day(world), engagement=world.other_engagement, numerator=1, denominator=4
                )
            ],
            by=other_manager,
        )
        client.force_login(world.outsider)
        for name in ("slas:kpi_list", "slas:breach_list"):
            rows = client.get(reverse(name)).context["table"].page.object_list
            assert {row.record.target.engagement for row in rows} == {world.other_engagement}
            assert "Front desk" not in client.get(reverse(name), {"_export": "csv"}).content.decode()

    @pytest.mark.parametrize("name", ["slas:kpi_list", "slas:breach_list", "slas:batch_list"])
    def test_list_queries_do_not_grow_with_rows(self, client, world, sla, missed, name, django_assert_max_num_queries):
        client.force_login(world.provider_manager)
        url = reverse(name)
        client.get(url)
        with django_assert_max_num_queries(25) as few:
            client.get(url)
        baseline = len(few)  # now: the connection's query log is a bounded deque that the setup below may roll
        for _ in range(5):
            add_engagement_with_target(world, sla, provider=world.provider)
        sla.push([sla.row("service_level", judged_day(world), numerator=1, denominator=3) for _ in range(3)])
        with django_assert_max_num_queries(baseline):
            client.get(url)
        with django_assert_max_num_queries(baseline):
            client.get(url, {"_export": "csv"})


# --- Breach page and remediation -------------------------------------------------------------------------------------


class TestBreachAndRemediation:
    def test_the_breach_page_shows_its_evidence(self, client, world, missed):
        breach = Breach.objects.get()
        client.force_login(world.practice_staff)
        response = client.get(breach.get_absolute_url())
        assert response.context["kpi"].value == 50
        (day,) = response.context["daily"]
        assert (day["date"], day["rows"], day["value"]) == (judged_day(world), 1, "50%")
        html = response.content.decode()
        assert "80%" in html and 'data-testid="propose-plan"' not in html

    def test_a_plan_goes_from_proposal_to_closure_through_both_sides(self, client, world, missed):
        breach = Breach.objects.get()
        due = (timezone.localdate() + timedelta(days=14)).isoformat()
        client.force_login(world.provider_manager)
        assert b'data-testid="propose-plan"' in client.get(breach.get_absolute_url()).content
        response = client.post(
            reverse("slas:plan_create", args=[breach.pk]), {"actions": "Two more agents", "owner": "Bea", "due_on": due}
        )
        assert response.status_code == 302 and response.url == breach.get_absolute_url()
        plan = RemediationPlan.objects.get()
        assert (plan.status, plan.submitted_by) == (RemediationStatus.SUBMITTED, world.provider_manager)

        client.force_login(world.practice_manager)
        client.post(reverse("slas:plan_decide", args=[plan.pk]), {"decision": "reject", "note": ""})
        plan.refresh_from_db()
        assert plan.status == RemediationStatus.SUBMITTED  # a rejection needs a reason
        response = client.post(reverse("slas:plan_decide", args=[plan.pk]), {"decision": "accept"}, follow=True)
        assert "Remediation plan accepted." in response.content.decode()

        client.force_login(world.provider_manager)
        client.post(reverse("slas:plan_complete", args=[plan.pk]))
        client.force_login(world.practice_manager)
        client.post(reverse("slas:plan_close", args=[plan.pk]))
        plan.refresh_from_db()
        breach.refresh_from_db()
        assert (plan.status, breach.status) == (RemediationStatus.CLOSED, BreachStatus.CLOSED)
        assert Notification.objects.filter(user=world.practice_manager, key=f"remediation:{plan.pk}:submitted").exists()

    def test_a_rejected_plan_can_be_followed_by_a_new_one(self, client, world, missed):
        breach = Breach.objects.get()
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        plan = RemediationPlan.objects.create(breach=breach, actions="x", owner="Bea", due_on=due, status="rejected")
        client.force_login(world.provider_manager)
        response = client.get(breach.get_absolute_url())
        assert response.context["plans"] == [plan] and response.context["can_propose"]

    def test_a_due_date_in_the_past_is_shown_on_its_field(self, client, world, missed):
        breach = Breach.objects.get()
        client.force_login(world.provider_manager)
        past = (timezone.localdate() - timedelta(days=1)).isoformat()
        response = client.post(
            reverse("slas:plan_create", args=[breach.pk]), {"actions": "More agents", "owner": "Bea", "due_on": past}
        )
        assert response.context["form"].errors["due_on"] == ["The due date cannot be in the past."]
        assert not RemediationPlan.objects.exists()


# --- CSV upload ------------------------------------------------------------------------------------------------------


class TestUpload:
    def test_the_preview_lists_every_row_error_and_saves_nothing(self, client, world, missed):
        client.force_login(world.provider_manager)
        content = csv_text(
            world,
            (world.engagement.pk, "service_level", judged_day(world), 5, 0, "", "u-1"),
            (world.engagement.pk, "no_such_metric", judged_day(world), 1, 2, "", "u-2"),
            (world.engagement.pk, "service_level", "yesterday", 1, 2, "", "u-3"),
        )
        response = upload(client, content)
        assert response.status_code == 200
        errors = response.context["rejected"].errors
        assert [(e["row"], e["field"]) for e in errors] == [(1, "denominator"), (2, "metric"), (3, "date")]
        html = response.content.decode()
        assert 'data-testid="upload-errors"' in html and "The denominator cannot be 0." in html
        assert "payload" not in response.context
        assert Measurement.objects.count() == 2 and IngestBatch.objects.count() == 1  # the fixture's only

    def test_a_valid_file_is_previewed_then_saved_on_confirmation_and_the_breach_appears(
        self, client, world, sla, django_capture_on_commit_callbacks
    ):
        target = sla.target("first_call_resolution", 90)
        client.force_login(world.provider_manager)
        content = csv_text(
            world,
            (world.engagement.pk, "first_call_resolution", judged_day(world), 60, 100, "", "fcr-1"),
            (world.engagement.pk, "first_call_resolution", judged_day(world), 10, 20, "", "fcr-2"),
        )
        response = upload(client, content)
        preview = response.context["preview"]
        assert (preview.rows, preview.new, preview.duplicates, preview.corrected) == (2, 2, 0, 0)
        ((engagement, metric, rows, first, last),) = preview.touched
        assert (engagement, metric.code, rows) == (world.engagement, "first_call_resolution", 2)
        assert not Measurement.objects.exists() and not IngestBatch.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("slas:upload"), {"payload": response.context["payload"]})
        batch = IngestBatch.objects.get()
        assert response.status_code == 302 and response.url == batch.get_absolute_url()
        assert (batch.source, batch.submitted_by, batch.created_count) == ("upload", world.provider_manager, 2)
        breach = Breach.objects.get(target=target)
        assert breach.value == Decimal("58.33")  # 70 / 120
        page = client.get(batch.get_absolute_url())
        assert page.context["breaches"] == [breach] and page.context["object"].recomputed_at is not None
        client.force_login(world.practice_manager)
        sla_page = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk]))
        assert sla_page.context["trends"][0].breaches == [breach]

    def test_the_preview_counts_duplicates_and_corrections(self, client, world, missed):
        client.force_login(world.provider_manager)
        content = csv_text(
            world,
            (world.engagement.pk, "service_level", judged_day(world), 5, 10, "", "sl-now"),  # same as stored
            (world.engagement.pk, "service_level", shift(judged_month(world), "month", -1), 50, 100, "", "sl-last"),
            (world.engagement.pk, "service_level", judged_day(world), 9, 10, "", "sl-new"),
        )
        conflict = upload(client, content)
        assert conflict.context["rejected"].errors[0]["row"] == 2
        preview = upload(client, content, allow_corrections=True).context["preview"]
        assert (preview.rows, preview.new, preview.duplicates, preview.corrected) == (3, 1, 1, 1)

    def test_a_tampered_or_borrowed_preview_is_refused(self, client, world, missed):
        client.force_login(world.provider_manager)
        content = csv_text(world, (world.engagement.pk, "service_level", judged_day(world), 1, 2, "", "x-1"))
        payload = upload(client, content).context["payload"]
        response = client.post(reverse("slas:upload"), {"payload": payload[:-3] + "abc"}, follow=True)
        assert "expired or is not yours" in response.content.decode()
        client.force_login(world.admin)  # signed for someone else
        response = client.post(reverse("slas:upload"), {"payload": payload}, follow=True)
        assert "expired or is not yours" in response.content.decode()
        assert Measurement.objects.count() == 2

    def test_more_than_ten_thousand_rows_are_refused_with_the_limit(self, client, world, missed):
        client.force_login(world.provider_manager)
        rows = [(world.engagement.pk, "calls_handled", judged_day(world), "", "", 1, f"c-{n}") for n in range(10_001)]
        response = upload(client, csv_text(world, *rows))
        assert "at most 10,000 rows" in response.context["form"].errors["file"][0]
        assert Measurement.objects.count() == 2

    def test_an_oversized_file_is_refused_before_it_is_read(self, client, world, monkeypatch):
        monkeypatch.setattr(sla_forms, "MAX_UPLOAD_BYTES", 100)
        client.force_login(world.provider_manager)
        rows = [(world.engagement.pk, "calls_handled", judged_day(world), "", "", 1, f"c-{n}") for n in range(10)]
        response = upload(client, csv_text(world, *rows))
        assert "at most 10,000 rows" in response.context["form"].errors["file"][0]

    def test_a_file_that_is_not_utf8_text_is_explained(self, client, world):
        client.force_login(world.provider_manager)
        response = client.post(
            reverse("slas:upload"), {"file": SimpleUploadedFile("m.csv", b"\xff\xfe\x00bad", content_type="text/csv")}
        )
        assert response.context["rejected"].errors[0]["message"] == "The file is not UTF-8 text."

    def test_the_practice_side_cannot_upload(self, client, world):
        client.force_login(world.practice_manager)
        assert client.get(reverse("slas:upload")).status_code == 403


# --- Ingest batches --------------------------------------------------------------------------------------------------


class TestBatches:
    def test_the_provider_sees_its_batches_and_what_each_touched(self, client, world, missed):
        batch = IngestBatch.objects.get()
        client.force_login(world.provider_manager)
        response = client.get(reverse("slas:batch_list"))
        assert [row.record for row in response.context["table"].page.object_list] == [batch]
        exported = csv_rows(client.get(reverse("slas:batch_list"), {"_export": "csv"}))
        assert exported[0]["Rows"] == "2" and exported[0]["By"] == "Bea Account"
        detail = client.get(batch.get_absolute_url())
        ((engagement, metric, days, _, _), *others) = detail.context["touched"]
        assert (engagement, metric.code, days, others) == (world.engagement, "service_level", 2, [])
        assert detail.context["breaches"] == [Breach.objects.get()]

    def test_the_practice_side_sees_no_batches(self, client, world, missed):
        client.force_login(world.practice_manager)
        assert client.get(reverse("slas:batch_list")).context["table"].paginator.count == 0
        assert client.get(IngestBatch.objects.get().get_absolute_url()).status_code == 404


# --- Notifications, the navbar, the home and engagement pages --------------------------------------------------------


class TestNotifications:
    def test_the_bell_counts_unread_notifications(self, client, world, missed):
        client.force_login(world.practice_manager)
        response = client.get(reverse("home"))
        assert response.context["unread_notifications"] == 1
        assert b'data-testid="unread-count">1<' in response.content
        client.force_login(world.practice_staff)  # staff are not told about breaches
        assert b'data-testid="unread-count"' not in client.get(reverse("home")).content

    def test_the_page_lists_my_notifications_newest_first(self, client, world, missed):
        older = Notification.objects.create(user=world.practice_manager, key="older", title="Older news")
        Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
        Notification.objects.create(user=world.provider_manager, key="theirs", title="Not mine")
        client.force_login(world.practice_manager)
        response = client.get(reverse("engagements:notification_list"))
        titles = [n.title for n in response.context["notifications"]]
        assert titles[0].startswith("SLA breach: Service level") and titles[1:] == ["Older news"]

    def test_opening_a_notification_marks_it_read_and_follows_its_link(self, client, world, missed):
        notification = Notification.objects.get(user=world.practice_manager)
        client.force_login(world.practice_manager)
        response = client.post(reverse("engagements:notification_read"), {"notification": notification.pk, "open": "1"})
        assert response.status_code == 302 and response.url == Breach.objects.get().get_absolute_url()
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_mark_all_read_touches_only_mine(self, client, world, missed):
        client.force_login(world.practice_manager)
        client.post(reverse("engagements:notification_read"))
        assert not Notification.objects.filter(user=world.practice_manager, read_at__isnull=True).exists()
        assert Notification.objects.filter(user=world.provider_manager, read_at__isnull=True).count() == 1

    def test_someone_elses_notification_is_not_found(self, client, world, missed):
        theirs = Notification.objects.get(user=world.provider_manager)
        client.force_login(world.practice_manager)
        response = client.post(reverse("engagements:notification_read"), {"notification": theirs.pk})
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_a_notification_pointing_elsewhere_is_not_followed(self, client, world):
        evil = Notification.objects.create(user=world.practice_manager, key="x", title="x", url="https://evil.test/")
        client.force_login(world.practice_manager)
        response = client.post(reverse("engagements:notification_read"), {"notification": evil.pk, "open": "1"})
        assert response.url == reverse("engagements:notification_list")


class TestOtherPages:
    def test_the_nav_links_to_the_portfolio(self, client, world):
        client.force_login(world.practice_staff)
        html = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("slas:portfolio")}" data-testid="nav-slas"' in html

    def test_home_lists_open_breaches(self, client, world, missed):
        client.force_login(world.practice_manager)
        html = client.get(reverse("home")).content.decode()
        assert 'data-testid="open-breaches"' in html and Breach.objects.get().get_absolute_url() in html
        client.force_login(world.outsider)
        assert 'data-testid="open-breaches"' not in client.get(reverse("home")).content.decode()

    def test_the_engagement_page_summarises_its_slas(self, client, world, missed):
        client.force_login(world.provider_staff)
        response = client.get(world.engagement.get_absolute_url())
        html = response.content.decode()
        assert 'data-testid="sla-summary"' in html
        assert reverse("slas:engagement_slas", args=[world.engagement.pk]) in html
