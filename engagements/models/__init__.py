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
from engagements.models.engagements import AgentAssignment, Contract, Engagement, EngagementStatusChange
from engagements.models.notifications import Notification
from engagements.models.organizations import Agent, Location, Practice, Provider, ServiceLine
from engagements.models.people import ApiToken, Invitation, Membership
from engagements.models.permissions import EngagementGroupObjectPermission, EngagementUserObjectPermission

__all__ = [
    "ActionItem",
    "Contact",
    "Escalation",
    "EscalationLevel",
    "Feedback",
    "Meeting",
    "MeetingCadence",
    "Reminder",
    "Agent",
    "AgentAssignment",
    "ApiToken",
    "Contract",
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
