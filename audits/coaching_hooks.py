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


def _is_agent(user) -> bool:
    from engagements.access import is_agent

    return is_agent(user)


def register() -> None:
    from audits import demo_coaching  # noqa: F401 - adds its demo data when seed_demo runs
    from audits.models import QualityAudit
    from engagements.registries import NavEntry, register_nav_entry

    register_nav_entry(NavEntry("My action plans", "audits:action_plan_list", _is_agent, testid="nav-my-action-plans"))

    post_save.connect(_after_audit_saved, sender=QualityAudit, dispatch_uid="audits.coaching.after_audit_saved")
    register_source("audits.services.plans.due_items")
