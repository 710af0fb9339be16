"""Policy documents, their versions, the agents' signatures and the engagement's BAA: every rule in one place.

- A document belongs to an engagement (the practice's NDA, privacy policy, HIPAA confidentiality acknowledgement:
  created and versioned by the practice's managers) or to a provider (its acceptable-use policy, signed on every
  engagement it works: created and versioned by the provider's managers). Portal admins may do either.
- A version is published, never edited: its number is the next one, it carries a text or a PDF (or both) and an
  effective date (today or later). The version in force is the highest number already effective; a new one in
  force asks every agent to sign again, and reminds them (and the provider's managers) daily until they do.
- Only the agent signs, signed in as themselves in their own session (never with an API token, never somebody
  else for them), the version in force, once, typing their full name as the portal knows it.
- The BAA is recorded by either side's managers (both are parties to it); each record is kept, the newest signed
  one being the one on record. No agent goes live on an engagement without one.
"""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.access import can_act_on, is_portal_admin, membership_of
from engagements.choices import AgentStatus, Role, Side
from engagements.locking import lock_engagement
from engagements.models import Engagement
from engagements.models.diligence import validate_evidence
from engagements.reminders import Due
from onboarding import evidence
from onboarding.access import agents_in_sight
from onboarding.choices import AcknowledgementReminder
from onboarding.models import (
    Acknowledgement,
    BusinessAssociateAgreement,
    Onboarding,
    PolicyDocument,
    PolicyVersion,
)
from onboarding.signals import prerequisites_changed

MAX_TYPED_NAME = 150
OWN_SESSION_ONLY = "A signature is made by the agent in their own signed-in session, never with an API token."


# --- Who may do what ------------------------------------------------------------------------------------------------


def can_manage_document(user, document: PolicyDocument) -> bool:
    """An engagement's document: its practice's managers; a provider's: the provider's managers; and admins."""
    if is_portal_admin(user):
        return True
    membership = membership_of(user)
    if membership is None or membership.role != Role.MANAGER or not user.is_active:
        return False
    if document.provider_id:
        return membership.provider_id == document.provider_id
    return membership.practice_id == document.engagement.practice_id and can_act_on(user, document.engagement)


def can_create_documents(user) -> bool:
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and membership.role == Role.MANAGER and not membership.is_agent)


def can_record_baa(user, engagement) -> bool:
    """Both sides are parties to the BAA, so either side's managers record it (staff and agents do not)."""
    if is_portal_admin(user):
        return True
    membership = membership_of(user)
    return bool(membership and membership.role == Role.MANAGER and can_act_on(user, engagement, "change"))


def agent_of(user):
    """The Agent a signed-in agent's login is linked to, or None."""
    membership = membership_of(user)
    return membership.agent if membership and membership.is_agent and user.is_active else None


# --- Reads ----------------------------------------------------------------------------------------------------------


def active_onboardings():
    return Onboarding.objects.exclude(stage=AgentStatus.OFFBOARDED)


def documents_for_agent(agent):
    """The documents `agent` must sign: those of every engagement they are onboarding onto or work (not
    offboarded), and those of their provider."""
    engagements = active_onboardings().filter(agent=agent).values("engagement_id")
    provider_documents = Q(provider_id=agent.provider_id) if engagements.exists() else Q(pk__in=[])
    return PolicyDocument.objects.filter(Q(engagement_id__in=engagements) | provider_documents)


def documents_in_sight(user):
    """Documents a user may open: those their side sees, or — for an agent — their own to sign."""
    agent = agent_of(user)
    if agent is not None:
        return documents_for_agent(agent)
    return PolicyDocument.objects.for_user(user)


