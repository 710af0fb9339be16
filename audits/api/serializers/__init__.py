from audits.api.serializers.audits import (
    AcknowledgeSerializer,
    AuditSerializer,
    DecideSerializer,
    DisputeSerializer,
    RatingSerializer,
)
from audits.api.serializers.scorecards import (
    DraftSerializer,
    ScorecardSerializer,
    ScorecardVersionSerializer,
)

__all__ = [
    "AcknowledgeSerializer",
    "AuditSerializer",
    "DecideSerializer",
    "DisputeSerializer",
    "DraftSerializer",
    "RatingSerializer",
    "ScorecardSerializer",
    "ScorecardVersionSerializer",
]
