"""Completions and their dates: expiry after the renewal interval (any date, month ends), status by date, a
trainer's record, LMS pushes (idempotent, a refused push writes nothing), mock calls assessed as audits, the
privacy law from the practice's country, the ramp gate and the readiness column."""

import calendar
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bpo_portal.errors import DomainError
from engagements.models import Location
from onboarding.choices import AssessmentMethod, CompletionSource, CompletionStatus, ModuleKind, PrivacyLaw
from onboarding.gates import missing_for
from onboarding.models import CurriculumItem, TrainingCompletion
from onboarding.readiness import cells_for
from onboarding.services import training
from tests.audits.helpers import published_scorecard, submitted_audit
from tests.onboarding.training.conftest import make_quiz_module

# --- Date arithmetic (no database) ---------------------------------------------------------------------------------


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=1, max_value=120))
def test_a_completion_expires_the_same_day_of_the_month_n_months_later_or_the_months_last_day(passed_on, months):
    expires = training.expires_on(passed_on, months)
    month_index = passed_on.year * 12 + passed_on.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    assert (expires.year, expires.month) == (year, month)
    assert expires.day == min(passed_on.day, last_day)
    assert expires > passed_on


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=1, max_value=60))
def test_a_completion_is_current_until_30_days_before_expiry_then_expiring_then_expired(passed_on, months):
    completion = TrainingCompletion(passed_on=passed_on, expires_on=training.expires_on(passed_on, months))
    expires = completion.expires_on
    assert training.completion_status(completion, expires - timedelta(days=31)) == CompletionStatus.CURRENT
    assert training.completion_status(completion, expires - timedelta(days=30)) == CompletionStatus.EXPIRING
    assert training.completion_status(completion, expires - timedelta(days=1)) == CompletionStatus.EXPIRING
    assert training.completion_status(completion, expires) == CompletionStatus.EXPIRED


