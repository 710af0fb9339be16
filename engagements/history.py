"""Which audit-log entries make up an engagement's history: the engagement and the rows that hang off it."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.text import capfirst

from engagements import models

# Each audited model that belongs to one engagement, and the path from it to the engagement.
SOURCES = (
    (models.Engagement, "pk"),
    (models.Contract, "engagement"),
    (models.Checkpoint, "contract__engagement"),
    (models.ContractScope, "contract__engagement"),
    (models.OneOffFee, "contract__engagement"),
    (models.ChangeRequest, "contract__engagement"),
    (models.AgentAssignment, "engagement"),
    (models.TransitionPhase, "engagement"),
    (models.Milestone, "phase__engagement"),
    (models.GateDecision, "phase__engagement"),
)


def engagement_log(engagement, kinds: list[str] | None = None):
    """The log entries of the engagement's own rows, newest first; `kinds` keeps only those models (by name).
    Rows that no longer exist cannot be traced to the engagement, so their entries are not included."""
    sources = [(model, path) for model, path in SOURCES if not kinds or model._meta.model_name in kinds]
    types = ContentType.objects.get_for_models(*(model for model, _ in sources))
    condition = Q(pk__in=[])
    for model, path in sources:
        ids = model._default_manager.filter(**{path: engagement.pk}).values_list("pk", flat=True)
        condition |= Q(content_type=types[model], object_id__in=ids)
    return LogEntry.objects.filter(condition).select_related("actor", "content_type").order_by("-timestamp", "-pk")


def kind_choices():
    return [(model._meta.model_name, capfirst(str(model._meta.verbose_name))) for model, _ in SOURCES]
