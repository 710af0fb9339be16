"""Builders for the compliance-audit tests: an audit with results, a finding with a corrective action, and the
small files that pass (and fail) the evidence check."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from audits.services import compliance
from engagements.choices import Side
from engagements.models import Contact, EscalationLevel

TODAY = date(2026, 3, 16)  # a Monday
PDF = b"%PDF-1.4\n%compliance evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_pdf(name="evidence.pdf"):
    """A file named .pdf that is not a PDF: refused by its content."""
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf", content_type="application/pdf")


def start_audit(world, **kwargs):
    kwargs.setdefault("period_start", date(2026, 1, 1))
    kwargs.setdefault("period_end", date(2026, 3, 31))
    return compliance.start_compliance_audit(world.engagement, by=world.practice_manager, **kwargs)


def assess_all(audit, by, result="compliant", **overrides):
    results = {r.key: {"result": overrides.get(r.key, result)} for r in audit.requirements.all()}
    return compliance.record_results(audit, results, by=by)


def finding_with_action(world, audit, *, severity="critical", due_on=TODAY, owner=None):
    finding = compliance.raise_finding(
        audit, title="Shared login on the clearinghouse", severity=severity, by=world.practice_manager
    )
    from audits.models import CorrectiveAction

    action = compliance.save_corrective_action(
        CorrectiveAction(
            finding=finding,
            description="Issue named accounts and disable the shared one",
            owner=owner or world.provider_manager,
            due_on=due_on,
        ),
        by=world.practice_manager,
    )
    return finding, action


def escalation_path(engagement, *levels):
    """Levels of (side, name, user, response_hours)."""
    made = []
    for number, (side, name, user, hours) in enumerate(levels, start=1):
        contact = Contact.objects.create(
            engagement=engagement,
            side=side,
            role="Lead",
            name=name,
            email=f"{name.lower().replace(' ', '.')}@contact.test",
            user=user,
        )
        made.append(
            EscalationLevel.objects.create(engagement=engagement, level=number, contact=contact, response_hours=hours)
        )
    return made


__all__ = [
    "TODAY",
    "PDF",
    "PNG",
    "Side",
    "pdf",
    "fake_pdf",
    "start_audit",
    "assess_all",
    "finding_with_action",
    "escalation_path",
]
