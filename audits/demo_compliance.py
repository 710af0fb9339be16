"""Demo data of provider compliance audits, added when `seed_demo` runs: on the front-desk engagement, a quarterly
frequency, last quarter's completed audit (a minor finding, its action closed with evidence) and this quarter's
audit started from it, with a critical finding whose corrective action is overdue and a major one still open.
Everything goes through the services; an engagement that already has compliance audits is left alone."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.dispatch import receiver

from audits.models import CorrectiveAction
from audits.services import compliance as services
from engagements.demo.diligence import demo_pdf
from engagements.signals import demo_seeded

ENGAGEMENT = "Front desk 2026"

LAST_QUARTER = {
    "mfa": ("partial", "MFA on the PM system; the clearinghouse portal still uses passwords only."),
    "secure_wifi": ("compliant", "WPA3 at the centre; remote agents on a managed router."),
    "baa": ("compliant", "Signed 2025, covers the transcription subcontractor."),
    "hipaa_training": ("partial", "Two new agents were three weeks late with their annual training."),
}
THIS_QUARTER = {
    "mfa": ("compliant", "Clearinghouse MFA turned on in January; checked on three agents' logins."),
    "clean_desk": ("non_compliant", "Personal phones seen on two remote agents' desks during the video walk-through."),
    "access_reviews": ("partial", "Reviewed in February; two leavers' accounts still listed."),
}


def _pdf(title):
    return ContentFile(demo_pdf(title), name=f"{title.lower().replace(' ', '-')}.pdf")


@receiver(demo_seeded, dispatch_uid="audits.demo.compliance")
def seed_compliance_demo(sender, engagements, managers, today, **kwargs) -> None:
    engagement = engagements.get(ENGAGEMENT)
    if engagement is None or engagement.compliance_audits.exists():
        return None  # not in this demo, or already seeded: leave it alone
    practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
    quarter_start = today.replace(day=1) - relativedelta(months=(today.month - 1) % 3)
    previous_start = quarter_start - relativedelta(months=3)
    services.set_compliance_frequency(
        engagement, frequency="quarterly", first_due_on=previous_start - timedelta(days=1), by=practice_manager
    )

    earlier = services.start_compliance_audit(
        engagement,
        period_start=previous_start,
        period_end=quarter_start - timedelta(days=1),
        by=practice_manager,
        summary="Quarterly review over video with the provider's security lead.",
    )
    results = {r.key: {"result": "compliant"} for r in earlier.requirements.all()}
    results.update({key: {"result": r, "notes": n} for key, (r, n) in LAST_QUARTER.items()})
    services.record_results(earlier, results, by=practice_manager)
    services.add_evidence(earlier.requirements.get(key="baa"), _pdf("Signed BAA"), by=provider_manager)
    training = services.raise_finding(
        earlier,
        title="Annual HIPAA training late for new agents",
        severity="minor",
        requirement=earlier.requirements.get(key="hipaa_training"),
        description="Two agents hired in the summer finished their annual training three weeks late.",
        by=practice_manager,
    )
    services.respond_to_finding(training, response="Training is now booked in the first week.", by=provider_manager)
    action = services.save_corrective_action(
        CorrectiveAction(
            finding=training,
            description="Put HIPAA training in the onboarding checklist, before system access",
            owner=provider_manager,
            due_on=quarter_start - timedelta(days=20),
        ),
        by=provider_manager,
    )
    services.close_corrective_action(
        action, note="Checklist updated; both agents now current.", evidence=_pdf("Training log"), by=provider_manager
    )
    services.close_finding(training, by=practice_manager)
    services.complete_compliance_audit(earlier, by=practice_manager)

    current = services.start_compliance_audit(
        engagement,
        period_start=quarter_start,
        period_end=quarter_start + relativedelta(months=3) - timedelta(days=1),
        baseline=earlier,
        by=practice_manager,
    )
    services.record_results(
        current, {key: {"result": r, "notes": n} for key, (r, n) in THIS_QUARTER.items()}, by=practice_manager
    )
    phones = services.raise_finding(
        current,
        title="Personal phones on remote agents' desks",
        severity="critical",
        requirement=current.requirements.get(key="clean_desk"),
        description="Seen on two desks during the walk-through; no patient data seen on them.",
        by=practice_manager,
    )
    services.save_corrective_action(
        CorrectiveAction(
            finding=phones,
            description="Remind every remote agent of the no-phones rule and add it to the weekly desk check",
            owner=provider_manager,
            due_on=today - timedelta(days=5),  # overdue: reminded, and escalated once the beat job runs
        ),
        by=practice_manager,
    )
    leavers = services.raise_finding(
        current,
        title="Leavers' accounts still active",
        severity="major",
        requirement=current.requirements.get(key="access_reviews"),
        by=practice_manager,
    )
    services.save_corrective_action(
        CorrectiveAction(
            finding=leavers,
            description="Disable the two accounts and add account removal to the leaver checklist",
            owner=provider_manager,
            due_on=today + timedelta(days=10),
        ),
        by=provider_manager,
    )
    return None
