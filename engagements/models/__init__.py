from engagements.models.engagements import AgentAssignment, Contract, Engagement, EngagementStatusChange
from engagements.models.notifications import Notification
from engagements.models.organizations import Agent, Location, Practice, Provider, ServiceLine
from engagements.models.people import ApiToken, Invitation, Membership
from engagements.models.permissions import EngagementGroupObjectPermission, EngagementUserObjectPermission
from engagements.models.transition import GateCriterion, GateDecision, Milestone, TransitionPhase

__all__ = [
    "Agent",
    "AgentAssignment",
    "ApiToken",
    "Contract",
    "Engagement",
    "EngagementGroupObjectPermission",
    "EngagementStatusChange",
    "EngagementUserObjectPermission",
    "GateCriterion",
    "GateDecision",
    "Invitation",
    "Location",
    "Membership",
    "Milestone",
    "Notification",
    "Practice",
    "Provider",
    "ServiceLine",
    "TransitionPhase",
]
