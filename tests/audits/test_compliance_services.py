"""Compliance audits through their services: the checklist, results and score, the baseline copy, findings and
corrective actions, and every refusal leaving the data as it was."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from audits.choices import ComplianceAuditStatus, CorrectiveActionStatus, FindingStatus
from audits.models import ComplianceAudit, ComplianceEvidence, CorrectiveAction, Finding
from audits.services import compliance
from audits.services.compliance import STARTER_CHECKLIST
from bpo_portal.errors import DomainError
from tests.audits.compliance_fixtures import TODAY, assess_all, fake_pdf, finding_with_action, pdf, start_audit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_audit_starts_as_a_draft_with_the_twelve_starter_requirements(world):
    audit = start_audit(world)
    assert audit.status == ComplianceAuditStatus.DRAFT
    assert audit.auditor == world.practice_manager and audit.side == "practice"
    titles = list(audit.requirements.values_list("title", flat=True))
    assert len(titles) == 12 == len(STARTER_CHECKLIST)
    assert "MFA on the practice's systems" in titles and "BAA in place" in titles
    assert audit.score is None


def test_recording_results_moves_the_audit_in_progress_and_scores_it(world):
    audit = start_audit(world)
    audit = compliance.record_results(
        audit,
        {"mfa": {"result": "compliant"}, "baa": {"result": "partial", "notes": "Signed; subcontractor annex missing"}},
        by=world.practice_manager,
    )
    assert audit.status == ComplianceAuditStatus.IN_PROGRESS
    assert audit.score == Decimal("75.00")
    baa = audit.requirements.get(key="baa")
    assert baa.notes.startswith("Signed") and baa.assessed_by == world.practice_manager


@pytest.mark.parametrize("persona", ["provider_manager", "practice_staff", "provider_staff", "outsider"])
def test_only_the_practices_managers_record_results(world, persona):
    audit = start_audit(world)
    with pytest.raises(DomainError):
        compliance.record_results(audit, {"mfa": {"result": "compliant"}}, by=getattr(world, persona))
    assert not audit.requirements.exclude(result="").exists()
    assert ComplianceAudit.objects.get(pk=audit.pk).status == ComplianceAuditStatus.DRAFT


@pytest.mark.parametrize("persona", ["provider_manager", "practice_staff", "outsider"])
def test_only_the_practices_managers_start_an_audit(world, persona):
    with pytest.raises(DomainError):
        compliance.start_compliance_audit(
            world.engagement, period_start=TODAY, period_end=TODAY, by=getattr(world, persona)
        )
    assert not ComplianceAudit.objects.exists()


def test_an_unknown_requirement_or_result_changes_nothing(world):
    audit = start_audit(world)
    with pytest.raises(DomainError):
        compliance.record_results(
            audit, {"mfa": {"result": "compliant"}, "nope": {"result": "compliant"}}, by=world.practice_manager
        )
    with pytest.raises(DomainError):
        compliance.record_results(
            audit, {"mfa": {"result": "compliant"}, "baa": {"result": "great"}}, by=world.practice_manager
        )
    assert not audit.requirements.exclude(result="").exists()


def test_a_period_ending_before_it_starts_is_refused(world):
    with pytest.raises(DomainError, match="end on or after"):
        start_audit(world, period_start=date(2026, 3, 1), period_end=date(2026, 2, 1))
    assert not ComplianceAudit.objects.exists()


def test_the_baseline_copies_results_and_notes_but_not_evidence(world):
    earlier = start_audit(world, period_start=date(2025, 10, 1), period_end=date(2025, 12, 31))
    assess_all(earlier, world.practice_manager, mfa="non_compliant", baa="partial", secure_wifi="not_applicable")
    compliance.record_results(earlier, {"mfa": {"notes": "No MFA on the clearinghouse"}}, by=world.practice_manager)
    compliance.add_evidence(earlier.requirements.get(key="baa"), pdf(), by=world.provider_manager)

    audit = start_audit(world, baseline=earlier)
    assert audit.baseline == earlier and audit.status == ComplianceAuditStatus.DRAFT
    copied = {r.key: (r.result, r.notes, r.title, r.group) for r in audit.requirements.all()}
    original = {r.key: (r.result, r.notes, r.title, r.group) for r in earlier.requirements.all()}
    assert copied == original
    earlier.refresh_from_db()
    assert audit.score == earlier.score == Decimal("86.36")  # 9.5 of 11 applicable
    assert not ComplianceEvidence.objects.filter(requirement__audit=audit).exists()
    # Changing the new audit leaves the baseline as it was.
    compliance.record_results(audit, {"mfa": {"result": "compliant"}}, by=world.practice_manager)
    assert earlier.requirements.get(key="mfa").result == "non_compliant"


def test_a_baseline_of_another_engagement_is_refused(world):
    from tests import factories

    other = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
    foreign = compliance.start_compliance_audit(other, period_start=TODAY, period_end=TODAY, by=world.practice_manager)
    with pytest.raises(DomainError, match="same engagement"):
        start_audit(world, baseline=foreign)
    assert ComplianceAudit.objects.count() == 1


def test_completing_needs_every_requirement_assessed_and_an_action_for_every_finding(world):
    audit = start_audit(world)
    with pytest.raises(DomainError, match="in progress"):
        compliance.complete_compliance_audit(audit, by=world.practice_manager)
    compliance.record_results(audit, {"mfa": {"result": "non_compliant"}}, by=world.practice_manager)
    with pytest.raises(DomainError, match="11 requirements are not assessed"):
        compliance.complete_compliance_audit(audit, by=world.practice_manager)
    assess_all(audit, world.practice_manager, mfa="non_compliant")
    finding = compliance.raise_finding(audit, title="No MFA", severity="major", by=world.practice_manager)
    compliance.raise_finding(audit, title="Posters are old", severity="observation", by=world.practice_manager)
    with pytest.raises(DomainError, match="No MFA"):
        compliance.complete_compliance_audit(audit, by=world.practice_manager)
    assert ComplianceAudit.objects.get(pk=audit.pk).status == ComplianceAuditStatus.IN_PROGRESS

    compliance.save_corrective_action(
        CorrectiveAction(finding=finding, description="Turn on MFA", owner=world.provider_manager, due_on=TODAY),
        by=world.provider_manager,
    )
    audit = compliance.complete_compliance_audit(audit, by=world.practice_manager)
    assert audit.status == ComplianceAuditStatus.COMPLETED and audit.completed_by == world.practice_manager
    assert audit.score == Decimal("91.67")  # 11 of 12
    with pytest.raises(DomainError, match="completed"):
        compliance.record_results(audit, {"mfa": {"result": "compliant"}}, by=world.practice_manager)
    assert ComplianceAudit.objects.get(pk=audit.pk).score == Decimal("91.67")


def test_evidence_is_checked_by_its_content(world):
    audit = start_audit(world)
    requirement = audit.requirements.get(key="mfa")
    with pytest.raises(DomainError, match="not a real PDF"):
        compliance.add_evidence(requirement, fake_pdf(), by=world.provider_manager)
    with pytest.raises(DomainError):
        compliance.add_evidence(requirement, pdf("notes.txt"), by=world.provider_manager)
    with pytest.raises(DomainError):
        compliance.add_evidence(requirement, pdf(), by=world.provider_staff)
    assert not ComplianceEvidence.objects.exists()
    evidence = compliance.add_evidence(requirement, pdf("mfa-settings.pdf"), by=world.provider_manager)
    assert evidence.name == "mfa-settings.pdf" and evidence.content_type == "application/pdf"
    assert "mfa-settings" not in evidence.file.name  # stored under a random name


def test_the_provider_responds_to_findings_and_closes_actions_with_evidence(world):
    audit = start_audit(world)
    finding, action = finding_with_action(world, audit)
    with pytest.raises(DomainError):
        compliance.respond_to_finding(finding, response="We disagree", by=world.practice_manager)
    finding = compliance.respond_to_finding(finding, response="Named accounts by Friday", by=world.provider_manager)
    assert finding.responded_by == world.provider_manager

    with pytest.raises(DomainError, match="evidence"):
        compliance.close_corrective_action(action, note="Done", evidence=None, by=world.provider_manager)
    with pytest.raises(DomainError):
        compliance.close_corrective_action(action, note="Done", evidence=pdf(), by=world.practice_manager)
    with pytest.raises(DomainError, match="not a real PDF"):
        compliance.close_corrective_action(action, note="Done", evidence=fake_pdf(), by=world.provider_manager)
    assert CorrectiveAction.objects.get(pk=action.pk).status == CorrectiveActionStatus.OPEN

    with pytest.raises(DomainError, match="Every corrective action"):
        compliance.close_finding(finding, by=world.practice_manager)
    action = compliance.close_corrective_action(
        action, note="Shared login disabled", evidence=pdf("users.pdf"), by=world.provider_manager
    )
    assert action.is_done and action.closing_evidence_name == "users.pdf"
    with pytest.raises(DomainError, match="done"):
        compliance.save_corrective_action(action, by=world.practice_manager)
    finding = compliance.close_finding(finding, by=world.practice_manager)
    assert finding.status == FindingStatus.CLOSED


def test_a_corrective_action_owner_must_be_on_the_engagement(world):
    audit = start_audit(world)
    finding = compliance.raise_finding(audit, title="No MFA", severity="major", by=world.practice_manager)
    for owner in (world.outsider, world.other_provider_manager):
        with pytest.raises(DomainError, match="owner"):
            compliance.save_corrective_action(
                CorrectiveAction(finding=finding, description="Turn on MFA", owner=owner, due_on=TODAY),
                by=world.practice_manager,
            )
    with pytest.raises(DomainError):
        compliance.save_corrective_action(
            CorrectiveAction(finding=finding, description="Turn on MFA", owner=world.provider_staff, due_on=TODAY),
            by=world.provider_staff,
        )
    assert not CorrectiveAction.objects.exists()


def test_findings_are_raised_by_the_practices_managers_on_open_audits_only(world):
    audit = start_audit(world)
    with pytest.raises(DomainError):
        compliance.raise_finding(audit, title="x", severity="minor", by=world.provider_manager)
    other_audit = start_audit(world, period_start=TODAY - timedelta(days=90), period_end=TODAY)
    with pytest.raises(DomainError, match="requirement of this audit"):
        compliance.raise_finding(
            audit,
            title="x",
            severity="minor",
            requirement=other_audit.requirements.first(),
            by=world.practice_manager,
        )
    with pytest.raises(DomainError):
        compliance.raise_finding(audit, title="x", severity="terrible", by=world.practice_manager)
    assert not Finding.objects.exists()


def test_the_frequency_is_the_practices_to_set_and_gives_the_next_due_date(world):
    with pytest.raises(DomainError):
        compliance.set_compliance_frequency(
            world.engagement, frequency="quarterly", first_due_on=TODAY, by=world.provider_manager
        )
    schedule = compliance.set_compliance_frequency(
        world.engagement, frequency="quarterly", first_due_on=date(2026, 1, 31), by=world.practice_manager
    )
    assert compliance.next_audit_due(schedule, None) == date(2026, 1, 31)
    assert compliance.next_audit_due(schedule, date(2025, 11, 30)) == date(2026, 2, 28)
    schedule.frequency = "annual"
    assert compliance.next_audit_due(schedule, date(2026, 3, 31)) == date(2027, 3, 31)
