"""Audits: who may run them, what they refuse, submission, acknowledgement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.choices import AuditStatus
from audits.models import CriterionRating, QualityAudit
from audits.scoring import Unscorable
from audits.services import audits as services
from audits.validators import patient_identifier_in
from bpo_portal.errors import DomainError
from engagements import services as engagement_services
from tests import factories
from tests.audits.helpers import ratings, submitted_audit

pytestmark = pytest.mark.django_db


def start(world, version, by=None, **fields):
    fields.setdefault("interaction_ref", "CALL-12345")
    fields.setdefault("interaction_date", timezone.localdate())
    return services.create_audit(
        engagement=world.engagement, agent=world.agent, version=version, by=by or world.provider_manager, **fields
    )


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("jane.doe@example.com", "an e-mail address"),
        ("call (555) 123-4567", "a phone number"),
        ("555-123-4567", "a phone number"),
        ("+15551234567", "a phone number"),
        ("123-45-6789", "a US Social Security number"),
        ("DOB 03/14/1962", "a date"),
        ("1962-03-14", "a date"),
    ],
)
def test_patient_identifiers_are_recognised(value, what):
    assert patient_identifier_in(value) == what


@pytest.mark.parametrize("value", ["CALL-20261201-0042", "TKT-88231", "CLM 4471920", "5f3a9c"])
def test_interaction_ids_pass(value):
    assert patient_identifier_in(value) is None


def test_an_interaction_reference_that_looks_like_patient_data_is_refused_and_says_why(world, version):
    with pytest.raises(DomainError, match="e-mail address") as error:
        start(world, version, interaction_ref="jane.doe@example.com")
    assert error.value.field == "interaction_ref"
    with pytest.raises(DomainError, match="date of birth"):
        start(world, version, interaction_ref="03/14/1962")
    assert not QualityAudit.objects.exists()


def test_both_sides_managers_and_the_providers_integration_may_audit(world, version):
    integration = world.integration_token.user
    for user in (world.provider_manager, world.practice_manager, integration):
        audit = start(world, version, by=user)
        assert audit.auditor_side == user.membership.side


@pytest.mark.parametrize("persona", ["practice_staff", "provider_staff", "outsider", "other_provider_manager"])
def test_others_may_not_audit(world, version, persona):
    with pytest.raises(DomainError):
        start(world, version, by=getattr(world, persona))
    assert not QualityAudit.objects.exists()


def test_an_agent_may_not_audit(world, version):
    with pytest.raises(DomainError):
        start(world, version, by=world.agent_user)


def test_the_agent_must_be_assigned_to_the_engagement(world, version):
    spare = factories.make_agent(world.provider)
    with pytest.raises(DomainError, match="not assigned"):
        services.create_audit(
            engagement=world.engagement,
            agent=spare,
            version=version,
            by=world.provider_manager,
            interaction_ref="X-1",
            interaction_date=timezone.localdate(),
        )


def test_a_future_interaction_date_is_refused(world, version):
    with pytest.raises(DomainError, match="future"):
        start(world, version, interaction_date=timezone.localdate() + timedelta(days=3))


def test_an_unrated_criterion_blocks_submission_and_nothing_changes(world, version):
    audit = start(world, version, ratings=ratings(version, greeting=1, tone=5, ids=1))
    with pytest.raises(Unscorable):
        services.submit_audit(audit, by=world.provider_manager)
    audit.refresh_from_db()
    assert audit.is_draft and audit.score is None


def test_na_is_refused_where_not_allowed(world, version):
    with pytest.raises(DomainError, match="cannot be marked N/A"):
        start(world, version, ratings=ratings(version, greeting="na"))
    assert not CriterionRating.objects.exists()


def test_submission_scores_with_the_one_function(world, version):
    audit = submitted_audit(world, version, tone=3, insurance="na")  # greeting 2, tone 0.5×1, ids 3 → 5.5/6
    assert (audit.score, audit.passed, audit.critical_failed) == (Decimal("91.67"), True, False)
    assert audit.status == AuditStatus.SUBMITTED and audit.submitted_at


def test_a_submitted_audit_cannot_be_edited_or_deleted(world, version):
    audit = submitted_audit(world, version)
    with pytest.raises(DomainError):
        services.update_audit(audit, by=world.provider_manager, feedback="changed")
    with pytest.raises(DomainError):
        services.delete_draft(audit, by=world.provider_manager)
    audit.refresh_from_db()
    assert audit.feedback == "Good call overall."


def test_the_other_side_cannot_edit_a_draft(world, version):
    audit = start(world, version)
    with pytest.raises(DomainError):
        services.update_audit(audit, by=world.practice_manager, feedback="mine now")
    assert QualityAudit.objects.for_user(world.practice_manager).filter(pk=audit.pk).count() == 0  # drafts hidden


def test_the_agent_acknowledges_their_own_audit(world, version):
    audit = services.acknowledge_audit(submitted_audit(world, version), by=world.agent_user)
    assert audit.status == AuditStatus.ACKNOWLEDGED and audit.acknowledged_by == world.agent_user
    assert not audit.acknowledged_on_behalf


def test_the_providers_manager_acknowledges_on_the_agents_behalf_marked_so(world, version):
    audit = services.acknowledge_audit(submitted_audit(world, version), by=world.provider_manager)
    assert audit.acknowledged_on_behalf and audit.acknowledged_by == world.provider_manager


@pytest.mark.parametrize("persona", ["practice_manager", "provider_staff", "outsider"])
def test_nobody_else_acknowledges(world, version, persona):
    audit = submitted_audit(world, version)
    with pytest.raises(DomainError):
        services.acknowledge_audit(audit, by=getattr(world, persona))
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_another_agent_cannot_acknowledge(world, version):
    other = factories.make_agent(world.provider)
    other_login = factories.make_agent_login(other)
    audit = submitted_audit(world, version)
    with pytest.raises(DomainError):
        services.acknowledge_audit(audit, by=other_login)


def test_an_agent_sees_only_their_own_submitted_audits(world, version):
    mine = submitted_audit(world, version)
    colleague = factories.make_agent(world.provider)
    engagement_services.assign_agent(world.engagement, colleague, by=world.provider_manager)
    theirs = services.submit_audit(
        services.create_audit(
            engagement=world.engagement,
            agent=colleague,
            version=version,
            by=world.provider_manager,
            interaction_ref="C-2",
            interaction_date=timezone.localdate(),
            ratings=ratings(version, greeting=1, tone=5, ids=1, insurance=4),
        ),
        by=world.provider_manager,
    )
    draft = start(world, version)
    visible = set(QualityAudit.objects.for_user(world.agent_user).values_list("pk", flat=True))
    assert visible == {mine.pk}
    assert theirs.pk not in visible and draft.pk not in visible


def test_calibration_audits_are_seen_only_by_their_auditor(world, version):
    audit = services.submit_audit(
        start(world, version, is_calibration=True, ratings=ratings(version, greeting=1, tone=5, ids=1, insurance=4)),
        by=world.provider_manager,
    )
    assert QualityAudit.objects.for_user(world.provider_manager).filter(pk=audit.pk).exists()
    for persona in ("provider_staff", "practice_manager", "agent_user"):
        assert not QualityAudit.objects.for_user(getattr(world, persona)).filter(pk=audit.pk).exists()
