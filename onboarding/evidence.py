"""What holds for an agent today, read by rules in other areas (stage gates, the ladder's prerequisites, the
routing API). Pure reads over the shared models; each has a bulk form for lists."""

from datetime import date

from django.db.models import Max, Q
from django.utils import timezone

from onboarding.models import (
    Acknowledgement,
    BusinessAssociateAgreement,
    PolicyDocument,
    PolicyVersion,
    TrainingCompletion,
)


def _today(on: date | None) -> date:
    return on or timezone.localdate()


def current_modules(agent_ids, on: date | None = None) -> dict[int, set[int]]:
    """{agent_id: module ids the agent has passed and whose completion has not expired on `on`}."""
    on = _today(on)
    current = TrainingCompletion.objects.filter(agent_id__in=list(agent_ids), passed_on__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=on)
    )
    held: dict[int, set[int]] = {agent_id: set() for agent_id in agent_ids}
    for agent_id, module_id in current.values_list("agent_id", "module_id").distinct():
        held[agent_id].add(module_id)
    return held


def current_versions(document_ids, on: date | None = None) -> dict[int, int]:
    """{document_id: the id of the version in force on `on`} (the highest number already effective)."""
    on = _today(on)
    latest = (
        PolicyVersion.objects.filter(document_id__in=list(document_ids), effective_on__lte=on)
        .values("document_id")
        .annotate(number=Max("number"))
    )
    wanted = Q(pk__in=[])
    for row in latest:
        wanted |= Q(document_id=row["document_id"], number=row["number"])
    return dict(PolicyVersion.objects.filter(wanted).values_list("document_id", "pk"))


def documents_for(engagement):
    """The documents an agent on `engagement` must sign: the engagement's own and its provider's."""
    return PolicyDocument.objects.filter(Q(engagement=engagement) | Q(provider_id=engagement.provider_id))


def signed_documents(agent_ids, document_ids, on: date | None = None) -> dict[int, set[int]]:
    """{agent_id: ids among `document_ids` whose version in force the agent has signed}."""
    versions = current_versions(document_ids, on)
    signed: dict[int, set[int]] = {agent_id: set() for agent_id in agent_ids}
    rows = Acknowledgement.objects.filter(agent_id__in=list(agent_ids), version_id__in=versions.values())
    for agent_id, document_id in rows.values_list("agent_id", "version__document_id"):
        signed[agent_id].add(document_id)
    return signed


def has_baa(engagement) -> bool:
    return BusinessAssociateAgreement.objects.filter(engagement=engagement).exists()
