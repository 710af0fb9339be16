"""The quality-audit demo: a published scorecard with a draft, a month of audits from both sides, an acknowledged
audit, an open and a decided dispute, and an agent login printed with the others — made once."""

from io import StringIO

import pytest
from django.core.management import call_command

from audits import demo
from audits.models import Dispute, QualityAudit, Scorecard
from engagements.models import Membership
from slas.models import Measurement

pytestmark = pytest.mark.django_db


def test_seed_demo_shows_audits_disputes_and_an_agent_login():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    scorecard = Scorecard.objects.get(engagement__name=demo.ENGAGEMENT)
    assert sorted(scorecard.versions.values_list("status", flat=True)) == ["draft", "published"]
    audits = QualityAudit.objects.filter(engagement__name=demo.ENGAGEMENT)
    assert audits.count() >= 20
    assert {"practice", "provider"} == set(audits.values_list("auditor_side", flat=True))
    assert (
        audits.filter(passed=False).exists() and audits.filter(critical_failed=True).exists()
    )  # the audits demo's one, and the coaching demo's critical band
    assert audits.filter(status="acknowledged").exists()
    assert sorted(Dispute.objects.values_list("status", flat=True)) == ["decided", "open"]
    agent_login = Membership.objects.get(user__email=demo.AGENT_EMAIL)
    assert agent_login.is_agent and agent_login.agent.employee_ref == "CV-1001"
    assert demo.AGENT_EMAIL in out.getvalue() and "qa@clearview.example" in out.getvalue()
    assert Measurement.objects.filter(external_id__startswith="quality-audit-").count() == audits.count()

    count = audits.count()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert QualityAudit.objects.filter(engagement__name=demo.ENGAGEMENT).count() == count
    assert Dispute.objects.count() == 2 and demo.AGENT_EMAIL in again.getvalue()
