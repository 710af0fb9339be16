"""Every write to engagement data is recorded (who, when, before and after) by django-auditlog."""

from auditlog.registry import auditlog

# Engagement-scoped models whose writes are not in the audit log, and why (tests/engagements/test_audit_trail.py
# finds every scoped model and requires it to be logged or named here).
NOT_LOGGED = {
    "Feedback": "staff feedback may be anonymous: the log's actor would name its author",
    "Reminder": "written by the reminder job from rows that are themselves logged",
    "Notification": "a message to one person about a logged change, not engagement data",
    "EngagementStatusChange": "itself the history of status changes, written once with the logged change",
    "AccessEntry": "itself the access log, append-only",
    "WebhookDelivery": "itself the delivery log of its endpoint (status, response code, attempts)",
}


def register_audited_models() -> None:
    from engagements import models

    for model in (
        models.Practice,
        models.Location,
        models.Provider,
        models.Agent,
        models.Engagement,
        models.Contract,
        models.ContractScope,
        models.VolumeTier,
        models.OneOffFee,
        models.Checkpoint,
        models.ChangeRequest,
        models.ContractVersion,
        models.AgentAssignment,
        models.Membership,
        models.TransitionPhase,
        models.Milestone,
        models.GateCriterion,
        models.GateDecision,
        # -- due diligence --
        models.Certification,
        models.DueDiligenceReview,
        models.DueDiligenceItem,
        models.DueDiligenceDecisionRecord,
        # Communication. Staff feedback is deliberately not audited: the log's actor would name an anonymous author.
        models.Contact,
        models.EscalationLevel,
        models.MeetingCadence,
        models.Meeting,
        models.ActionItem,
        models.Escalation,
    ):
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=["id", "updated_at", "created_at"], m2m_fields={})
    for model, secret in (
        (models.ApiToken, "secret_hash"),
        (models.Invitation, "token_hash"),
        (models.WebhookEndpoint, "secret"),
    ):
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=[secret])
