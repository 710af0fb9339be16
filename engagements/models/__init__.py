from engagements.models.diligence import (
    Certification,
    DueDiligenceDecisionRecord,
    DueDiligenceItem,
    DueDiligenceReview,
)
from engagements.models.engagements import AgentAssignment, Contract, Engagement, EngagementStatusChange
from engagements.models.notifications import Notification
from engagements.models.organizations import Agent, Location, Practice, Provider, ServiceLine
from engagements.models.people import ApiToken, Invitation, Membership
from engagements.models.permissions import EngagementGroupObjectPermission, EngagementUserObjectPermission

__all__ = [
    "Agent",
    "AgentAssignment",
    "ApiToken",
    "Certification",
    "Contract",
    "DueDiligenceDecisionRecord",
    "DueDiligenceItem",
    "DueDiligenceReview",
    "Engagement",
    "EngagementGroupObjectPermission",
    "EngagementStatusChange",
    "EngagementUserObjectPermission",
    "Invitation",
    "Location",
    "Membership",
    "Notification",
    "Practice",
    "Provider",
    "ServiceLine",
]
