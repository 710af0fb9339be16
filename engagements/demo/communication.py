"""Communication demo data: both sides' contacts, an escalation path, meeting cadences and a few meetings with
action items (one overdue) on the live engagements, some staff feedback — then the day's reminders, sent as
the beat job would. Every row is found before it is made, so a second run writes nothing."""

from dataclasses import dataclass
from datetime import timedelta

from auditlog.context import set_actor

from engagements.choices import Role, Side
from engagements.models import ActionItem, Contact, EscalationLevel, Feedback, Meeting, MeetingCadence, Membership
from engagements.models.communication import CadenceAnchor, IntervalUnit, MeetingKind


@dataclass(frozen=True)
class MeetingSpec:
    days_ago: int
    kind: str
    decisions: str
    items: tuple = ()  # (title, owner, side, due in days from today — negative is overdue, done?)


LIVE = {
    "Front desk 2026": (
        MeetingSpec(
            55,
            MeetingKind.QUARTERLY_REVIEW,
            "Steady state confirmed for scheduling. Insurance verification to be scoped next quarter.",
        ),
        MeetingSpec(
            24,
            MeetingKind.MONTHLY_REVIEW,
            "Keep the overflow line open until 7 pm. Review the recall script wording next month.",
            (("Share the revised recall script", "Bea Santos", Side.PROVIDER, -20, True),),
        ),
        MeetingSpec(
            9,
            MeetingKind.WEEKLY_CHECK_IN,
            "Add one agent on Mondays. The practice sends the new provider schedule by Friday.",
            (
                ("Send the summer provider schedule", "Maria Lopez", Side.PRACTICE, -2, False),
                ("Add a Monday morning agent", "Bea Santos", Side.PROVIDER, 5, False),
            ),
        ),
    ),
    "Claims and A/R": (
        MeetingSpec(
            6,
            MeetingKind.WEEKLY_CHECK_IN,
            "Phase two starts once denial rate holds under target for two months.",
            (("Send the payer-mix report", "Priya Raman", Side.PROVIDER, 8, False),),
        ),
    ),
}
CADENCES = (
    (MeetingKind.WEEKLY_CHECK_IN, 1, IntervalUnit.WEEKS, CadenceAnchor.LAST_MEETING),
    (MeetingKind.MONTHLY_REVIEW, 1, IntervalUnit.MONTHS, CadenceAnchor.LAST_MEETING),
    (MeetingKind.QUARTERLY_REVIEW, 3, IntervalUnit.MONTHS, CadenceAnchor.SCHEDULE),
)
FEEDBACK = {
    "Front desk 2026": (
        ("Callers like the longer phone hours. The handover notes from the evening shift could be clearer.", False),
        ("It is hard to know who to ask at the provider when a booking looks wrong.", True),
    ),
}


def seed(engagements: dict, managers: dict, today) -> None:
    for name, meetings in LIVE.items():
        engagement = engagements.get(name)
        if engagement is None:
            continue
        practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
        with set_actor(practice_manager):
            contacts = ensure_contacts(engagement, practice_manager, provider_manager)
            ensure_escalation_path(engagement, contacts)
            cadences = ensure_cadences(engagement, today)
            for spec in meetings:
                ensure_meeting(engagement, spec, cadences, today, practice_manager)
        ensure_feedback(engagement)
    # The open breach with a late accepted plan that escalates is seeded by slas/demo.py.
    send_todays_reminders(engagements)


def ensure_contacts(engagement, practice_manager, provider_manager) -> list[Contact]:
    people = [
        (Side.PROVIDER, provider_manager, "Account manager", "Mon–Fri 7:00–19:00 Eastern"),
        (Side.PRACTICE, practice_manager, "Practice manager", "Mon–Fri 8:00–17:00 Eastern"),
    ]
    contacts = []
    for side, user, role, hours in people:
        contact, _ = Contact.objects.get_or_create(
            engagement=engagement,
            email=user.email,
            defaults={
                "side": side,
                "role": role,
                "name": user.get_full_name(),
                "phone": "+1 555 0100",
                "working_hours": hours,
                "user": user,
            },
        )
        contacts.append(contact)
    director, _ = Contact.objects.get_or_create(
        engagement=engagement,
        email=f"director@{engagement.provider.name.split()[0].lower()}.example",
        defaults={
            "side": Side.PROVIDER,
            "role": "Operations director",
            "name": "Operations director",
            "phone": "+1 555 0199",
            "working_hours": "Mon–Fri 9:00–17:00 Eastern",
        },
    )
    return [contacts[0], director, contacts[1]]


def ensure_escalation_path(engagement, contacts) -> None:
    for number, (contact, hours) in enumerate(zip(contacts, (24, 48, 72), strict=True), start=1):
        EscalationLevel.objects.get_or_create(
            engagement=engagement, level=number, defaults={"contact": contact, "response_hours": hours}
        )


def ensure_cadences(engagement, today) -> dict:
    cadences = {}
    for kind, interval, unit, anchor in CADENCES:
        cadences[kind], _ = MeetingCadence.objects.get_or_create(
            engagement=engagement,
            kind=kind,
            defaults={"interval": interval, "unit": unit, "anchor": anchor, "starts_on": today - timedelta(days=60)},
        )
    return cadences


def ensure_meeting(engagement, spec: MeetingSpec, cadences, today, recorded_by) -> None:
    meeting, created = Meeting.objects.get_or_create(
        engagement=engagement,
        kind=spec.kind,
        decisions=spec.decisions,
        defaults={
            "cadence": cadences.get(spec.kind),
            "held_on": today - timedelta(days=spec.days_ago),
            "attendees": f"{engagement.practice} and {engagement.provider} account teams",
            "notes": "Volumes, service levels and open questions reviewed. No patient details recorded.",
            "recorded_by": recorded_by,
        },
    )
    if not created:
        return
    for title, owner, side, due_in, done in spec.items:
        ActionItem.objects.create(
            meeting=meeting,
            title=title,
            owner=owner,
            side=side,
            due_on=today + timedelta(days=due_in),
            done_at=meeting.created_at if done else None,
            done_by=recorded_by if done else None,
        )


def ensure_feedback(engagement) -> None:
    staff = Membership.objects.filter(practice=engagement.practice, role=Role.STAFF).select_related("user").first()
    for text, anonymous in FEEDBACK.get(engagement.name, ()):
        Feedback.objects.get_or_create(
            engagement=engagement,
            text=text,
            defaults={"is_anonymous": anonymous, "author": None if anonymous or staff is None else staff.user},
        )


def send_todays_reminders(engagements: dict) -> None:
    from engagements.models import Engagement
    from engagements.reminders import send_due_reminders

    send_due_reminders(engagements=Engagement.objects.filter(pk__in=[e.pk for e in engagements.values()]).active())