def acknowledgements_in_sight(user):
    """Signatures a user may see: an agent their own; a side member those of agents in sight (their provider's
    own, and those onboarding onto the engagements they see) on documents in sight — so a practice sees, for its
    own account, who signed, and not another practice's NDA."""
    if is_portal_admin(user) or agent_of(user) is not None or membership_of(user) is None:
        return Acknowledgement.objects.for_user(user)
    return Acknowledgement.objects.filter(
        agent_id__in=agents_in_sight(user), version__document__in=PolicyDocument.objects.for_user(user)
    )


def engagements_of(document: PolicyDocument):
    """The engagements a document applies to."""
    if document.engagement_id:
        return Engagement.objects.filter(pk=document.engagement_id)
    return Engagement.objects.filter(provider_id=document.provider_id)


def version_in_force(document: PolicyDocument, on: date | None = None) -> PolicyVersion | None:
    version_id = evidence.current_versions([document.pk], on).get(document.pk)
    return PolicyVersion.objects.filter(pk=version_id).first() if version_id else None


def unsigned_for(agent, engagement, on: date | None = None) -> list[PolicyVersion]:
    """The versions in force of `engagement`'s documents that `agent` has not signed, by title."""
    documents = {d.pk: d for d in evidence.documents_for(engagement)}
    current = evidence.current_versions(documents, on)
    signed = evidence.signed_documents([agent.pk], documents, on)[agent.pk]
    missing = [version_id for document_id, version_id in current.items() if document_id not in signed]
    return list(PolicyVersion.objects.filter(pk__in=missing).select_related("document").order_by("document__title"))


# --- Documents and versions -----------------------------------------------------------------------------------------


@transaction.atomic
def create_document(*, kind: str, title: str, by, engagement=None, provider=None) -> PolicyDocument:
    if (engagement is None) == (provider is None):
        raise DomainError("A document belongs to one engagement or to one provider.", field="engagement")
    title = (title or "").strip()
    if not title:
        raise DomainError("Give the document a title.", field="title")
    document = PolicyDocument(engagement=engagement, provider=provider, kind=kind, title=title, created_by=by)
    if not can_manage_document(by, document):
        raise DomainError(
            "An engagement's documents are created by its practice's managers; a provider's by the provider's "
            "managers.",
            field="engagement" if engagement else "provider",
        )
    document.save()
    return document


def validate_policy_file(file) -> None:
    """A PDF, checked by its first bytes and scanned for script as engagements' evidence files are."""
    if not file or getattr(file, "_committed", False):
        return
    if Path(file.name or "").suffix.lower() != ".pdf":
        raise ValidationError("Upload the document as a PDF file.", code="file_type")
    validate_evidence(file)


def _check_file(file, field: str = "file") -> None:
    try:
        validate_policy_file(file)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field=field) from None


@transaction.atomic
def publish_version(document: PolicyDocument, *, effective_on: date, by, text: str = "", file=None) -> PolicyVersion:
    """The next version of `document`. Never edited once published: a change is a new version."""
    if document.engagement_id is not None:
        lock_engagement(document.engagement_id)  # an engagement's own document: the engagement first in the order
    # numbers are given out one at a time; a provider's document is locked alone (it hangs off no engagement)
    document = PolicyDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
    if not can_manage_document(by, document):
        raise DomainError("Only the document's owner's managers publish its versions.")
    text = (text or "").strip()
    if not text and not file:
        raise DomainError("Give the version its text, or upload it as a PDF.", field="text")
    _check_file(file)
    today = timezone.localdate()
    if effective_on < today:
        raise DomainError(
            "A version takes effect today or later: an earlier date would make signatures of the previous version "
            "look out of date before anyone could sign this one.",
            field="effective_on",
        )
    last = document.versions.aggregate(number=Max("number"), effective=Max("effective_on"))
    if last["effective"] and effective_on < last["effective"]:
        raise DomainError(
            f"The previous version takes effect on {last['effective']:%d %b %Y}; this one cannot take effect "
            "before it.",
            field="effective_on",
        )
    version = PolicyVersion(
        document=document, number=(last["number"] or 0) + 1, text=text, effective_on=effective_on, created_by=by
    )
    if file:
        version.file = file
    version.save()
    if effective_on <= today:
        transaction.on_commit(lambda: _announce_version(version), robust=True)
    return version


