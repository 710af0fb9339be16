"""What the acknowledgements area registers at app ready (see onboarding/hooks/__init__.py): the live gates
(documents signed, a BAA on record), the signatures on the timeline, the onboarding page's documents section, the
readiness column, the hub links, the agent's "My documents" entry, the engagement card and the reminder source."""

from engagements.access import is_agent, is_portal_admin, membership_of
from engagements.choices import AgentStatus, Role
from engagements.registries import EngagementCard, NavEntry, register_engagement_card, register_nav_entry
from engagements.reminders import register_source
from onboarding.auditing import register_audited
from onboarding.gates import register_gate
from onboarding.hub import HubLink, register_hub_link
from onboarding.readiness import Cell, register_column
from onboarding.timeline import Section, TimelineEvent, register_section, register_timeline_source

REMINDER_SOURCE = "onboarding.services.acknowledgements.due_items"


def _side_member(user) -> bool:
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and not membership.is_agent and membership.role != Role.INTEGRATION)


def documents_gate(onboarding):
    from onboarding.services.acknowledgements import documents_gate as check

    return check(onboarding)


def baa_gate(onboarding):
    from onboarding.services.acknowledgements import baa_gate as check

    return check(onboarding)


def signatures(onboarding):
    """The agent's signatures of this engagement's documents (its own and its provider's)."""
    from onboarding import evidence
    from onboarding.models import Acknowledgement

    rows = Acknowledgement.objects.filter(
        agent_id=onboarding.agent_id, version__document__in=evidence.documents_for(onboarding.engagement)
    ).select_related("version__document")
    for signature in rows:
        yield TimelineEvent(
            signature.signed_at,
            "documents",
            f"Signed “{signature.version.document}” (version {signature.version.number})",
            detail=f"Typed name: {signature.typed_name}",
            url=signature.version.document.get_absolute_url(),
            tone="success",
        )


def documents_section(request, onboarding):
    from onboarding import evidence
    from onboarding.models import Acknowledgement, PolicyVersion
    from onboarding.services.acknowledgements import baa_on_record

    documents = list(evidence.documents_for(onboarding.engagement).values_list("pk", flat=True))
    current = evidence.current_versions(documents)
    versions = PolicyVersion.objects.select_related("document").filter(pk__in=current.values())
    signed = {
        a.version_id: a for a in Acknowledgement.objects.filter(agent_id=onboarding.agent_id, version__in=versions)
    }
    rows = [{"version": v, "signature": signed.get(v.pk)} for v in sorted(versions, key=lambda v: v.document.title)]
    return Section(
        40,
        "onboarding/acknowledgements/_onboarding_section.html",
        {"rows": rows, "baa": baa_on_record(onboarding.engagement)},
    )


def readiness(onboardings):
    from onboarding.services.acknowledgements import unsigned_by_onboarding

    cells = {}
    for onboarding_id, state in unsigned_by_onboarding(onboardings).items():
        required, unsigned = state["required"], state["unsigned"]
        if not required:
            cells[onboarding_id] = Cell("None required", "secondary")
        elif unsigned:
            names = ", ".join(f"{v.document} v{v.number}" for v in unsigned)
            cells[onboarding_id] = Cell(
                f"{required - len(unsigned)}/{required} signed", "warning", f"To sign: {names}", ""
            )
        else:
            cells[onboarding_id] = Cell(f"{required}/{required} signed", "success")
    return cells


def engagement_card(request, engagement):
    if is_agent(request.user):
        return None
    from onboarding.models import PolicyVersion
    from onboarding.services.acknowledgements import active_onboardings, baa_on_record, unsigned_by_onboarding

    state = unsigned_by_onboarding(active_onboardings().filter(engagement=engagement))
    documents = max((s["required"] for s in state.values()), default=None)
    if documents is None:
        from onboarding import evidence

        ids = list(evidence.documents_for(engagement).values_list("pk", flat=True))
        documents = PolicyVersion.objects.filter(pk__in=evidence.current_versions(ids).values()).count()
    return EngagementCard(
        "onboarding/acknowledgements/_engagement_card.html",
        {
            "engagement": engagement,
            "baa": baa_on_record(engagement),
            "documents": documents,
            "agents_unsigned": sum(1 for s in state.values() if s["unsigned"]),
            "unsigned": sum(len(s["unsigned"]) for s in state.values()),
        },
    )


def register():
    from onboarding.models import Acknowledgement, BusinessAssociateAgreement, PolicyDocument, PolicyVersion

    register_audited(PolicyDocument, PolicyVersion, Acknowledgement, BusinessAssociateAgreement)
    register_gate(AgentStatus.LIVE, "documents", documents_gate)
    register_gate(AgentStatus.LIVE, "baa", baa_gate)
    register_timeline_source(signatures)
    register_section(documents_section)
    register_column(20, "documents", "Documents", readiness)
    register_hub_link(
        HubLink(
            40,
            "Policy documents",
            "onboarding:document_list",
            "NDA, privacy policy, HIPAA confidentiality and acceptable use: versions and who signed them.",
            _side_member,
        )
    )
    register_hub_link(
        HubLink(
            41, "Signatures", "onboarding:acknowledgement_list", "Every signature, filterable, as CSV.", _side_member
        )
    )
    register_nav_entry(
        NavEntry(
            "My documents", "onboarding:my_documents", is_agent, namespace="onboarding", testid="nav-my-documents"
        ),
        order=35,
    )
    register_engagement_card(engagement_card)
    register_source(REMINDER_SOURCE)
