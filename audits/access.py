"""Who may do what with quality audits — built on engagements.access, in one place for the UI, API and jobs.

- Both sides' members see an engagement's submitted audits; a draft only its auditor's side.
- Either side's managers audit (the practice grades next to the provider); so do the provider's integrations
  ("submit_measurements"), which push results from the provider's own QA tool.
- A calibration audit is seen only by its auditor here (the calibration session reveals the others' after scoring).
- An agent sees their own submitted audits and nothing else of the engagement; they acknowledge and dispute
  their own, and the provider's managers ("assign_agents") may do both on their behalf.
"""

from django.db.models import Q

from engagements.access import engagements_for, is_portal_admin, membership_of

AUDIT = "audit"  # run audits on the engagement: create, edit a draft, submit
ACT_FOR_AGENT = "act_for_agent"  # acknowledge or dispute on an agent's behalf


def audit_engagements(user):
    """Engagements on which `user` may run quality audits."""
    return engagements_for(user, "change") | engagements_for(user, "submit_measurements")


def engagements_for_action(user, action: str):
    if action == AUDIT:
        return audit_engagements(user)
    if action == ACT_FOR_AGENT:
        return engagements_for(user, "assign_agents")
    if action == "change":
        return engagements_for(user, "change")
    return engagements_for(user, action)


def agent_of(user):
    """The Agent record a signed-in agent is, or None."""
    membership = membership_of(user)
    return membership.agent if membership and membership.is_agent else None


def side_of(user) -> str | None:
    membership = membership_of(user)
    return membership.side if membership else None


def may_audit(user, engagement) -> bool:
    return is_portal_admin(user) or audit_engagements(user).filter(pk=engagement.pk).exists()


def visible_audits_filter(user) -> Q:
    """The rows of QualityAudit `user` may read, as a Q (callers add their own filters)."""
    from audits.choices import AuditStatus

    membership = membership_of(user)
    if membership is not None and membership.is_agent:
        return Q(agent_id=membership.agent_id) & ~Q(status=AuditStatus.DRAFT) & ~Q(is_calibration=True)
    # Calibration audits are scored blind: outside their session (audits.calibration) only their auditor sees them.
    visible = Q(engagement__in=engagements_for(user)) & (Q(is_calibration=False) | Q(auditor_id=user.pk))
    if membership is None:
        return visible
    return visible & (~Q(status=AuditStatus.DRAFT) | Q(auditor_side=membership.side))
