"""Demo data of the acknowledgements area (see onboarding/demo.py), on "Front desk 2026" (Riverside × ClearView):

- the practice's NDA in its second version: CV-1002 and CV-1003 signed both versions; Angelica Cruz (CV-1001, the
  demo's agent login agent@clearview.example) signed version 1 only, so she has the NDA to sign when she signs in
  (and she, with ClearView's managers, gets the daily reminder);
- the practice's privacy policy and a HIPAA confidentiality acknowledgement, and ClearView's acceptable-use policy
  (a PDF), signed by all three;
- a BAA on record.

Everything goes through onboarding.services.acknowledgements, signatures as each agent's own user in a session of
their own; only the dates are moved back afterwards, so the history reads as it would have happened.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.utils import timezone

from engagements.access import membership_of
from engagements.choices import Role
from engagements.models import Membership
from onboarding.choices import DocumentKind
from onboarding.models import Acknowledgement, BusinessAssociateAgreement, Onboarding, PolicyDocument, PolicyVersion
from onboarding.services import acknowledgements as services

ENGAGEMENT = "Front desk 2026"
AGENT_LOGIN = "agent@clearview.example"  # audits/demo.py: CV-1001's login
STILL_TO_SIGN = "CV-1001"
SIGNERS = ("CV-1001", "CV-1002", "CV-1003")

NDA_V1 = (
    "I will keep confidential everything I learn about Riverside Eye Care, its patients and its systems while I "
    "work on its account, during my assignment and after it. I will not copy, share or keep any of it outside the "
    "systems the practice gives me."
)
NDA_V2 = NDA_V1 + (
    "\n\nAdded in version 2: I will not photograph or screen-capture the practice's systems, and I will report a "
    "suspected disclosure to my team lead the same day."
)
PRIVACY = (
    "Riverside Eye Care's notice of privacy practices: how the practice uses and discloses patients' health "
    "information, and the patients' rights. I have read it and will follow it when I speak to patients."
)
HIPAA = (
    "I understand that patients' protected health information is confidential under HIPAA. I access only the "
    "minimum necessary for the task in front of me, never discuss a patient outside work, and report any breach."
)


def _pdf(title: str) -> ContentFile:
    body = f"%PDF-1.4\n% {title}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
    return ContentFile(body, name=f"{title.lower().replace(' ', '-')}.pdf")


def _agent_login(agent, password):
    """The agent's own login (audits' demo made CV-1001's); the others get one like it, with the demo password."""
    existing = Membership.objects.filter(agent=agent).select_related("user").first()
    if existing:
        return existing.user
    email = agent.email or f"{agent.employee_ref.lower()}@clearview.example"
    first, _, last = agent.full_name.partition(" ")
    user, _ = get_user_model().objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first, "last_name": last}
    )
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    if membership_of(user) is None:
        Membership.objects.create(user=user, provider=agent.provider, role=Role.AGENT, agent=agent)
    return user


def _session_of(user):
    """A request as the agent's own signed-in browser session makes it."""
    request = RequestFactory().post("/")
    request.user = user
    request.session = SessionStore()
    return request


def _sign(version, user):
    agent = membership_of(user).agent
    if not Acknowledgement.objects.filter(version=version, agent=agent).exists():
        services.sign(version, user, agent.full_name, _session_of(user))


def _document(engagement=None, provider=None, *, kind, title, by):
    owner = {"engagement": engagement} if engagement else {"provider": provider}
    existing = PolicyDocument.objects.filter(kind=kind, title=title, **owner).first()
    return existing or services.create_document(kind=kind, title=title, by=by, **owner)


def _version(document, by, *, number, **content):
    """The document's version `number`, published now if it is not there yet (a second seed_demo adds nothing)."""
    existing = document.versions.filter(number=number).first()
    return existing or services.publish_version(document, effective_on=timezone.localdate(), by=by, **content)


def seed(context: dict) -> None:
    signal = context.get("signal", {})
    engagement = (signal.get("engagements") or {}).get(ENGAGEMENT)
    if engagement is None:
        return
    managers = signal.get("managers") or {}
    practice_manager = managers.get(engagement.practice)
    provider_manager = managers.get(engagement.provider)
    if practice_manager is None or provider_manager is None:
        return
    password = signal.get("password")
    today = timezone.localdate()
    agents = {a.employee_ref: a for a in engagement.provider.agents.filter(employee_ref__in=SIGNERS)}
    for agent in agents.values():  # the pipeline's demo makes these; without it, an onboarding at the agent's stage
        Onboarding.objects.get_or_create(agent=agent, engagement=engagement, defaults={"stage": agent.status})
    logins = {ref: _agent_login(agent, password) for ref, agent in agents.items()}

    nda = _document(engagement, kind=DocumentKind.NDA, title="Non-disclosure agreement", by=practice_manager)
    privacy = _document(
        engagement, kind=DocumentKind.PRIVACY_POLICY, title="Notice of privacy practices", by=practice_manager
    )
    hipaa = _document(
        engagement,
        kind=DocumentKind.HIPAA_CONFIDENTIALITY,
        title="HIPAA confidentiality acknowledgement",
        by=practice_manager,
    )
    aup = _document(
        provider=engagement.provider,
        kind=DocumentKind.ACCEPTABLE_USE,
        title="Acceptable use policy",
        by=provider_manager,
    )
    fresh = not nda.versions.exists()
    nda_v1 = _version(nda, practice_manager, number=1, text=NDA_V1)
    singles = [
        _version(privacy, practice_manager, number=1, text=PRIVACY),
        _version(hipaa, practice_manager, number=1, text=HIPAA),
        _version(aup, provider_manager, number=1, file=_pdf("Acceptable use policy")),
    ]
    for user in logins.values():
        if fresh:
            _sign(nda_v1, user)
        for version in singles:
            _sign(version, user)
    nda_v2 = _version(nda, practice_manager, number=2, text=NDA_V2)
    for ref, user in logins.items():
        if ref != STILL_TO_SIGN:
            _sign(nda_v2, user)
    if not BusinessAssociateAgreement.objects.filter(engagement=engagement).exists():
        services.record_baa(
            engagement,
            signed_on=today - timedelta(days=250),
            file=_pdf("Business associate agreement"),
            by=practice_manager,
        )
    if fresh:
        _backdate(nda_v1, nda_v2, singles, today)
    context["acknowledgements"] = {
        "engagement": engagement,
        "nda": nda,
        "nda_version": nda_v2,
        "documents": [nda, privacy, hipaa, aup],
        "still_to_sign": agents.get(STILL_TO_SIGN),
    }


def _backdate(nda_v1, nda_v2, singles, today) -> None:
    """Version 1 and the first signatures eight months ago, the NDA's version 2 two weeks ago."""
    now = timezone.now()
    early, recent = today - timedelta(days=240), today - timedelta(days=14)
    first = [nda_v1.pk] + [v.pk for v in singles]
    PolicyVersion.objects.filter(pk__in=first).update(effective_on=early, created_at=now - timedelta(days=241))
    Acknowledgement.objects.filter(version_id__in=first).update(signed_at=now - timedelta(days=235))
    PolicyVersion.objects.filter(pk=nda_v2.pk).update(effective_on=recent, created_at=now - timedelta(days=15))
    Acknowledgement.objects.filter(version=nda_v2).update(signed_at=now - timedelta(days=10))
    PolicyDocument.objects.filter(pk__in=[v.document_id for v in [nda_v1, *singles]]).update(
        created_at=now - timedelta(days=242)
    )
