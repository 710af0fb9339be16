from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from bpo_portal.checks import global_permission_holders
from engagements.choices import EngagementStatus
from engagements.management.commands.seed_demo import ADMIN_EMAIL, DEFAULT_PASSWORD, PRACTICES, PROVIDERS
from engagements.models import Engagement, Membership

DEMO_EMAILS = [ADMIN_EMAIL] + [person.email for spec in PRACTICES + PROVIDERS for person in spec.people]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The command hashes a dozen passwords per run; the production hasher would make this test slow for no gain.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        m for m in apps.get_models() if m._meta.app_label in {"auth", "engagements", "guardian", "auditlog", "slas"}
    ]
    return {m._meta.label: m.objects.count() for m in models}


def can_sign_in(email: str, password: str) -> bool:
    # django-axes needs the request to decide about lockouts.
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=email, password=password) is not None


@pytest.mark.django_db
def test_running_it_twice_creates_nothing_new_and_prints_the_same_logins():
    first_output = seed()
    counts_after_first = row_counts()

    second_output = seed()

    assert row_counts() == counts_after_first
    assert second_output.replace("SLA demo data added to 3 engagement(s).\n", "") == second_output
    assert first_output.replace("SLA demo data added to 3 engagement(s).\n", "") == second_output
    assert counts_after_first["engagements.Engagement"] >= 6


@pytest.mark.django_db
def test_it_prints_every_login_with_the_password_and_where_to_go():
    output = seed()

    for email in DEMO_EMAILS:
        assert email in output
    assert DEFAULT_PASSWORD in output
    assert "Open http://127.0.0.1:8000" in output


@pytest.mark.django_db
def test_the_engagements_cover_every_status_of_the_lifecycle():
    seed()

    assert set(Engagement.objects.values_list("status", flat=True)) == set(EngagementStatus.values)
    for engagement in Engagement.objects.exclude(status__in=[EngagementStatus.VETTING, EngagementStatus.CONTRACTING]):
        assert hasattr(engagement, "contract"), f"{engagement} went live without a contract"
        assert engagement.service_lines.exists()


@pytest.mark.django_db
def test_every_printed_login_can_sign_in():
    seed()

    for email in DEMO_EMAILS:
        assert can_sign_in(email, DEFAULT_PASSWORD), email


@pytest.mark.django_db
def test_each_organisation_has_a_manager_and_a_staff_member():
    seed()

    for spec in PRACTICES + PROVIDERS:
        roles = set(
            Membership.objects.filter(user__email__in=[p.email for p in spec.people]).values_list("role", flat=True)
        )
        assert roles == {"manager", "staff"}, spec.name


@pytest.mark.django_db
def test_only_the_portal_admin_holds_model_level_permissions():
    seed()

    assert global_permission_holders() == ([], [])


@pytest.mark.django_db
def test_a_chosen_password_replaces_the_default_on_every_login():
    seed()

    seed("--password", "another-demo-secret-7")

    assert can_sign_in("manager@riverside.example", "another-demo-secret-7")
    assert not can_sign_in("manager@riverside.example", DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_it_refuses_a_weak_password():
    with pytest.raises(CommandError):
        seed("--password", "short")


@pytest.mark.django_db
def test_the_demo_shows_slas_missed_breaches_and_remediation_in_progress():
    from slas.choices import RemediationStatus
    from slas.models import Breach, KPIValue, RemediationPlan

    seed()
    front_desk = Engagement.objects.get(name="Front desk 2026")
    assert front_desk.sla_targets.count() >= 5
    assert KPIValue.objects.filter(target__engagement=front_desk, status="met").exists()
    assert Breach.objects.filter(target__engagement=front_desk, severity="breach").exists()
    statuses = set(RemediationPlan.objects.values_list("status", flat=True))
    assert {RemediationStatus.SUBMITTED, RemediationStatus.ACCEPTED} <= statuses
    # Both sides' managers were told about each breach, in the portal.
    breach = Breach.objects.filter(target__engagement=front_desk).first()
    assert breach.notified_at is not None


@pytest.mark.django_db
def test_the_demo_shows_a_target_at_risk_in_the_current_period_and_no_breach_for_it():
    from slas import evidence
    from slas.models import Breach, KPIValue
    from slas.periods import closed_before, local_today, period_start

    seed()
    front_desk = Engagement.objects.get(name="Front desk 2026")
    today = local_today(front_desk.practice.timezone)
    at_risk = []
    for kpi in KPIValue.objects.filter(target__engagement=front_desk).select_related("target__metric"):
        if kpi.period_start == period_start(today, kpi.target.period):
            progress = evidence.progress(kpi, today)
            assert not progress.closed
            if progress.outlook == evidence.AT_RISK:
                at_risk.append(kpi)
    assert at_risk
    for kpi in at_risk:
        assert not Breach.objects.filter(target=kpi.target, period_start=kpi.period_start).exists()
    # Every breach on record is a closed period's.
    for breach in Breach.objects.select_related("target__engagement__practice"):
        engagement = breach.target.engagement
        assert breach.period_end < closed_before(local_today(engagement.practice.timezone), 2)


@pytest.mark.django_db
def test_the_demo_shows_a_transition_with_a_ready_gate_a_closed_one_and_an_overdue_milestone():
    from engagements.services import transition

    seed()
    claims = Engagement.objects.get(name="Claims and A/R")
    active, waiting = claims.transition_phases.order_by("order")
    assert active.is_active and waiting.is_planned
    assert transition.evaluate_gate(active).ready
    assert not transition.evaluate_gate(waiting).ready
    assert set(claims.service_lines.values_list("code", flat=True)) == {"claims"}
    overdue = list(transition.due_items(Engagement.objects.filter(pk=claims.pk), transition.practice_today(claims)))
    assert len(overdue) == 1
    front_desk = Engagement.objects.get(name="Front desk 2026")
    assert all(phase.is_done for phase in front_desk.transition_phases.all())