def _announce_version(version: PolicyVersion) -> None:
    """Everyone the new version in force asks to sign again: their prerequisites changed."""
    for onboarding in (
        active_onboardings()
        .filter(engagement__in=engagements_of(version.document))
        .select_related("agent", "engagement")
    ):
        prerequisites_changed.send(
            sender=__name__, agent=onboarding.agent, engagement=onboarding.engagement, cause="document_version"
        )


def normalized_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _is_own_session(request, agent_user) -> bool:
    """The request was made by `agent_user` themselves, signed in with a session (an API token has `auth`)."""
    if request is None or getattr(request, "user", None) is None:
        return False
    if not request.user.is_authenticated or request.user.pk != agent_user.pk:
        return False
    return getattr(request, "auth", None) is None and getattr(request, "session", None) is not None


@transaction.atomic
def sign(version: PolicyVersion, agent_user, typed_name: str, request) -> Acknowledgement:
    """The agent's signature of `version`: by the agent, in their own session, the version in force, once."""
    agent = agent_of(agent_user)
    if agent is None:
        raise DomainError("Only an agent signs a policy document, signed in as themselves.")
    if not _is_own_session(request, agent_user):
        raise DomainError(OWN_SESSION_ONLY)
    document = version.document
    if not documents_for_agent(agent).filter(pk=document.pk).exists():
        raise DomainError("This document is not one you are asked to sign.")
    if evidence.current_versions([document.pk]).get(document.pk) != version.pk:
        raise DomainError(
            f"Version {version.number} of “{document}” is not the version in force; sign the one in force.",
            field="version",
        )
    typed = " ".join((typed_name or "").split())
    if normalized_name(typed) != normalized_name(agent.full_name):
        raise DomainError(f"Type your full name as the portal knows it: {agent.full_name}.", field="typed_name")
    if Acknowledgement.objects.filter(version=version, agent=agent).exists():
        raise DomainError(f"You have already signed version {version.number} of “{document}”.")
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(
                version=version,
                agent=agent,
                signed_at=timezone.now(),
                typed_name=typed[:MAX_TYPED_NAME],
                signed_by=agent_user,
            )
    except IntegrityError:
        raise DomainError(f"You have already signed version {version.number} of “{document}”.") from None
    engagements = list(engagements_of(document).filter(onboardings__in=active_onboardings().filter(agent=agent)))
    transaction.on_commit(lambda: _announce_signature(agent, engagements), robust=True)
    return acknowledgement


def _announce_signature(agent, engagements) -> None:
    for engagement in engagements:
        prerequisites_changed.send(sender=__name__, agent=agent, engagement=engagement, cause="document_signed")


# --- The BAA ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_baa(engagement, *, signed_on: date, file, by) -> BusinessAssociateAgreement:
    """A BAA record: kept with every earlier one (a renewed or amended BAA is a new record)."""
    if not can_record_baa(by, engagement):
        raise DomainError("Either side's managers record the business associate agreement.")
    if not file:
        raise DomainError("Upload the signed BAA as a PDF.", field="file")
    _check_file(file)
    if signed_on > timezone.localdate():
        raise DomainError("The BAA's signing date cannot be in the future.", field="signed_on")
    baa = BusinessAssociateAgreement.objects.create(engagement=engagement, signed_on=signed_on, recorded_by=by)
    baa.file = file
    baa.save(update_fields=["file"])
    return baa


def baa_on_record(engagement) -> BusinessAssociateAgreement | None:
    return BusinessAssociateAgreement.objects.filter(engagement=engagement).order_by("-signed_on", "-pk").first()


# --- Gates ------------------------------------------------------------------------------------------------------------


