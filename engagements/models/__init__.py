from engagements.models.changes import ChangeRequest, ContractVersion
from engagements.models.contracts import Contract, ContractScope, OneOffFee, VolumeTier
from engagements.models.engagements import AgentAssignment, Engagement, EngagementStatusChange
from engagements.models.notifications import Notification
from engagements.models.organizations import Agent, Location, Practice, Provider, ServiceLine
from engagements.models.people import ApiToken, Invitation, Membership
from engagements.models.permissions import EngagementGroupObjectPermission, EngagementUserObjectPermission

__all__ = [
    "Agent",
    "AgentAssignment",
    "ApiToken",
    "ChangeRequest",
    "Contract",
    "ContractScope",
    "ContractVersion",
    "Engagement",
    "EngagementGroupObjectPermission",
    "EngagementStatusChange",
    "EngagementUserObjectPermission",
    "Invitation",
    "Location",
    "Membership",
    "Notification",
    "OneOffFee",
    "Practice",
    "Provider",
    "ServiceLine",
    "VolumeTier",
]
