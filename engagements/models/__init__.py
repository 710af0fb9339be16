from engagements.models.access_log import AccessEntry, AccessKind
from engagements.models.changes import ChangeRequest, ContractVersion
from engagements.models.communication import (
    ActionItem,
    Contact,
    Escalation,
    EscalationLevel,
    Feedback,
    Meeting,
    MeetingCadence,
    Reminder,
)
from engagements.models.contracts import Contract, ContractScope, OneOffFee, VolumeTier
from engagements.models.diligence import (
    Certification,
    DueDiligenceDecisionRecord,
    DueDiligenceItem,
    DueDiligenceReview,
)
from engagements.models.engagements import AgentAssignment, Engagement, EngagementStatusChange
from engagements.models.idempotency import IdempotencyKey
from engagements.models.notifications import Notification
from engagements.models.organizations import Agent, Location, Practice, Provider, ServiceLine
from engagements.models.people import ApiToken, Invitation, Membership
from engagements.models.permissions import EngagementGroupObjectPermission, EngagementUserObjectPermission
from engagements.models.terms import Checkpoint
from engagements.models.transition import GateCriterion, GateDecision, Milestone, TransitionPhase
from engagements.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "AccessEntry",
    "AccessKind",
    "ActionItem",
    "Agent",
    "AgentAssignment",
    "ApiToken",
    "Certification",
    "ChangeRequest",
    "Checkpoint",
    "Contact",
    "Contract",
    "ContractScope",
    "ContractVersion",
    "DueDiligenceDecisionRecord",
    "DueDiligenceItem",
    "DueDiligenceReview",
    "Engagement",
    "EngagementGroupObjectPermission",
    "EngagementStatusChange",
    "EngagementUserObjectPermission",
    "Escalation",
    "EscalationLevel",
    "Feedback",
    "GateCriterion",
    "GateDecision",
    "IdempotencyKey",
    "Invitation",
    "Location",
    "Meeting",
    "MeetingCadence",
    "Membership",
    "Milestone",
    "Notification",
    "OneOffFee",
    "Practice",
    "Provider",
    "Reminder",
    "ServiceLine",
    "TransitionPhase",
    "VolumeTier",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
