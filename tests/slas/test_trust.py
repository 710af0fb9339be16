"""SLA results both sides can sign off on (issue 11): breaches only for closed periods, every breach announced
once whatever its period, the same rules on both databases, the contract's precision, and the batch page and
filters that show only what they should. One test body, both databases (CI runs the suite on each)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.urls import reverse

from engagements.models import Notification
from engagements.services import terms as terms_services
from slas import evidence, rollups, tasks
from slas.choices import BreachStatus, KPIStatus
from slas.models import Breach, IngestBatch, KPIValue, SLATarget
from slas.periods import closed_before, local_today, period_start
from slas.views import batch_breaches

pytestmark = pytest.mark.django_db


def today(world):
    return local_today(world.practice.timezone)


def set_grace(world, days):
    world.engagement.sla_grace_days = days
    world.engagement.save(update_fields=["sla_grace_days"])


# --- 1. A breach is judged on a closed period ------------------------------------------------------------------------


def test_the_period_under_way_gets_a_value_so_far_but_no_breach_notice_or_credit(sla, world):
    """On 1 December a monthly calls-handled target opened a breach after one day of data (900 vs 2,500)."""
    target = sla.target("calls_handled", 2500, service_credit_percent=Decimal("10"))
    day = today(world)
    sla.push([sla.row("calls_handled", day, value=900)])
    tasks.recompute_recent()
    tasks.recompute_target(target.pk)

    kpi = KPIValue.objects.get(target=target)
    assert kpi.period_start == period_start(day, "month") and kpi.value == 900
    assert not Breach.objects.exists() and not Notification.objects.exists()
    assert not evidence.counted_breaches().exists()
    progress = evidence.progress(kpi)
    length = (kpi.period_end - kpi.period_start).days + 1
    assert (progress.closed, progress.days_elapsed, progress.days_in_period) == (False, day.day, length)
    assert progress.projection == (Decimal(900) * length / day.day).quantize(Decimal("0.01"))
    assert progress.outlook == (evidence.AT_RISK if progress.projection < 2500 else evidence.ON_TRACK)


def test_a_period_is_judged_once_its_last_day_and_the_grace_have_passed(sla, world):
    target = sla.target("service_level", 80, period="day")
    yesterday, three_days_ago = today(world) - timedelta(days=1), today(world) - timedelta(days=3)
    sla.push([
        sla.row("service_level", yesterday, numerator=1, denominator=10),
        sla.row("service_level", three_days_ago, numerator=1, denominator=10),
    ])  # fmt: skip
    # Default grace, 2 days: three days ago is closed and breached; yesterday may still get late data.
    assert list(Breach.objects.values_list("period_start", flat=True)) == [three_days_ago]
    assert KPIValue.objects.get(target=target, period_start=yesterday).status == KPIStatus.BREACH  # so far
    assert Notification.objects.count() == 2

    set_grace(world, 0)  # the grace passes (here: shortened): the nightly job judges the period now closed
    tasks.recompute_recent()
    assert set(Breach.objects.values_list("period_start", flat=True)) == {three_days_ago, yesterday}
    assert Notification.objects.count() == 4


def test_late_data_for_a_closed_period_still_opens_or_resolves_its_breach(sla, world):
    sla.target("service_level", 80)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=9, denominator=10)])
    assert not Breach.objects.exists()
    sla.push([sla.row("service_level", date(2026, 3, 3), numerator=0, denominator=90)])
    assert Breach.objects.get().status == BreachStatus.OPEN
    sla.push([sla.row("service_level", date(2026, 3, 4), numerator=900, denominator=900)])
    assert Breach.objects.get().status == BreachStatus.RESOLVED_BY_DATA


@pytest.mark.parametrize(
    ("on", "grain", "grace", "last_closed"),
    [
        (date(2026, 12, 1), "month", 2, date(2026, 10, 1)),  # November is in its grace until 2 December
        (date(2026, 12, 3), "month", 2, date(2026, 11, 1)),
        (date(2026, 12, 1), "month", 0, date(2026, 11, 1)),
        (date(2026, 12, 2), "week", 2, date(2026, 11, 23)),  # Wed: the week ending Sun 29 Nov closed on Wed
        (date(2026, 12, 1), "week", 2, date(2026, 11, 16)),
        (date(2026, 12, 1), "day", 2, date(2026, 11, 28)),
    ],
)
def test_the_last_closed_periods_allow_for_the_grace(world, on, grain, grace, last_closed):
    set_grace(world, grace)
    periods = evidence.last_closed_periods(world.engagement, grain, 2, on)
    assert periods[-1].start == last_closed and periods[-1].end < closed_before(on, grace)
    assert periods[0].end < periods[1].start


def test_termination_evidence_counts_only_breaches_of_closed_periods(sla, world):
    """The period under way has no breach row, so it cannot count toward ending the contract without penalty."""
    sla.target("service_level", 80, period="day")
    sla.push([sla.row("service_level", today(world), numerator=0, denominator=10)])
    contract = _contract(world)
    found = list(terms_services._counted_breaches(contract, today(world) - timedelta(days=90), today(world)))
    assert found == []


def _contract(world):
    from engagements import services

    return services.save_contract(
        world.engagement,
        by=world.practice_manager,
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
        evaluation_months=6,
        notice_days=60,
    )


def test_the_kpi_api_flags_closed_and_provisional_values(sla, world, api):
    target = sla.target("service_level", 80, warning_threshold=90)
    sla.push([
        sla.row("service_level", date(2026, 3, 2), numerator=95, denominator=100),
        sla.row("service_level", today(world), numerator=85, denominator=100),
    ])  # fmt: skip
    rows = api.as_user(world.practice_manager).get("/api/v1/kpis/", {"target": target.pk}).json()["results"]
    current, march = rows
    assert (march["period_start"], march["closed"], march["progress"]) == ("2026-03-01", True, None)
    assert (current["closed"], current["status"], current["value"]) == (False, "warning", "85.00")
    assert current["progress"]["outlook"] == "at_risk" and current["progress"]["projection"] is None
    assert current["progress"]["days_elapsed"] == (today(world) - date.fromisoformat(current["period_start"])).days + 1


def test_the_sla_page_headlines_the_last_closed_period_and_shows_the_current_one_so_far(sla, world, client):
    sla.target("service_level", 80, warning_threshold=90)
    set_grace(world, 0)
    current = period_start(today(world), "month")
    last = period_start(current - timedelta(days=1), "month")
    sla.push([
        sla.row("service_level", last, numerator=50, denominator=100),
        sla.row("service_level", today(world), numerator=85, denominator=100),
    ])  # fmt: skip
    client.force_login(world.practice_staff)
    response = client.get(reverse("slas:engagement_slas", args=[world.engagement.pk]))
    (trend,) = response.context["trends"]
    assert (trend.last_closed.period_start, trend.status) == (last, KPIStatus.BREACH)
    assert trend.last_closed_breach == Breach.objects.get()
    assert trend.current.period_start == current and trend.current_progress.outlook == evidence.AT_RISK
    html = response.content.decode()
    assert "(last closed)" in html and " so far" in html and 'data-testid="outlook"' in html and "At risk" in html


def test_the_portfolio_colours_by_the_last_closed_period_and_marks_at_risk_apart(sla, world, client):
    target = sla.target("service_level", 80, warning_threshold=90)
    set_grace(world, 0)
    current = period_start(today(world), "month")
    last = period_start(current - timedelta(days=1), "month")
    sla.push([
        sla.row("service_level", last, numerator=95, denominator=100),
        sla.row("service_level", today(world), numerator=10, denominator=100),
    ])  # fmt: skip
    client.force_login(world.practice_manager)
    response = client.get(reverse("slas:portfolio"))
    (row,) = [r for r in response.context["rows"] if r.engagement == world.engagement]
    (cell,) = [t for cell in row.cells for t in cell if t.pk == target.pk]
    assert (cell.latest.period_start, cell.latest.status, cell.at_risk) == (last, KPIStatus.MET, True)
    assert 'data-testid="at-risk"' in response.content.decode()


# --- 2. Every new breach is announced once, whatever its period ------------------------------------------------------


def test_a_breach_of_a_week_that_began_in_the_previous_month_is_announced(sla, world):
    """A batch dated 1–2 August opens a breach on the ISO week starting 29 July (PostgreSQL told no one)."""
    sla.target("service_level", 80, period="week", effective_from=date(2024, 7, 1))
    sla.push([sla.row("service_level", date(2024, 7, 29), numerator=10, denominator=10)])
    assert not Breach.objects.exists()
    sla.push([
        sla.row("service_level", date(2024, 8, 1), numerator=0, denominator=20),
        sla.row("service_level", date(2024, 8, 2), numerator=0, denominator=20),
    ])  # fmt: skip
    breach = Breach.objects.get()
    assert breach.period_start == date(2024, 7, 29)
    assert Notification.objects.filter(key=f"breach:{breach.pk}:breach").count() == 2


@pytest.mark.parametrize("job", ["batch", "target", "nightly"])
def test_a_backfilled_breach_is_announced_once_by_whichever_job_opens_it(sla, world, monkeypatch, job):
    target = sla.target("service_level", 80, effective_from=date(2025, 1, 1))
    if job != "batch":
        monkeypatch.setattr(tasks.recompute_batch, "delay", lambda *args: None)  # lost: another job does the work
    old = today(world) - timedelta(days=200)
    sla.push([sla.row("service_level", old, numerator=1, denominator=10)])
    if job == "target":
        tasks.recompute_target(target.pk)
    elif job == "nightly":
        # The nightly window does not reach 200 days back, but the batch's recompute is owed (slas.owed): the
        # nightly job does owed work first, whatever its period, and announces what it opens.
        tasks.recompute_recent()
    breach = Breach.objects.get()
    assert Notification.objects.filter(key=f"breach:{breach.pk}:breach").count() == 2
    tasks.recompute_target(target.pk)
    tasks.recompute_batch(IngestBatch.objects.get().pk)
    assert Notification.objects.count() == 2


# --- 3. The same rules on both databases -----------------------------------------------------------------------------


def test_narrowing_a_targets_dates_resolves_the_breaches_outside_them_by_data(
    sla, world, django_capture_on_commit_callbacks
):
    target = sla.target("service_level", 80)
    sla.push([
        sla.row("service_level", date(2026, 3, 2), numerator=1, denominator=10),
        sla.row("service_level", date(2026, 4, 2), numerator=1, denominator=10),
    ])  # fmt: skip
    assert Breach.objects.filter(status=BreachStatus.OPEN).count() == 2
    target.effective_from = date(2026, 4, 1)
    from slas import services

    with django_capture_on_commit_callbacks(execute=True):
        services.save_target(target, by=world.practice_manager)
    assert list(KPIValue.objects.values_list("period_start", flat=True)) == [date(2026, 4, 1)]
    statuses = dict(Breach.objects.values_list("period_start", "status"))
    assert statuses == {date(2026, 3, 1): BreachStatus.RESOLVED_BY_DATA, date(2026, 4, 1): BreachStatus.OPEN}
    tasks.recompute_recent()
    tasks.recompute_target(target.pk)
    assert dict(Breach.objects.values_list("period_start", "status")) == statuses


def test_a_recompute_moves_a_breachs_period_with_its_targets_grain(sla, world, django_capture_on_commit_callbacks):
    target = sla.target("service_level", 80, period="day")
    sla.push([sla.row("service_level", date(2026, 3, 1), numerator=1, denominator=10)])
    assert Breach.objects.get().period_end == date(2026, 3, 1)
    target.period = "month"
    from slas import services

    with django_capture_on_commit_callbacks(execute=True):
        services.save_target(target, by=world.practice_manager)
    breach = Breach.objects.get()
    assert (breach.period_start, breach.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert KPIValue.objects.get().period_end == breach.period_end


def test_values_only_one_database_stores_exactly_are_refused_and_exact_ones_resend_as_duplicates(sla, world, api):
    client = api.as_user(world.provider_manager)
    row = {"engagement": world.engagement.pk, "metric": "calls_handled", "date": "2026-03-02", "external_id": "big"}
    refused = client.post("/api/v1/measurements/", [{**row, "value": "12345678901234.5678"}], format="json")
    assert refused.status_code == 400 and "15 significant digits" in str(refused.json())
    assert not IngestBatch.objects.exists()
    exact = {**row, "value": "12345678901.2345"}  # 15 significant digits
    first = client.post("/api/v1/measurements/", [exact], format="json")
    again = client.post("/api/v1/measurements/", [exact], format="json")
    assert first.status_code == 201 and first.json()["created"] == 1
    assert again.json()["duplicates"] == 1 and again.json()["created"] == 0


def _snapshot():
    kpis = sorted(
        KPIValue.objects.values_list(
            "target_id", "period_start", "period_end", "numerator", "denominator", "value", "sample_size", "status"
        )
    )
    breaches = sorted(
        Breach.objects.values_list(
            "target_id", "period_start", "period_end", "severity", "status", "value", "threshold", "notified_severity"
        )
    )
    return kpis, breaches


def test_the_database_path_and_the_python_path_agree_on_every_kpi_and_breach_field(sla, world):
    """PostgreSQL computes in one SQL statement, SQLite in Python: the same scenarios through both, compared."""
    set_grace(world, 0)
    sla.target("service_level", 80, warning_threshold=90, period="week")
    sla.target("calls_handled", 100)
    sla.target("average_talk_time", 300, warning_threshold=270, period="day", min_sample_size=5)
    sla.target("service_level", 50, service_line=_line("scheduling"))
    rows = []
    for offset in range(70):
        day = date(2026, 1, 1) + timedelta(days=offset)
        rows += [
            sla.row("service_level", day, numerator=offset % 10, denominator=10),
            sla.row("service_level", day, service_line="scheduling", numerator=offset % 7, denominator=7),
            sla.row("calls_handled", day, value=offset % 4),
            sla.row("average_talk_time", day, numerator=250 + offset * 3, denominator=1 + offset % 6),
        ]
    rows.append(sla.row("service_level", today(world), numerator=1, denominator=10))  # a provisional period too
    sla.push(rows)
    assert KPIValue.objects.exists() and Breach.objects.exists()
    by_vendor = _snapshot()

    Breach.objects.all().delete()
    KPIValue.objects.all().delete()
    targets = list(SLATarget.objects.select_related("metric", "engagement__practice"))
    rollups._recompute(targets, since=date(2026, 1, 1))  # the Python path, whatever the database
    kpis, breaches = _snapshot()
    assert kpis == by_vendor[0]
    assert [b[:7] for b in breaches] == [b[:7] for b in by_vendor[1]]
    assert connection.vendor in ("sqlite", "postgresql")


def _line(code):
    from engagements.models import ServiceLine

    return ServiceLine.objects.get(code=code)


# --- 4. The contract's precision -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "shown", "status"),
    [
        (18999, "95.00", KPIStatus.MET),  # 94.995% reads 95.00, half to even, and is judged as read
        (18997, "94.98", KPIStatus.BREACH),  # 94.985% → 94.98
        (19999, "100.00", KPIStatus.MET),
    ],
)
def test_a_kpi_is_judged_at_the_precision_it_is_shown(sla, world, api, numerator, shown, status):
    target = sla.target("service_level", 95)
    sla.push([sla.row("service_level", date(2026, 3, 2), numerator=numerator, denominator=20000)])
    kpi = sla.kpi(target, date(2026, 3, 1))
    assert (f"{kpi.value:.2f}", kpi.status) == (shown, status)
    assert Breach.objects.exists() is (status == KPIStatus.BREACH)
    (body,) = api.as_user(world.practice_manager).get("/api/v1/kpis/", {"target": target.pk}).json()["results"]
    assert (body["value"], body["numerator"], body["denominator"]) == (shown, f"{numerator}.0000", "20000.0000")


def test_lower_is_better_is_judged_at_the_shown_precision_too(sla):
    target = sla.target("days_in_ar", 37)
    sla.push([sla.row("days_in_ar", date(2026, 3, 2), numerator="37.0044", denominator=1)])
    assert (sla.kpi(target, date(2026, 3, 1)).value, sla.kpi(target, date(2026, 3, 1)).status) == (
        Decimal("37.00"),
        KPIStatus.MET,
    )
    sla.push([sla.row("days_in_ar", date(2026, 3, 3), numerator="37.0200", denominator=1)])  # mean 37.0122 → 37.01
    assert sla.kpi(target, date(2026, 3, 1)).status == KPIStatus.BREACH


# --- 6. Smaller ------------------------------------------------------------------------------------------------------


def test_the_batch_page_lists_only_breaches_of_the_targets_and_periods_it_touched(sla, world, client):
    sla.target("service_level", 80, period="week")
    sla.target("csat", 4, period="month")
    sla.push([
        sla.row("service_level", date(2026, 3, 16), numerator=0, denominator=10),  # week of 16 March: breached
        sla.row("csat", date(2026, 3, 16), numerator=1, denominator=1),  # March: breached
    ])  # fmt: skip
    result = sla.push([
        sla.row("service_level", date(2026, 3, 2), numerator=0, denominator=10),
        sla.row("service_level", date(2026, 3, 30), numerator=10, denominator=10),
    ])  # fmt: skip
    listed = batch_breaches(result.batch, world.provider_manager, result.batch.touched_pairs())
    assert [(b.target.metric.code, b.period_start) for b in listed] == [("service_level", date(2026, 3, 2))]
    client.force_login(world.provider_manager)
    assert client.get(result.batch.get_absolute_url()).context["breaches"] == listed


@pytest.mark.parametrize(
    "endpoint", ["/api/v1/kpis/", "/api/v1/breaches/", "/api/v1/sla-targets/", "/api/v1/measurements/"]
)
def test_every_engagement_filter_answers_a_hidden_id_like_an_unknown_one_with_an_empty_page(world, api, endpoint):
    client = api.as_user(world.outsider)
    hidden, unknown = (client.get(endpoint, {"engagement": pk}) for pk in (world.engagement.pk, 987_654))
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.json()["results"] == unknown.json()["results"] == []
    assert client.get(endpoint, {"engagement": "one"}).status_code == 400


def test_the_schema_documents_the_empty_page_for_a_hidden_engagement(api, world):
    schema = yaml.safe_load(api.as_user(world.practice_manager).get("/api/v1/schema/").content)
    (engagement,) = [p for p in schema["paths"]["/api/v1/kpis/"]["get"]["parameters"] if p["name"] == "engagement"]
    assert "One you cannot see, or that does not exist, gives an empty page." in engagement["description"]


def test_the_kpi_list_and_its_export_say_which_periods_are_closed(sla, world, client):
    sla.target("service_level", 80)
    sla.push([
        sla.row("service_level", date(2026, 3, 2), numerator=9, denominator=10),
        sla.row("service_level", today(world), numerator=9, denominator=10),
    ])  # fmt: skip
    client.force_login(world.practice_manager)
    html = client.get(reverse("slas:kpi_list")).content.decode()
    assert "So far (provisional)" in html and ">Closed<" in html
    export = client.get(reverse("slas:kpi_list"), {"_export": "csv"}).content.decode()
    assert export.splitlines()[0].endswith("Period state,Computed")
    assert {line.split(",")[-2] for line in export.splitlines()[1:]} == {"closed", "provisional"}
