"""A published scorecard version never changes — refused by the database itself, on SQLite and PostgreSQL
(run this file with DATABASE_URL=postgres://… too)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from audits.choices import VersionStatus
from audits.models import Criterion, ScorecardVersion, Section
from audits.services import scorecards
from bpo_portal.errors import DomainError
from tests.audits.helpers import submitted_audit

pytestmark = pytest.mark.django_db


def refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_the_database_refuses_to_change_a_published_version(version):
    refused(lambda: ScorecardVersion.objects.filter(pk=version.pk).update(pass_mark=10))
    refused(lambda: ScorecardVersion.objects.filter(pk=version.pk).update(status=VersionStatus.DRAFT))
    version.refresh_from_db()
    assert version.pass_mark == 80 and version.is_published


def test_the_database_refuses_to_change_a_published_versions_sections_and_criteria(version):
    section = version.sections.first()
    refused(lambda: Section.objects.filter(pk=section.pk).update(title="Renamed"))
    refused(lambda: Section.objects.create(version=version, title="Sneaked in"))
    criterion = Criterion.objects.filter(section__version=version).first()
    refused(lambda: Criterion.objects.filter(pk=criterion.pk).update(weight=99))
    refused(lambda: Criterion.objects.create(section=section, name="Sneaked in"))
    refused(
        lambda: Criterion.objects.filter(pk=criterion.pk).update(
            section=Section.objects.create(
                version=scorecards.new_draft_from(version, by=version.published_by), title="Draft"
            )
        )
    )
    assert Criterion.objects.filter(section__version=version).count() == 4


def test_a_version_with_audits_cannot_be_deleted(world, version):
    submitted_audit(world, version)
    with pytest.raises(ProtectedError), transaction.atomic():
        version.delete()

    # Beneath the ORM, the foreign keys refuse a raw delete too (checked at commit; forced here).
    def raw_delete():
        Criterion.objects.filter(section__version=version)._raw_delete("default")
        connection.check_constraints()

    refused(raw_delete)
    assert ScorecardVersion.objects.filter(pk=version.pk).exists()


def test_an_audit_needs_a_published_version_and_keeps_it(world, version):
    draft = scorecards.new_draft_from(version, by=world.provider_manager)
    audit = submitted_audit(world, version)
    from audits.models import QualityAudit

    refused(lambda: QualityAudit.objects.filter(pk=audit.pk).update(version=draft))
    with pytest.raises(DomainError):
        submitted_audit(world, draft)


def test_the_service_refuses_edits_of_a_published_version_with_a_message(world, version):
    with pytest.raises(DomainError, match="published"):
        scorecards.add_section(version, title="More", by=world.provider_manager)


def test_a_new_draft_copies_the_published_version_and_can_be_edited(world, version):
    draft = scorecards.new_draft_from(version, by=world.practice_manager)
    assert draft.number == 2 and draft.based_on == version and draft.is_draft
    assert [c.name for c in draft.ordered_criteria()] == [c.name for c in version.ordered_criteria()]
    assert [c.critical for c in draft.ordered_criteria()] == [c.critical for c in version.ordered_criteria()]
    scorecards.update_draft(draft, by=world.practice_manager, pass_mark=90)
    with pytest.raises(DomainError, match="already has a draft"):
        scorecards.new_draft_from(version, by=world.practice_manager)


def test_drafts_with_nothing_to_rate_cannot_be_published(world):
    scorecard = scorecards.create_scorecard(engagement=world.engagement, name="Empty", by=world.practice_manager)
    with pytest.raises(DomainError, match="at least one criterion"):
        scorecards.publish_version(scorecard.versions.get(), by=world.practice_manager)


def test_staff_and_outsiders_cannot_write_scorecards(world):
    for user in (world.practice_staff, world.outsider, world.provider_staff):
        with pytest.raises(DomainError):
            scorecards.create_scorecard(engagement=world.engagement, name="Mine", by=user)
    assert not world.engagement.scorecards.exists()
