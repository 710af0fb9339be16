"""Submitted audits reach the SLA engine as quality_score measurements, through the one ingest service.

Each scored audit is one measurement (value = its score, on the interaction's date, for its agent) with the
external id `quality-audit-<id>`, so resending changes nothing and a rescore is a correction of the same row.
Calibration audits are never fed. The feed runs as the provider's "Quality audits" service identity (an
integration member of the provider, with the provider's right to submit measurements) whichever side audited,
and its batches carry the `audit` ingest source.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from engagements.choices import Role
from engagements.models import Membership
from slas.choices import IngestSource
from slas.services import ingest_measurements

METRIC = "quality_score"


def feed_identity(provider):
    """The provider's service identity that submits audit scores (created once, never signs in)."""
    User = get_user_model()
    username = f"quality-audits@provider-{provider.pk}"
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": "Quality audits"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        # The Membership signal puts it in the provider's integration group, which may submit measurements.
        Membership.objects.create(user=user, provider=provider, role=Role.INTEGRATION)
    return user


def record(audit) -> dict:
    return {
        "engagement": audit.engagement_id,
        "metric": METRIC,
        "agent": audit.agent_id,
        "date": audit.interaction_date.isoformat(),
        "value": str(audit.score),
        "external_id": audit.external_id,
    }


@transaction.atomic
def feed_audit(audit, *, correction: bool = False):
    """Record (or, after a rescore, correct) the audit's quality_score measurement. Returns the IngestResult,
    or None for an audit that does not count (a draft or a calibration audit)."""
    if audit.is_calibration or not audit.is_scored:
        return None
    return ingest_measurements(
        [record(audit)],
        by=feed_identity(audit.engagement.provider),
        allow_corrections=correction,
        source=IngestSource.AUDIT,
    )