def test_month_ends_and_leap_years():
    assert training.expires_on(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert training.expires_on(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert training.expires_on(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert training.expires_on(date(2026, 3, 15), None) is None


def test_without_a_renewal_interval_a_completion_never_expires():
    completion = TrainingCompletion(passed_on=date(2020, 1, 1), expires_on=None)
    assert training.completion_status(completion, date(2090, 1, 1)) == CompletionStatus.CURRENT


# --- Modules ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_privacy_law_and_data_security_default_to_twelve_months_and_others_never(world):
    security = training.create_module(by=world.provider_manager, title="Phishing", kind=ModuleKind.DATA_SECURITY)
    culture = training.create_module(by=world.provider_manager, title="Naming", kind=ModuleKind.CULTURE)
    chosen = training.create_module(
        by=world.provider_manager, title="Passwords", kind=ModuleKind.DATA_SECURITY, renewal_months=6
    )
    assert (security.renewal_months, culture.renewal_months, chosen.renewal_months) == (12, None, 6)


@pytest.mark.django_db
def test_a_privacy_law_module_must_say_its_law(world):
    with pytest.raises(DomainError, match="HIPAA or GDPR"):
        training.create_module(by=world.provider_manager, title="Privacy", kind=ModuleKind.PRIVACY_LAW)


@pytest.mark.django_db
def test_the_privacy_law_follows_the_practices_locations(world):
    assert training.privacy_law_for(world.practice) == PrivacyLaw.HIPAA  # no location: the US default
    Location.objects.create(practice=world.practice, name="Albany", city="Albany", country="US")
    assert training.privacy_law_for(world.practice) == PrivacyLaw.HIPAA
    Location.objects.create(practice=world.other_practice, name="Lyon", city="Lyon", country="FR")
    Location.objects.create(practice=world.other_practice, name="Köln", city="Köln", country="DE")
    assert training.privacy_law_for(world.other_practice) == PrivacyLaw.GDPR


@pytest.mark.django_db
def test_a_curriculum_takes_only_the_privacy_law_module_of_the_practices_country(world):
    gdpr = make_quiz_module(world.provider_manager, title="GDPR essentials", privacy_law=PrivacyLaw.GDPR)
    with pytest.raises(DomainError, match="trained in HIPAA"):
        training.add_to_curriculum(world.engagement, gdpr, by=world.provider_manager)
    assert not CurriculumItem.objects.exists()
    hipaa = make_quiz_module(world.provider_manager)
    assert training.add_to_curriculum(world.engagement, hipaa, by=world.provider_manager).module == hipaa


@pytest.mark.django_db
def test_a_curriculum_takes_modules_of_its_provider_and_its_practice_only(world):
    ours = training.create_module(by=world.practice_manager, title="Our SOPs", kind=ModuleKind.SOP)
    foreign = training.create_module(by=world.other_provider_manager, title="Elsewhere", kind=ModuleKind.SOP)
    training.add_to_curriculum(world.engagement, ours, by=world.practice_manager)
    with pytest.raises(DomainError, match="provider's library or of the practice's own"):
        training.add_to_curriculum(world.engagement, foreign, by=world.practice_manager)
    with pytest.raises(PermissionDenied):
        training.add_to_curriculum(world.engagement, ours, by=world.practice_staff)


@pytest.mark.django_db
def test_items_are_reordered(world):
    modules = [training.create_module(by=world.provider_manager, title=f"M{n}", kind=ModuleKind.SOP) for n in range(3)]
    items = [training.add_to_curriculum(world.engagement, m, by=world.provider_manager) for m in modules]
    training.move_item(items[2], -1, by=world.provider_manager)
    order = list(world.engagement.curriculum.items.values_list("module__title", flat=True))
    assert order == ["M0", "M2", "M1"]
    training.move_item(items[0], -1, by=world.provider_manager)  # already first: nothing moves
    assert list(world.engagement.curriculum.items.values_list("module__title", flat=True)) == order


# --- Trainers and the LMS -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_trainer_records_a_completion_and_nobody_else(world, trained):
    passed_on = timezone.localdate() - timedelta(days=10)
    completion = training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=passed_on, agent=world.agent
    )
    assert completion.source == CompletionSource.TRAINER
    assert completion.expires_on == training.expires_on(passed_on, 12)
    for someone in (world.provider_staff, world.practice_manager, world.other_provider_manager):
        with pytest.raises(PermissionDenied):
            training.record_by_trainer(trained.module, by=someone, passed_on=passed_on, agent=world.agent)
    with pytest.raises(DomainError, match="future"):
        training.record_by_trainer(
            trained.module,
            by=world.provider_manager,
            passed_on=timezone.localdate() + timedelta(days=1),
            agent=world.agent,
        )
    assert TrainingCompletion.objects.count() == 1


@pytest.mark.django_db
def test_an_lms_push_is_idempotent_on_its_external_id(world, trained):
    integration = world.integration_token.user
    first, created = training.push_lms_completion(
        trained.module, world.agent, by=integration, passed_on=date(2026, 11, 2), external_id="lms-1", score=91
    )
    again, created_again = training.push_lms_completion(
        trained.module, world.agent, by=integration, passed_on=date(2026, 11, 2), external_id="lms-1", score=91
    )
    assert created and not created_again and first == again
    assert first.source == CompletionSource.LMS and first.expires_on == date(2027, 11, 2)
    assert TrainingCompletion.objects.count() == 1


@pytest.mark.django_db
def test_an_lms_id_already_used_for_another_agent_is_refused(world, trained):
    integration = world.integration_token.user
    training.push_lms_completion(
        trained.module, world.agent, by=integration, passed_on=date(2026, 11, 2), external_id="lms-1"
    )
    from tests import factories

    colleague = factories.make_agent(world.provider)
    with pytest.raises(DomainError, match="another agent"):
        training.push_lms_completion(
            trained.module, colleague, by=integration, passed_on=date(2026, 11, 2), external_id="lms-1"
        )
    assert TrainingCompletion.objects.count() == 1


@pytest.mark.django_db
def test_another_provider_cannot_push_for_our_agent(world, trained):
    with pytest.raises(PermissionDenied):
        training.push_lms_completion(
            trained.module,
            world.agent,
            by=world.other_provider_manager,
            passed_on=date(2026, 11, 2),
            external_id="x",
        )
    assert not TrainingCompletion.objects.exists()


# --- Mock calls -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_passing_audit_with_the_curriculums_scorecard_records_the_mock_call_module(world, trained):
    version = published_scorecard(world.engagement, world.provider_manager)
    mock = training.create_module(
        by=world.provider_manager, title="Mock call", kind=ModuleKind.ROLEPLAY, method=AssessmentMethod.MOCK_CALL
    )
    training.add_to_curriculum(world.engagement, mock, by=world.provider_manager, scorecard=version.scorecard)
    submitted_audit(world, version, greeting=0, tone=1)  # a fail records nothing
    assert not TrainingCompletion.objects.filter(module=mock).exists()
    audit = submitted_audit(world, version)
    completion = TrainingCompletion.objects.get(module=mock)
    assert completion.source == CompletionSource.MOCK_CALL and completion.agent == world.agent
    assert completion.score == audit.score and completion.external_id == f"audit-{audit.pk}"
    audit.save()  # saved again (acknowledged, say): still one completion
    submitted_audit(world, version, days_ago=2)  # a later pass while the module is held adds nothing
    assert TrainingCompletion.objects.filter(module=mock).count() == 1


@pytest.mark.django_db
def test_an_audit_with_another_scorecard_does_not_count_as_the_mock_call(world, trained):
    version = published_scorecard(world.engagement, world.provider_manager)
    other = published_scorecard(world.engagement, world.provider_manager, name="Billing calls")
    mock = training.create_module(
        by=world.provider_manager, title="Mock call", kind=ModuleKind.ROLEPLAY, method=AssessmentMethod.MOCK_CALL
    )
    training.add_to_curriculum(world.engagement, mock, by=world.provider_manager, scorecard=other.scorecard)
    submitted_audit(world, version)
    assert not TrainingCompletion.objects.filter(module=mock).exists()


# --- The gate and the readiness column ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ramp_needs_every_required_module_passed_and_current(world, trained):
    optional = training.create_module(by=world.provider_manager, title="Optional extra", kind=ModuleKind.CULTURE)
    training.add_to_curriculum(world.engagement, optional, by=world.provider_manager, required=False)
    assert missing_for(trained.onboarding, "ramp") == ["Training: “HIPAA essentials” not passed yet."]
    long_ago = timezone.localdate() - timedelta(days=400)
    training.record_by_trainer(trained.module, by=world.provider_manager, passed_on=long_ago, agent=world.agent)
    assert missing_for(trained.onboarding, "ramp") == ["Training: “HIPAA essentials” expired; it must be passed again."]
    training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=timezone.localdate(), agent=world.agent
    )
    assert missing_for(trained.onboarding, "ramp") == []


@pytest.mark.django_db
def test_the_readiness_column_counts_current_expiring_and_expired(world, trained):
    security = make_quiz_module(world.provider_manager, title="Security", kind=ModuleKind.DATA_SECURITY)
    training.add_to_curriculum(world.engagement, security, by=world.provider_manager)
    soon = timezone.localdate() - timedelta(days=350)  # 12 months later is within 30 days
    training.record_by_trainer(trained.module, by=world.provider_manager, passed_on=soon, agent=world.agent)
    cell = cells_for([trained.onboarding])["training"][trained.onboarding.pk]
    assert cell.text == "1 of 2 modules current" and cell.detail == "1 expiring soon"
    training.record_by_trainer(security, by=world.provider_manager, passed_on=soon, agent=world.agent)
    cell = cells_for([trained.onboarding])["training"][trained.onboarding.pk]
    assert (cell.text, cell.tone) == ("2 of 2 modules current", "warning")
