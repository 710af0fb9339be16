"""Demo data for provider due diligence: the demo providers' certifications (one expiring within 60 days, one
expired), approved reviews on the engagements past vetting, and a half-done review on the one still in vetting.
Safe to run again: rows are looked up by their natural keys and left alone once they exist."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from engagements.models import Certification, DueDiligenceReview, Provider
from engagements.models.diligence import DiligenceDecision, DiligenceItemKey
from engagements.services import diligence as services

VETTING_ENGAGEMENT = "After-hours patient line"

# (provider name, kind, other name, issuer, issued days ago, expires in days, with an evidence file)
CERTIFICATIONS = [
    ("ClearView Health Services", "soc2_type2", "", "Schellman & Company", 200, 165, True),
    ("ClearView Health Services", "hipaa", "", "Compliancy Group", 330, 35, True),  # expiring: flagged
    ("Northstar Revenue Partners", "iso27001", "", "BSI Group", 1110, -20, True),  # expired: flagged
    ("Northstar Revenue Partners", "hitrust", "", "HITRUST Alliance", 120, 610, False),
    ("BluePeak Patient Access", "soc2_type2", "", "A-LIGN", 90, 275, True),
    ("BluePeak Patient Access", "other", "PCI DSS", "Coalfire", 60, 305, False),
]

# Ratings of an approved review: strong on security, a little less on fit and references.
APPROVED_RATINGS = {
    DiligenceItemKey.EYE_CARE_EXPERIENCE: (5, "Six years with optometry groups; spoke with two of them."),
    DiligenceItemKey.REFERENCES: (4, "Three references called; one mentioned slow onboarding."),
    DiligenceItemKey.FINANCIAL_STABILITY: (4, "Audited accounts for the last three years, profitable."),
    DiligenceItemKey.ENCRYPTION: (5, "TLS 1.2+ everywhere; AES-256 at rest, keys in a managed KMS."),
    DiligenceItemKey.ACCESS_LIMITED: (5, "Named agents only, MFA, access reviewed monthly."),
    DiligenceItemKey.EMPLOYEE_SCREENING: (4, "Background and reference checks before hire."),
    DiligenceItemKey.PENETRATION_TEST: (4, "External test by an accredited firm; findings closed."),
    DiligenceItemKey.CONTINUITY_PLANS: (4, "DR plan tested twice a year; incident runbooks seen."),
    DiligenceItemKey.BREACH_NOTIFICATION: (5, "Contractual notification within 24 hours."),
    DiligenceItemKey.SLA_REPORTING: (4, "Daily dashboards and a monthly performance report."),
    DiligenceItemKey.CULTURAL_FIT: (4, "Good rapport with the front-desk leads."),
}
# The vetting engagement's review, half done: the security questions answered, the rest still open.
HALF_DONE = [
    DiligenceItemKey.EYE_CARE_EXPERIENCE,
    DiligenceItemKey.ENCRYPTION,
    DiligenceItemKey.ACCESS_LIMITED,
    DiligenceItemKey.EMPLOYEE_SCREENING,
    DiligenceItemKey.PENETRATION_TEST,
    DiligenceItemKey.BREACH_NOTIFICATION,
]


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that says what it stands for: real evidence would be the auditor's report."""
    text = f"Demo evidence: {title}".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def ensure_approved_review(engagement, by, today) -> DueDiligenceReview:
    """Give an engagement still in vetting an approved review, so the demo can move it on as a practice would."""
    review = DueDiligenceReview.objects.filter(engagement=engagement).first()
    if review is not None and review.is_approved:
        return review
    review = review or services.start_due_diligence(engagement, by=by)
    changes = {key: {"rating": rating, "evidence": note} for key, (rating, note) in APPROVED_RATINGS.items()}
    changes[DiligenceItemKey.PENETRATION_TEST]["date_value"] = today - timedelta(days=120)
    changes[DiligenceItemKey.BREACH_NOTIFICATION]["number_value"] = Decimal("24")
    services.update_due_diligence_items(review, changes, by=by)
    return services.decide_due_diligence(review, DiligenceDecision.APPROVE, by=by)


def ensure_certifications(managers, today) -> None:
    providers = {
        provider.name: provider for provider in Provider.objects.filter(name__in={c[0] for c in CERTIFICATIONS})
    }
    for name, kind, other_name, issuer, issued_ago, expires_in, with_file in CERTIFICATIONS:
        provider = providers.get(name)
        if provider is None or Certification.objects.filter(provider=provider, kind=kind).exists():
            continue
        certification = Certification(
            provider=provider,
            kind=kind,
            other_name=other_name,
            issuer=issuer,
            issued_on=today - timedelta(days=issued_ago),
            expires_on=today + timedelta(days=expires_in),
        )
        upload = None
        if with_file:
            upload = ContentFile(demo_pdf(f"{certification.name}, {name}"), name=f"{kind}-certificate.pdf")
        services.save_certification(certification, by=managers.get(provider), new_evidence=upload)


def ensure_half_done_review(engagement, by, today) -> None:
    if engagement is None or DueDiligenceReview.objects.filter(engagement=engagement).exists():
        return
    review = services.start_due_diligence(engagement, by=by)
    changes = {key: {"rating": APPROVED_RATINGS[key][0], "evidence": APPROVED_RATINGS[key][1]} for key in HALF_DONE}
    changes[DiligenceItemKey.ACCESS_LIMITED] = {"rating": 3, "evidence": "Shared team logins on the evening shift."}
    changes[DiligenceItemKey.PENETRATION_TEST]["date_value"] = today - timedelta(days=400)
    changes[DiligenceItemKey.PENETRATION_TEST]["rating"] = 2
    changes[DiligenceItemKey.PENETRATION_TEST]["evidence"] = "Last external test over a year ago; a new one is booked."
    changes[DiligenceItemKey.BREACH_NOTIFICATION]["number_value"] = Decimal("72")
    changes[DiligenceItemKey.BREACH_NOTIFICATION]["rating"] = 3
    services.update_due_diligence_items(review, changes, by=by)


def seed(engagements: dict, managers: dict, today) -> None:
    """Called by seed_demo once the engagements exist (those past vetting already have approved reviews)."""
    ensure_certifications(managers, today)
    engagement = engagements.get(VETTING_ENGAGEMENT)
    if engagement is not None:
        ensure_half_done_review(engagement, managers.get(engagement.practice), today)
