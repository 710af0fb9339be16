"""What the audits app adds to engagements' registries (reminder sources, engagement-page cards, the audit log)."""

from auditlog.registry import auditlog

from engagements.choices import ReminderKind
from engagements.registries import register_engagement_card
from engagements.reminders import register_source


def register_compliance() -> None:
    """Provider compliance audits: their reminders, their card on the engagement page, and their audit log."""
    from audits import models

    register_source(
        "audits.services.compliance.due_items",
        after_send={
            ReminderKind.CORRECTIVE_ACTION_ESCALATED: "audits.services.compliance.record_corrective_action_escalation"
        },
    )
    from audits.views.compliance import engagement_card

    register_engagement_card(engagement_card)
    from bpo_portal import navigation
    from engagements.registries import sees_workspace

    navigation.register(
        "work",
        "Compliance",
        "audits:compliance_audit_list",
        names=("compliance", "finding", "corrective"),
        namespaces=("audits",),
        visible=sees_workspace,
        order=40,
    )
    for model in (
        models.ComplianceSchedule,
        models.ComplianceAudit,
        models.ComplianceRequirement,
        models.ComplianceEvidence,
        models.Finding,
        models.CorrectiveAction,
        models.CorrectiveActionEscalation,
    ):
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=["id", "updated_at", "created_at"], m2m_fields={})