def documents_gate(onboarding) -> list[str]:
    """Live needs the versions in force of every document of the engagement signed."""
    return [
        f"{onboarding.agent} has not signed “{version.document}” (version {version.number})."
        for version in unsigned_for(onboarding.agent, onboarding.engagement)
    ]


def baa_gate(onboarding) -> list[str]:
    if evidence.has_baa(onboarding.engagement):
        return []
    return [
        f"{onboarding.engagement} has no business associate agreement on record: either side's managers record it "
        "on the engagement's BAA page."
    ]


# --- Bulk: who has what left to sign ----------------------------------------------------------------------------------


def unsigned_by_onboarding(onboardings, on: date | None = None) -> dict[int, dict]:
    """{onboarding id: {"required": n, "unsigned": [version, …]}} for many onboardings, in a fixed number of
    queries whatever their number."""
    onboardings = list(onboardings)
    if not onboardings:
        return {}
    engagement_ids = {o.engagement_id for o in onboardings}
    provider_of = dict(Engagement.objects.filter(pk__in=engagement_ids).values_list("pk", "provider_id"))
    documents = list(
        PolicyDocument.objects.filter(Q(engagement_id__in=engagement_ids) | Q(provider_id__in=provider_of.values()))
    )
    current = evidence.current_versions([d.pk for d in documents], on)
    versions = PolicyVersion.objects.select_related("document").in_bulk(current.values())
    signed = set(
        Acknowledgement.objects.filter(
            agent_id__in={o.agent_id for o in onboardings}, version_id__in=current.values()
        ).values_list("agent_id", "version_id")
    )
    result = {}
    for onboarding in onboardings:
        provider_id = provider_of[onboarding.engagement_id]
        wanted = [
            versions[current[d.pk]]
            for d in documents
            if d.pk in current and (d.engagement_id == onboarding.engagement_id or d.provider_id == provider_id)
        ]
        unsigned = [v for v in wanted if (onboarding.agent_id, v.pk) not in signed]
        result[onboarding.pk] = {"required": len(wanted), "unsigned": sorted(unsigned, key=lambda v: v.document.title)}
    return result


# --- Reminders --------------------------------------------------------------------------------------------------------


def due_items(engagements, today: date):
    """A reminder a day for each agent on these engagements (not offboarded) with a version in force unsigned, to
    the agent and the provider's managers, until they sign: once per onboarding and day."""
    from django.contrib.auth import get_user_model

    onboardings = list(active_onboardings().filter(engagement__in=engagements).select_related("agent", "engagement"))
    state = unsigned_by_onboarding(onboardings, today)
    User = get_user_model()
    logins = {
        user.membership.agent_id: user
        for user in User.objects.filter(
            is_active=True, membership__agent_id__in={o.agent_id for o in onboardings}
        ).select_related("membership")
    }
    managers: dict[int, list] = {}
    for onboarding in onboardings:
        unsigned = state[onboarding.pk]["unsigned"]
        if not unsigned:
            continue
        engagement = onboarding.engagement
        if engagement.provider_id not in managers:
            managers[engagement.provider_id] = list(
                User.objects.filter(
                    is_active=True, membership__provider_id=engagement.provider_id, membership__role=Role.MANAGER
                )
            )
        recipients = tuple(managers[engagement.provider_id]) + (
            (logins[onboarding.agent_id],) if onboarding.agent_id in logins else ()
        )
        titles = ", ".join(f"“{v.document}” v{v.number}" for v in unsigned)
        yield Due(
            kind=AcknowledgementReminder.DOCUMENT_UNSIGNED,
            item=onboarding,
            due_on=today,
            engagement=engagement,
            side=Side.PROVIDER,
            title=f"{engagement.name}: {onboarding.agent} has {len(unsigned)} document(s) to sign: {titles}.",
            url=reverse("onboarding:onboarding_detail", args=[onboarding.pk]),
            agent_url=reverse("onboarding:my_documents"),
            level="warning",
            recipients=recipients,
        )
