"""The demo shows a compliance audit with findings and an overdue corrective action, and seeding twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from audits.models import ComplianceAudit, ComplianceEvidence, CorrectiveAction, Finding
from engagements.models import Engagement
from engagements.reminders import local_today


@pytest.fixture(autouse=True)
def _demo(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


def counts():
    return [m.objects.count() for m in (ComplianceAudit, Finding, CorrectiveAction, ComplianceEvidence)]


@pytest.mark.django_db
def test_the_demo_has_a_compliance_audit_with_findings_and_an_overdue_action():
    call_command("seed_demo", stdout=StringIO())
    engagement = Engagement.objects.get(name="Front desk 2026")
    audits = list(engagement.compliance_audits.order_by("period_end"))
    assert [a.status for a in audits] == ["completed", "in_progress"]
    assert audits[1].baseline == audits[0] and audits[0].score is not None
    today = local_today(engagement.practice.timezone)
    overdue = CorrectiveAction.objects.filter(finding__audit__engagement=engagement).overdue(today)
    assert [a.finding.severity for a in overdue] == ["critical"]
    assert set(audits[1].findings.values_list("severity", flat=True)) == {"critical", "major"}
    assert engagement.compliance_schedule.frequency == "quarterly"

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
