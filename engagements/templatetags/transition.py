"""The transition card on an engagement's page: where the plan stands, the active phase's gate, overdue milestones."""

from django import template

from engagements.models import Milestone
from engagements.services import transition as services

register = template.Library()


@register.simple_tag
def transition_summary(engagement):
    """Phases, the active one and its gate, and open milestones past their due date (a few queries)."""
    phases = list(engagement.transition_phases.order_by("order", "pk"))
    active = next((phase for phase in phases if phase.is_active), None)
    today = services.practice_today(engagement)
    overdue = list(Milestone.objects.overdue(today).filter(phase__engagement=engagement).order_by("due_on", "pk")[:3])
    summary = {
        "phases": len(phases),
        "done": sum(phase.is_done for phase in phases),
        "active": active,
        "overdue": overdue,
        "overdue_count": Milestone.objects.overdue(today).filter(phase__engagement=engagement).count()
        if len(overdue) == 3
        else len(overdue),
    }
    if active is not None:
        active.engagement = engagement
        summary["gate"] = services.evaluate_gate(active, today)
    return summary
