from django.db import models


class ServiceCategory(models.TextChoices):
    """Where a service line sits on the transition path: peripheral work moves first, revenue cycle later."""

    PERIPHERAL = "peripheral", "Peripheral (front office)"
    REVENUE_CYCLE = "revenue_cycle", "Revenue cycle"
    BACK_OFFICE = "back_office", "Back office"


class PracticeKind(models.TextChoices):
    OPTOMETRY = "optometry", "Optometry"
    OPHTHALMOLOGY = "ophthalmology", "Ophthalmology"
    MIXED = "mixed", "Optometry and ophthalmology"


class EngagementStatus(models.TextChoices):
    VETTING = "vetting", "Vetting"
    CONTRACTING = "contracting", "Contracting"
    TRANSITIONING = "transitioning", "Transitioning"
    STEADY = "steady", "Steady state"
    OFFBOARDING = "offboarding", "Offboarding"
    ENDED = "ended", "Ended"

    @classmethod
    def active(cls):
        return [s for s in cls if s != cls.ENDED]


# Which statuses an engagement may move to from each status. Steady state can go back to transitioning when
# the practice hands over a further phase of work; ending early is possible from any stage before go-live.
ALLOWED_TRANSITIONS = {
    EngagementStatus.VETTING: {EngagementStatus.CONTRACTING, EngagementStatus.ENDED},
    EngagementStatus.CONTRACTING: {EngagementStatus.TRANSITIONING, EngagementStatus.VETTING, EngagementStatus.ENDED},
    EngagementStatus.TRANSITIONING: {EngagementStatus.STEADY, EngagementStatus.OFFBOARDING},
    EngagementStatus.STEADY: {EngagementStatus.TRANSITIONING, EngagementStatus.OFFBOARDING},
    EngagementStatus.OFFBOARDING: {EngagementStatus.ENDED},
    EngagementStatus.ENDED: set(),
}


class AgentStatus(models.TextChoices):
    """An agent's path: candidate → vetting → interviewing → training → ramp → live, or offboarded from any step.
    Onboarding moves an agent along it per engagement (onboarding.services.pipeline.move)."""

    CANDIDATE = "candidate", "Candidate"
    VETTING = "vetting", "Vetting"
    INTERVIEWING = "interviewing", "Interviewing"
    TRAINING = "training", "Training"
    RAMP = "ramp", "Ramping up"
    LIVE = "live", "Live"
    OFFBOARDED = "offboarded", "Offboarded"


class Side(models.TextChoices):
    PRACTICE = "practice", "Practice"
    PROVIDER = "provider", "Provider"


class Role(models.TextChoices):
    """A person's role within their practice or provider. Integration is for API service identities only."""

    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"
    INTEGRATION = "integration", "Integration"
    # A provider's virtual assistant with a login of their own, linked to their Agent record: they see their own
    # audits, feedback and disputes, never an engagement's workspace (no object permission on any engagement).
    AGENT = "agent", "Agent"

    @classmethod
    def for_people(cls):
        return [(cls.MANAGER.value, cls.MANAGER.label), (cls.STAFF.value, cls.STAFF.label)]

    @classmethod
    def for_invitations(cls):
        """What a manager may invite someone as; only a provider invites agents (linked to their Agent record)."""
        return [*cls.for_people(), (cls.AGENT.value, cls.AGENT.label)]


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "Personal"
    INTEGRATION = "integration", "Integration"


class TokenScope(models.TextChoices):
    """What an integration token may do through the API, chosen when it is made: the phone system that pushes
    measurements need not hold a token that reads contract pricing. Personal tokens act as their person."""

    PUSH_MEASUREMENTS = "measurements:push", "Push measurements"
    PUSH_AUDITS = "audits:push", "Push quality audits"
    READ_SLA = "sla:read", "Read SLA targets and results (KPIs, breaches, measurements)"
    READ_ROUTING = "routing:read", "Read the routing API (who may work a line now)"
    READ_CONTRACTS = "contracts:read", "Read contracts, scope, pricing and costs"
    READ_ENGAGEMENTS = "engagements:read", "Read engagements, agents and the rest of the portal"
    WRITE_ENGAGEMENTS = "engagements:write", "Change what the provider's role may change (agents, plans, …)"


class ReminderKind(models.TextChoices):
    """What a reminder is about. Each area of the engagement workspace yields its own kinds (see reminders.py)."""

    CERTIFICATE_EXPIRING = "certificate_expiring", "Certificate expiring"
    CHECKPOINT_DUE = "checkpoint_due", "Evaluation checkpoint due"
    NOTICE_DEADLINE = "notice_deadline", "Notice deadline near"
    LONG_RENEWAL = "long_renewal", "Long automatic renewal"
    MILESTONE_OVERDUE = "milestone_overdue", "Milestone overdue"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Action item overdue"
    MEETING_DUE = "meeting_due", "Meeting due"
    REMEDIATION_OVERDUE = "remediation_overdue", "Remediation overdue, escalated"
    # Quality audits (the audits app registers their sources in engagements.reminders).
    DISPUTE_OVERDUE = "dispute_overdue", "Audit dispute awaiting a decision"
    ACTION_PLAN_OVERDUE = "action_plan_overdue", "Action plan overdue"
    # -- provider compliance audits (the audits app's reminder source) --
    COMPLIANCE_AUDIT_DUE = "compliance_audit_due", "Compliance audit due"
    CORRECTIVE_ACTION_OVERDUE = "corrective_action_overdue", "Corrective action overdue"
    CORRECTIVE_ACTION_ESCALATED = "corrective_action_escalated", "Corrective action overdue, escalated"
    # -- onboarding (the onboarding app's reminder sources) --
    TRAINING_RENEWAL_DUE = "training_renewal_due", "Training renewal due"
    DOCUMENT_UNSIGNED = "document_unsigned", "Policy document to sign"


class PricingModel(models.TextChoices):
    """How the provider charges: for the hours its staff work, for the work they turn out, or a mix by line."""

    HOURLY = "hourly", "Input-based (per FTE hour)"
    PER_UNIT = "per_unit", "Output-based (per unit)"
    HYBRID = "hybrid", "Hybrid (per service line)"


class PricingBasis(models.TextChoices):
    """How one service line in scope is charged."""

    HOURLY = "hourly", "Per FTE hour"
    PER_UNIT = "per_unit", "Per unit"


class FeeKind(models.TextChoices):
    IMPLEMENTATION = "implementation", "Implementation"
    TRAINING = "training", "Training"
    INTEGRATION = "integration", "Integrations"
    OTHER = "other", "Other"


class CheckpointOutcome(models.TextChoices):
    """What the practice decided at an evaluation checkpoint."""

    PENDING = "pending", "Pending"
    CONTINUE = "continue", "Continue"
    CONTINUE_WITH_CONDITIONS = "conditions", "Continue with conditions"
    END = "end", "End the engagement"


class DeliveryStatus(models.TextChoices):
    """Where one webhook delivery stands: waiting for its (next) attempt, received, or given up on."""

    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"
