"""What audits adds to the pages engagements owns, through engagements' registries (DESIGN.md §2). Called
from AuditsConfig.ready(); engagements never imports audits."""

from engagements.choices import Role
from engagements.registries import (
    EngagementCard,
    NavEntry,
    register_attention_source,
    register_engagement_card,
    register_home_page,
    register_nav_entry,
)
from engagements.reminders import register_source


def _is_agent(user) -> bool:
    from engagements.access import is_agent

    return is_agent(user)


def _sees_quality(user) -> bool:
    """Everyone on a side (or an admin) has a Quality entry; agents have their own."""
    from engagements.access import is_portal_admin, membership_of

    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and not membership.is_agent and membership.role != Role.INTEGRATION)


def quality_card(request, engagement):
    from audits import reports
    from audits.models import Dispute, QualityAudit

    audits = QualityAudit.objects.for_user(request.user).filter(engagement=engagement).scored()
    open_disputes = Dispute.objects.for_user(request.user).open().filter(audit__engagement=engagement).count()
    return EngagementCard(
        "audits/_engagement_card.html",
        {"engagement": engagement, "summary": reports.summary(audits), "open_disputes": open_disputes},
    )


def disputes_to_decide(user):
    """The home page's attention list: open disputes the user may decide (overdue ones are reminders too)."""
    from audits.services.disputes import decidable_by
    from engagements.attention import AttentionItem

    open_disputes = decidable_by(user).filter(status="open").select_related("audit__agent", "audit__engagement")
    return [
        AttentionItem(
            "info",
            f"{d.audit.engagement.name}: {d.audit.agent} disputes an audit; decide it by {d.decide_by:%d %b}.",
            d.get_absolute_url(),
        )
        for d in open_disputes.order_by("decide_by", "pk")[:10]
    ]


# Scoped audits models whose writes are not in the audit log, and why (tests/engagements/test_audit_trail.py finds
# every scoped model and requires it to be logged or named here or in engagements'/slas' NOT_LOGGED).
NOT_LOGGED = {
    "AuditScoreHistory": "itself the history of an audit's rescoring (the replaced score, who, why), written once",
}


def register_audited_models() -> None:
    """Every write to audit data is recorded (who, when, before and after), as for the engagement's own data."""
    from auditlog.registry import auditlog

    from audits import models

    for model in (
        models.Scorecard,
        models.ScorecardVersion,
        models.Section,
        models.Criterion,
        models.QualityAudit,
        models.CriterionRating,
        models.Dispute,
        models.DisputeItem,
        models.QualitySettings,
        models.CalibrationSession,
        models.CalibrationParticipant,
        models.CalibrationRating,
        models.ActionPlan,
        models.ActionPlanItem,
        models.AuditAssignment,
    ):
        if not auditlog.contains(model):
            auditlog.register(model)
    if not auditlog.contains(models.SamplingPolicy):
        auditlog.register(models.SamplingPolicy, m2m_fields={"auditors"})  # who audits is part of the policy


def register() -> None:
    register_audited_models()
    from engagements.services.webhooks import register_event

    register_event("audit.submitted", "A quality audit was submitted, with its score, pass and critical fail.")
    register_event("dispute.decided", "A dispute of a quality audit was decided; the audit carries its new score.")
    from audits import coaching_hooks

    coaching_hooks.register()  # calibration, coaching and sampling: audit signals and the action-plan reminders
    # An agent has no engagement workspace: their home is their own audits, feedback and disputes.
    register_home_page(Role.AGENT, "audits:agent_home", hide_workspace=True)
    register_nav_entry(
        NavEntry("My audits", "audits:agent_home", _is_agent, namespace="audits", testid="nav-my-audits")
    )
    register_nav_entry(
        NavEntry("Quality", "audits:audit_list", _sees_quality, namespace="audits", testid="nav-quality")
    )
    register_engagement_card(quality_card)
    register_attention_source(disputes_to_decide)
    register_source("audits.services.disputes.due_items")
