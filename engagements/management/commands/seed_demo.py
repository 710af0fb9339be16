"""Fill the database with a believable demo: three practices, three providers and their engagements.

Everything that has a rule goes through engagements.services, so the demo rows are exactly what people would
make through the UI (status history, guardian permissions, audit log). Running the command again changes
nothing: organisations, people and agents are looked up by their natural keys, and an engagement is only moved
along its lifecycle until it reaches the status the demo wants.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from auditlog.context import set_actor
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements import services
from engagements.choices import AgentStatus, EngagementStatus, PracticeKind, Role
from engagements.demo import changes as change_demo
from engagements.demo import diligence
from engagements.models import (
    Agent,
    AgentAssignment,
    Contract,
    Engagement,
    Location,
    Membership,
    Practice,
    Provider,
    ServiceLine,
)
from engagements.signals import demo_seeded

DEFAULT_PASSWORD = "demo-portal-2026"  # noqa: S105 - a published demo password, printed on every run

ADMIN_EMAIL = "admin@portal.example"

# The order an engagement walks its lifecycle in the demo; the contract is recorded just before the transition.
LIFECYCLE = [
    EngagementStatus.VETTING,
    EngagementStatus.CONTRACTING,
    EngagementStatus.TRANSITIONING,
    EngagementStatus.STEADY,
    EngagementStatus.OFFBOARDING,
    EngagementStatus.ENDED,
]


@dataclass
class Person:
    email: str
    first_name: str
    last_name: str
    role: str
    job_title: str


@dataclass
class PracticeSpec:
    key: str
    name: str
    fields: dict
    locations: list[dict]
    people: list[Person]


@dataclass
class ProviderSpec:
    key: str
    name: str
    fields: dict
    people: list[Person]
    agents: list[tuple[str, str, str]]  # (employee ref, full name, AgentStatus)


@dataclass
class EngagementSpec:
    practice: str
    provider: str
    name: str
    status: str
    service_lines: list[str]
    summary: str
    go_live_in_months: int
    contract: dict | None = None  # terms for save_contract; starts_on/ends_on as month offsets from today
    agents: list[str] = field(default_factory=list)  # employee refs


PRACTICES = [
    PracticeSpec(
        key="riverside",
        name="Riverside Eye Care",
        fields={
            "kind": PracticeKind.OPTOMETRY,
            "timezone": "America/New_York",
            "monthly_patient_volume": 2400,
            "in_house_monthly_cost": Decimal("38500.00"),
            "website": "https://riverside-eyecare.example",
        },
        locations=[
            {
                "name": "Main Street",
                "address": "120 Main Street",
                "city": "Albany",
                "region": "NY",
                "postal_code": "12207",
                "phone": "(518) 555-0142",
            },
            {
                "name": "Westgate Plaza",
                "address": "911 Central Avenue",
                "city": "Albany",
                "region": "NY",
                "postal_code": "12206",
                "phone": "(518) 555-0187",
            },
        ],
        people=[
            Person("manager@riverside.example", "Maria", "Lopez", Role.MANAGER, "Practice manager"),
            Person("staff@riverside.example", "Daniel", "Kim", Role.STAFF, "Front desk lead"),
        ],
    ),
    PracticeSpec(
        key="lakeside",
        name="Lakeside Ophthalmology Associates",
        fields={
            "kind": PracticeKind.OPHTHALMOLOGY,
            "timezone": "America/Chicago",
            "monthly_patient_volume": 5200,
            "in_house_monthly_cost": Decimal("96000.00"),
            "website": "https://lakeside-ophthalmology.example",
        },
        locations=[
            {
                "name": "Loop Clinic",
                "address": "55 East Monroe Street",
                "city": "Chicago",
                "region": "IL",
                "postal_code": "60603",
                "phone": "(312) 555-0110",
            },
            {
                "name": "Evanston",
                "address": "1700 Sherman Avenue",
                "city": "Evanston",
                "region": "IL",
                "postal_code": "60201",
                "phone": "(847) 555-0133",
            },
            {
                "name": "Naperville Surgery Center",
                "address": "410 West Jefferson Avenue",
                "city": "Naperville",
                "region": "IL",
                "postal_code": "60540",
                "phone": "(630) 555-0175",
            },
        ],
        people=[
            Person("manager@lakeside.example", "James", "O'Connor", Role.MANAGER, "Director of operations"),
            Person("staff@lakeside.example", "Aisha", "Bello", Role.STAFF, "Billing coordinator"),
        ],
    ),
    PracticeSpec(
        key="summit",
        name="Summit Vision Center",
        fields={
            "kind": PracticeKind.MIXED,
            "timezone": "America/Denver",
            "monthly_patient_volume": 1300,
            "in_house_monthly_cost": Decimal("21750.00"),
            "website": "https://summit-vision.example",
        },
        locations=[
            {
                "name": "Cherry Creek",
                "address": "250 Columbine Street",
                "city": "Denver",
                "region": "CO",
                "postal_code": "80206",
                "phone": "(303) 555-0168",
            },
        ],
        people=[
            Person("manager@summit.example", "Rachel", "Nguyen", Role.MANAGER, "Office manager"),
            Person("staff@summit.example", "Tyler", "Brooks", Role.STAFF, "Optical and front desk"),
        ],
    ),
]

PROVIDERS = [
    ProviderSpec(
        key="clearview",
        name="ClearView Health Services",
        fields={
            "headquarters_country": "PH",
            "delivery_countries": ["PH"],
            "languages": "English, Tagalog",
            "coverage_24x7": True,
            "eye_care_experience_years": 8,
            "eye_care_clients": 14,
            "website": "https://clearview-health.example",
            "description": "Front-office and insurance verification teams in Manila and Cebu, working US hours.",
        },
        people=[
            Person("manager@clearview.example", "Bea", "Santos", Role.MANAGER, "Account manager"),
            Person("staff@clearview.example", "Paolo", "Mendoza", Role.STAFF, "Team lead, scheduling"),
        ],
        agents=[
            ("CV-1001", "Angelica Cruz", AgentStatus.LIVE),
            ("CV-1002", "Jose Ramirez", AgentStatus.LIVE),
            ("CV-1003", "Kristine dela Cruz", AgentStatus.RAMP),
            ("CV-1004", "Mark Villanueva", AgentStatus.TRAINING),
            ("CV-1005", "Joy Bautista", AgentStatus.CANDIDATE),
        ],
    ),
    ProviderSpec(
        key="northstar",
        name="Northstar Revenue Partners",
        fields={
            "headquarters_country": "IN",
            "delivery_countries": ["IN", "PH"],
            "languages": "English, Hindi",
            "coverage_24x7": True,
            "eye_care_experience_years": 11,
            "eye_care_clients": 22,
            "website": "https://northstar-revenue.example",
            "description": "Revenue-cycle specialists: claims, A/R follow-up and certified ophthalmology coders.",
        },
        people=[
            Person("manager@northstar.example", "Priya", "Raman", Role.MANAGER, "Client services manager"),
            Person("staff@northstar.example", "Arjun", "Mehta", Role.STAFF, "Quality analyst"),
        ],
        agents=[
            ("NS-2001", "Ananya Iyer", AgentStatus.LIVE),
            ("NS-2002", "Rahul Verma", AgentStatus.LIVE),
            ("NS-2003", "Sneha Patel", AgentStatus.RAMP),
            ("NS-2004", "Vikram Nair", AgentStatus.VETTING),
            ("NS-2005", "Deepa Krishnan", AgentStatus.TRAINING),
            ("NS-2006", "Karan Malhotra", AgentStatus.OFFBOARDED),
        ],
    ),
    ProviderSpec(
        key="bluepeak",
        name="Bluepeak Patient Access",
        fields={
            "headquarters_country": "CO",
            "delivery_countries": ["CO"],
            "languages": "English, Spanish",
            "coverage_24x7": False,
            "eye_care_experience_years": 3,
            "eye_care_clients": 5,
            "website": "https://bluepeak-access.example",
            "description": "Bilingual patient-access and back-office teams in Medellín, on US business hours.",
        },
        people=[
            Person("manager@bluepeak.example", "Valentina", "Gómez", Role.MANAGER, "Account director"),
            Person("staff@bluepeak.example", "Santiago", "Restrepo", Role.STAFF, "Operations supervisor"),
        ],
        agents=[
            ("BP-3001", "Camila Herrera", AgentStatus.LIVE),
            ("BP-3002", "Andrés Castillo", AgentStatus.LIVE),
            ("BP-3003", "Laura Jiménez", AgentStatus.RAMP),
            ("BP-3004", "Mateo Rojas", AgentStatus.CANDIDATE),
        ],
    ),
]

ENGAGEMENTS = [
    EngagementSpec(
        practice="riverside",
        provider="clearview",
        name="Front desk 2026",
        status=EngagementStatus.STEADY,
        service_lines=["scheduling", "customer_service", "insurance_verification"],
        summary="Scheduling, reminders and phone overflow moved first; insurance verification added in phase two.",
        go_live_in_months=-8,
        # A one-year term whose notice deadline is a couple of weeks away, so the reminder shows in the demo.
        contract={
            "starts_on": -9,
            "ends_on": 3,
            "evaluation_months": 6,
            "notice_days": 75,
            "auto_renew": True,
            "renewal_term_months": 12,
            # Two breaches within three months after the evaluation: the demo's slump makes it eligible to end
            # without penalty (engagements/demo/terms.py shows the outcomes that led there).
            "termination_breach_count": 2,
            "termination_window_months": 3,
        },
        agents=["CV-1001", "CV-1002", "CV-1003"],
    ),
    EngagementSpec(
        practice="riverside",
        provider="northstar",
        name="Claims and A/R",
        status=EngagementStatus.TRANSITIONING,
        service_lines=["claims", "billing", "accounts_receivable"],
        summary="Hand claims submission and A/R follow-up over once the front-office work is stable.",
        go_live_in_months=2,
        contract={
            "starts_on": -1,
            "ends_on": 23,
            "evaluation_months": 9,
            "notice_days": 60,
            "auto_renew": False,
            "renewal_term_months": None,
        },
        agents=["NS-2001", "NS-2003"],
    ),
    EngagementSpec(
        practice="lakeside",
        provider="northstar",
        name="Revenue cycle 2026",
        status=EngagementStatus.CONTRACTING,
        service_lines=["insurance_verification", "claims", "medical_coding"],
        summary="Coding and claims for three locations. The draft renews silently for three years: negotiate it.",
        go_live_in_months=4,
        contract={
            "starts_on": 2,
            "ends_on": 38,
            "evaluation_months": 12,
            "notice_days": 120,
            "auto_renew": True,
            "renewal_term_months": 36,
        },
    ),
    EngagementSpec(
        practice="lakeside",
        provider="bluepeak",
        name="After-hours patient line",
        status=EngagementStatus.VETTING,
        service_lines=["scheduling", "customer_service"],
        summary="Bilingual evening and weekend calls. Due diligence on security controls in progress.",
        go_live_in_months=6,
    ),
    EngagementSpec(
        practice="summit",
        provider="bluepeak",
        name="Records and data entry",
        status=EngagementStatus.OFFBOARDING,
        service_lines=["data_entry", "record_indexing"],
        summary="Indexing backlog cleared; the work returns in-house when the contract ends.",
        go_live_in_months=-11,
        contract={
            "starts_on": -12,
            "ends_on": 1,
            "evaluation_months": 6,
            "notice_days": 30,
            "auto_renew": False,
            "renewal_term_months": None,
        },
        agents=["BP-3001", "BP-3002"],
    ),
    EngagementSpec(
        practice="summit",
        provider="clearview",
        name="Recall campaign pilot",
        status=EngagementStatus.ENDED,
        service_lines=["scheduling"],
        summary="A six-month recall-call pilot; ended after the evaluation period as planned.",
        go_live_in_months=-14,
        contract={
            "starts_on": -15,
            "ends_on": -3,
            "evaluation_months": 6,
            "notice_days": 30,
            "auto_renew": False,
            "renewal_term_months": None,
        },
        agents=["CV-1002"],
    ),
]


class Command(BaseCommand):
    help = "Create demo practices, providers, engagements, agents and logins. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo login (default: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password, **options):
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            # The demo's addresses are made up: keep the notification e-mails the demo triggers in memory.
            locmem = "django.core.mail.backends.locmem.EmailBackend"
            with override_settings(EMAIL_BACKEND=locmem), transaction.atomic():
                logins = self.seed(password)
        except DomainError as exc:
            raise CommandError(f"The demo data could not be created: {exc.message}") from None
        self.print_summary(logins, password)

    def seed(self, password: str) -> list[tuple[str, str, str]]:
        self.password = password
        self.today = timezone.localdate()
        started = timezone.now()
        logins = [("Portal admin", "BPO Portal", self.ensure_admin().email)]
        practices = {spec.key: self.ensure_practice(spec) for spec in PRACTICES}
        providers = {spec.key: self.ensure_provider(spec) for spec in PROVIDERS}
        self.managers = {}
        for spec in PRACTICES:
            logins += self.ensure_people(practices[spec.key], spec.people)
        for spec in PROVIDERS:
            logins += self.ensure_people(providers[spec.key], spec.people)
        engagements = {}
        for spec in ENGAGEMENTS:
            engagements[spec.name] = self.ensure_engagement(spec, practices[spec.practice], providers[spec.provider])
        for _receiver, response in demo_seeded.send(
            sender=self.__class__,
            engagements=engagements,
            managers=self.managers,
            today=self.today,
            password=self.password,
        ):
            # A receiver answers with a message, or with {"message": …, "logins": [(role, organisation, e-mail)]}
            # when it adds logins of its own (the audits demo's agent), printed with the others.
            if isinstance(response, dict):
                logins += response.get("logins", [])
                response = response.get("message")
            if response:
                self.stdout.write(str(response))
        # The engagement workspace's own demo data comes after the SLA engine's, which gates and credits read.
        # -- due diligence --
        diligence.seed(engagements, self.managers, self.today)

        # -- contract terms --
        from engagements.demo import terms as terms_demo

        terms_demo.seed(engagements, self.managers, self.today)

        # -- scope, pricing and change requests --
        from engagements.demo import money

        money.seed(engagements, self.managers, self.today)
        change_demo.seed(engagements, self.managers, self.today)

        # -- phased transition --
        from engagements.demo import transition

        transition.seed(engagements, self.managers, self.today)

        # -- communication --
        from engagements.demo import communication

        communication.seed(engagements, self.managers, self.today)

        # -- believable dates: the history as it would have happened, relative to today --
        from engagements.demo import dates

        dates.backdate(engagements, since=started, today=self.today)
        return logins

    # --- Organisations and people ------------------------------------------------------------------------------

    def ensure_practice(self, spec: PracticeSpec) -> Practice:
        practice, _ = Practice.objects.get_or_create(name=spec.name, defaults=spec.fields)
        for location in spec.locations:
            Location.objects.get_or_create(
                practice=practice, name=location["name"], defaults={**location, "country": "US"}
            )
        return practice

    def ensure_provider(self, spec: ProviderSpec) -> Provider:
        provider, _ = Provider.objects.get_or_create(name=spec.name, defaults=spec.fields)
        for employee_ref, full_name, status in spec.agents:
            Agent.objects.get_or_create(
                provider=provider,
                employee_ref=employee_ref,
                defaults={
                    "full_name": full_name,
                    "status": status,
                    "country": spec.fields["delivery_countries"][0],
                    "languages": spec.fields["languages"],
                    "email": f"{employee_ref.lower()}@{spec.key}.example",
                    "hired_on": None if status == AgentStatus.CANDIDATE else date(2024, 1, 15),
                },
            )
        return provider

    def ensure_user(self, email: str, **fields):
        user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email, **fields})
        # Compared first so that a second run writes nothing; reset so the printed table is always true.
        if not user.check_password(self.password):
            user.set_password(self.password)
            user.save(update_fields=["password"])
        return user

    def ensure_admin(self):
        admin = self.ensure_user(ADMIN_EMAIL, first_name="Alex", last_name="Morgan")
        if not (admin.is_staff and admin.is_superuser and admin.is_active):
            admin.is_staff = admin.is_superuser = admin.is_active = True
            admin.save(update_fields=["is_staff", "is_superuser", "is_active"])
        return admin

    def ensure_people(self, organization, people: list[Person]) -> list[tuple[str, str, str]]:
        side = {"practice": organization} if isinstance(organization, Practice) else {"provider": organization}
        logins = []
        for person in people:
            user = self.ensure_user(person.email, first_name=person.first_name, last_name=person.last_name)
            membership, _ = Membership.objects.get_or_create(
                user=user, defaults={"role": person.role, "job_title": person.job_title, **side}
            )
            if person.role == Role.MANAGER:
                self.managers[organization] = user
            logins.append((self.role_label(membership), str(membership.organization), user.email))
        return logins

    # --- Engagements -------------------------------------------------------------------------------------------

    def ensure_engagement(self, spec: EngagementSpec, practice: Practice, provider: Provider) -> Engagement:
        practice_manager, provider_manager = self.managers[practice], self.managers[provider]
        engagement = Engagement.objects.filter(practice=practice, provider=provider, name=spec.name).first()
        if engagement is None:
            with set_actor(practice_manager):  # the change history names who acted, as it would in the UI
                engagement = services.create_engagement(
                    practice=practice,
                    provider=provider,
                    name=spec.name,
                    by=practice_manager,
                    service_lines=ServiceLine.objects.filter(code__in=spec.service_lines),
                    summary=spec.summary,
                    target_go_live=self.today + relativedelta(months=spec.go_live_in_months),
                )
        if not engagement.is_ended:
            with set_actor(provider_manager):
                self.ensure_assignments(engagement, provider, spec.agents, provider_manager)
        with set_actor(practice_manager):
            self.advance(engagement, spec, practice_manager)
        return engagement

    def ensure_assignments(self, engagement, provider, employee_refs, by) -> None:
        for agent in Agent.objects.filter(provider=provider, employee_ref__in=employee_refs):
            if not AgentAssignment.objects.filter(agent=agent, engagement=engagement).exists():
                services.assign_agent(engagement, agent, by=by)

    def advance(self, engagement: Engagement, spec: EngagementSpec, by) -> None:
        """Walk the engagement forward to the demo's status; one moved elsewhere by hand is left alone."""
        current, target = EngagementStatus(engagement.status), EngagementStatus(spec.status)
        if LIFECYCLE.index(current) >= LIFECYCLE.index(target):
            return
        for step in LIFECYCLE[LIFECYCLE.index(current) + 1 : LIFECYCLE.index(target) + 1]:
            if engagement.status == EngagementStatus.VETTING:  # due diligence approves the provider first
                diligence.ensure_approved_review(engagement, by, self.today)
            if step == EngagementStatus.TRANSITIONING or (step == target and spec.contract):
                self.ensure_contract(engagement, spec, by)
            engagement = services.change_engagement_status(engagement, step, by=by, note="Demo data.")

    def ensure_contract(self, engagement: Engagement, spec: EngagementSpec, by) -> None:
        if spec.contract is None or Contract.objects.filter(engagement=engagement).exists():
            return
        terms = dict(spec.contract)
        starts_on = self.today + relativedelta(months=terms.pop("starts_on"))
        ends_on = self.today + relativedelta(months=terms.pop("ends_on"))
        services.save_contract(engagement, by=by, starts_on=starts_on, ends_on=ends_on, signed_on=starts_on, **terms)

    @staticmethod
    def role_label(membership: Membership) -> str:
        if membership.is_manager:
            return membership.role_label
        return "Practice staff" if membership.practice_id else "BPO staff"

    # --- Output ------------------------------------------------------------------------------------------------

    def print_summary(self, logins: list[tuple[str, str, str]], password: str) -> None:
        counts = (
            f"{Practice.objects.count()} practices, {Provider.objects.count()} providers, "
            f"{Engagement.objects.count()} engagements, {Agent.objects.count()} agents"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {counts}."))
        header = ("Role", "Organisation", "E-mail (username)", "Password")
        rows = [header] + [(*login, password) for login in logins]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        rule = "  ".join("-" * width for width in widths)
        self.stdout.write("")
        for number, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if number == 0:
                self.stdout.write(rule)
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}")
