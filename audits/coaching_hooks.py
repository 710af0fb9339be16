"""What calibration, coaching and sampling hook into at app ready (called from audits.registrations):

- a scored audit does the agent's open assignment and closes the agent's open action plans on their follow-up;
- overdue action plans are a reminder source in engagements.reminders.
"""

from django.db.models.signals import post_save

from engagements.reminders import register_source


def _after_audit_saved(sender, instance, **kwargs):
    from audits.services import plans, sampling

    if instance.is_calibration or not instance.is_scored:
        return
    sampling.link_submitted_audit(instance)
    plans.evaluate_for_audit(instance)


def _start_a_plan(request, audit):
    """On a failed audit's page, for whoever may audit the engagement: a plan with the failed criteria filled in."""
    from django.urls import reverse

    from audits.access import may_audit

    if audit.is_calibration or not audit.is_scored or audit.passed or not may_audit(request.user, audit.engagement):
        return None
    return "Start an action plan", reverse("audits:action_plan_from_audit", args=[audit.pk])


def _qa_panel(request, engagement):
    from audits.access import may_audit
    from engagements.registries import EngagementCard

    if not may_audit(request.user, engagement):
        return None
    return EngagementCard("audits/coaching/_qa_panel.html", {})


def _agent_panel(request, agent):
    from audits.access import audit_engagements
    from engagements.registries import EngagementCard

    engagements = list(audit_engagements(request.user).filter(assignments__agent=agent).distinct())
    if not engagements:
        return None
    return EngagementCard("audits/coaching/_agent_panel.html", {"agent": agent, "engagements": engagements})


def _is_agent(user) -> bool:
    from engagements.access import is_agent

    return is_agent(user)


def register() -> None:
    from audits import demo_coaching  # noqa: F401 - adds its demo data when seed_demo runs
    from audits.models import QualityAudit
    from engagements.registries import NavEntry, register_nav_entry

    register_nav_entry(NavEntry("My action plans", "audits:action_plan_list", _is_agent, testid="nav-my-action-plans"))

    from audits import extensions

    extensions.register(extensions.AUDIT_ACTIONS, _start_a_plan)
    extensions.register(extensions.QA_PAGE_PANELS, _qa_panel)
    extensions.register(extensions.AGENT_PAGE_PANELS, _agent_panel)

    post_save.connect(_after_audit_saved, sender=QualityAudit, dispatch_uid="audits.coaching.after_audit_saved")
    register_source("audits.services.plans.due_items")
