"""The ladder's prerequisites one by one: each missing refuses the grant with that reason and writes nothing;
grant order, the weeks on the previous rung, and the rung's own target read from audits."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import AgentStatus
from engagements.models import ServiceLine
from onboarding.choices import ResponsibilityStatus
from onboarding.models import Onboarding, PolicyVersion, Responsibility, ResponsibilityEvent, TrainingCompletion
from onboarding.services import responsibilities as services
from tests.audits.helpers import submitted_audit
from tests.onboarding.responsibilities.conftest import held_for, make_ready, pass_module, sign, today

pytestmark = pytest.mark.django_db


def _line(code):
    return ServiceLine.objects.get(code=code)


def _refused(world, setup, rung, reason_part):
    before = (LogEntry.objects.count(), Responsibility.objects.count(), ResponsibilityEvent.objects.count())
    assert any(reason_part in reason for reason in services.missing_for_rung(setup.onboarding, rung))
    with pytest.raises(DomainError) as refused:
        services.grant(setup.onboarding, rung, by=world.provider_manager)
    assert reason_part in refused.value.message
    assert (LogEntry.objects.count(), Responsibility.objects.count(), ResponsibilityEvent.objects.count()) == before


def test_the_default_ladder_follows_the_seeds_order_over_the_catalogue_codes(world, setup):
    codes = [rung.service_line.code for rung in setup.rungs]
    assert codes == ["scheduling", "customer_service", "insurance_verification", "claims", "billing"]
    assert setup.rungs[0].target_metric == "" and setup.rungs[1].target_threshold == 90


def test_the_default_ladder_keeps_to_the_engagements_scope(world):
    lines = ServiceLine.objects.filter(code__in=["billing", "scheduling", "data_entry"])
    world.engagement.service_lines.set(lines)
    ladder = services.create_default_ladder(world.engagement, by=world.provider_manager)
    assert [r.service_line.code for r in ladder.rungs.order_by("position")] == ["scheduling", "billing", "data_entry"]


def test_a_live_agent_with_every_prerequisite_is_granted_the_first_rung_and_it_is_kept(world, setup):
    make_ready(world, setup)
    assert services.missing_for_rung(setup.onboarding, setup.first) == []
    grant = services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    assert grant.status == ResponsibilityStatus.HELD and grant.granted_by == world.provider_manager
    event = grant.events.get()
    assert event.action == "granted" and event.by == world.provider_manager


def test_an_onboarding_that_is_not_live_is_refused(world, setup):
    make_ready(world, setup)
    Onboarding.objects.filter(pk=setup.onboarding.pk).update(stage=AgentStatus.RAMP)
    setup.onboarding.refresh_from_db()
    _refused(world, setup, setup.first, "not live")


def test_a_module_never_passed_is_refused(world, setup):
    sign(world.agent, setup.nda_v1, world.agent_user)
    _refused(world, setup, setup.first, "Module “HIPAA essentials” not passed or expired")


def test_an_expired_module_is_refused(world, setup):
    sign(world.agent, setup.nda_v1, world.agent_user)
    pass_module(world.agent, setup.hipaa, days_ago=400, expires_in=-35)
    _refused(world, setup, setup.first, "HIPAA essentials")


def test_an_unsigned_document_is_refused(world, setup):
    pass_module(world.agent, setup.hipaa)
    _refused(world, setup, setup.first, "Document “NDA”: the version in force is not signed")


def test_a_new_version_in_force_asks_for_a_new_signature(world, setup):
    make_ready(world, setup)
    PolicyVersion.objects.create(document=setup.nda, number=2, text="v2", effective_on=today())
    _refused(world, setup, setup.first, "not signed")


def test_a_document_without_a_version_in_force_is_refused(world, setup):
    make_ready(world, setup)
    PolicyVersion.objects.filter(document=setup.nda).update(effective_on=today() + timedelta(days=3))
    _refused(world, setup, setup.first, "has no version in force yet")


def test_the_second_rung_waits_for_the_first(world, setup):
    make_ready(world, setup)
    _refused(world, setup, setup.rungs[1], "The previous rung, Appointment scheduling and reminders, is not held")


def test_the_second_rung_waits_for_the_weeks_on_the_first(world, setup, scheduling_version):
    make_ready(world, setup)
    grant = held_for(services.grant(setup.onboarding, setup.first, by=world.provider_manager), weeks=3)
    submitted_audit(world, scheduling_version, days_ago=2)
    _refused(world, setup, setup.rungs[1], "4 weeks are needed")
    held_for(grant, weeks=4)
    assert services.missing_for_rung(setup.onboarding, setup.rungs[1]) == []


def test_the_target_is_read_from_the_previous_lines_audits_of_the_last_28_days(world, setup, scheduling_version):
    make_ready(world, setup)
    held_for(services.grant(setup.onboarding, setup.first, by=world.provider_manager), weeks=5)
    _refused(world, setup, setup.rungs[1], "No audits on Appointment scheduling and reminders in the last 28 days")
    submitted_audit(world, scheduling_version, days_ago=40)  # too old to count
    _refused(world, setup, setup.rungs[1], "No audits on")
    submitted_audit(world, scheduling_version, days_ago=3, greeting=0, tone=3)  # a weak call
    _refused(world, setup, setup.rungs[1], "quality score ≥ 90 needed")
    for days_ago in (4, 5, 6):
        submitted_audit(world, scheduling_version, days_ago=days_ago)
    # average of 3 × 100 and one weak call: at or above 90 now
    assert services.missing_for_rung(setup.onboarding, setup.rungs[1]) == []
    grant = services.grant(setup.onboarding, setup.rungs[1], by=world.provider_manager)
    assert grant.rung.service_line.code == "customer_service"


def test_audits_of_another_lines_scorecard_do_not_count(world, setup, scheduling_version):
    make_ready(world, setup)
    held_for(services.grant(setup.onboarding, setup.first, by=world.provider_manager), weeks=5)
    type(scheduling_version.scorecard).objects.filter(pk=scheduling_version.scorecard_id).update(
        service_line=ServiceLine.objects.get(code="claims")
    )
    submitted_audit(world, scheduling_version, days_ago=3)
    _refused(world, setup, setup.rungs[1], "No audits on")


def test_only_the_providers_managers_grant(world, setup):
    make_ready(world, setup)
    for user in (world.practice_manager, world.provider_staff, world.practice_staff):
        with pytest.raises(PermissionDenied):
            services.grant(setup.onboarding, setup.first, by=user)
    assert not Responsibility.objects.exists()


def test_a_grant_is_not_made_twice_and_a_revoked_one_may_be_granted_again(world, setup):
    make_ready(world, setup)
    grant = services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    with pytest.raises(DomainError):
        services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    with pytest.raises(DomainError):
        services.revoke(grant, by=world.provider_manager, reason="  ")
    revoked = services.revoke(grant, by=world.provider_manager, reason="Moved to the night shift.")
    assert revoked.status == "revoked" and revoked.revoke_reason == "Moved to the night shift."
    again = services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    assert again.pk == grant.pk and again.is_held
    assert list(again.events.values_list("action", flat=True)) == ["granted", "revoked", "granted"]


def test_a_rung_with_grants_stays_on_the_ladder(world, setup):
    make_ready(world, setup)
    services.grant(setup.onboarding, setup.first, by=world.provider_manager)
    with pytest.raises(DomainError):
        services.remove_rung(setup.first, by=world.provider_manager)
    services.remove_rung(setup.rungs[-1], by=world.practice_manager)
    assert setup.ladder.rungs.count() == 4


def test_the_ladder_refuses_a_line_outside_scope_and_a_duplicate(world, setup):
    world.engagement.service_lines.set(ServiceLine.objects.filter(code__in=["scheduling", "claims"]))
    with pytest.raises(DomainError):
        services.add_rung(world.engagement, by=world.provider_manager, service_line=_line("data_entry"))
    world.engagement.service_lines.clear()
    with pytest.raises(DomainError):
        services.add_rung(world.engagement, by=world.provider_manager, service_line=_line("claims"))
    rung = services.add_rung(
        world.engagement, by=world.provider_manager, service_line=ServiceLine.objects.get(code="data_entry")
    )
    assert rung.position == 6
    moved = services.move_rung(rung, by=world.provider_manager, up=True)
    assert moved.position == 5


def test_a_module_of_another_provider_cannot_be_required(world, setup):
    from onboarding.models import TrainingModule

    foreign = TrainingModule.objects.create(provider=world.other_provider, title="Theirs", kind="sop")
    with pytest.raises(DomainError):
        services.update_rung(setup.first, by=world.provider_manager, modules=[foreign])
    assert list(setup.first.modules.all()) == [setup.hipaa]


def test_completions_are_read_as_of_the_given_day(world, setup):
    make_ready(world, setup)
    completion = TrainingCompletion.objects.get(agent=world.agent)
    later = completion.expires_on + timedelta(days=1)
    assert any("HIPAA" in r for r in services.missing_for_rung(setup.onboarding, setup.first, on=later))
    assert timezone.localdate() < later
