"""What the responsibilities area registers at app ready (see onboarding/hooks/__init__.py): its listeners (the
prerequisites_changed signal, submitted audits), the webhook event, the onboarding page's section and timeline
entries, a readiness column, the hub link, the engagement card and the audited models."""

from django.db.models.signals import post_save
from django.urls import reverse

from onboarding import tasks_responsibilities  # noqa: F401 - the nightly recheck, registered with Celery
from onboarding.hub import HubLink, register_hub_link
from onboarding.readiness import Cell, register_column
from onboarding.signals import prerequisites_changed
from onboarding.timeline import Section, TimelineEvent, register_section, register_timeline_source

TONES = {"granted": "success", "suspended": "danger", "lifted": "info", "reinstated": "success", "revoked": "dark"}


def on_prerequisites_changed(sender, agent=None, engagement=None, **kwargs):
    """Recheck that agent's grants at once (on the one engagement, or all of them)."""
    from onboarding.services import responsibilities

    if agent is not None:
        responsibilities.recheck_agent(agent, engagement)


def on_audit_saved(sender, instance, **kwargs):
    """A submitted audit with a critical item failed suspends the rung it happened on."""
    if instance.critical_failed:
        from onboarding.services import responsibilities

        responsibilities.suspend_for_critical_fail(instance)


def timeline_events(onboarding):
    from onboarding.models import ResponsibilityEvent

    events = ResponsibilityEvent.objects.filter(
        responsibility__agent_id=onboarding.agent_id, responsibility__engagement_id=onboarding.engagement_id
    ).select_related("responsibility__rung__service_line")
    for event in events:
        yield TimelineEvent(
            event.at,
            "responsibilities",
            f"{event.responsibility.rung.service_line}: {event.get_action_display().lower()}",
            detail=event.reason,
            url=event.responsibility.get_absolute_url(),
            tone=TONES.get(event.action, "secondary"),
        )


def onboarding_section(request, onboarding):
    from onboarding.services import responsibilities

    rungs = responsibilities.rungs_of(onboarding.engagement)
    if not rungs:
        return None
    states = responsibilities.line_states(onboarding.engagement, [onboarding], rungs)[onboarding.pk]
    return Section(
        order=70,
        template="onboarding/responsibilities/_onboarding_section.html",
        context={
            "onboarding": onboarding,
            "states": states,
            "can_grant": responsibilities.may_grant(request.user, onboarding.engagement),
            "matrix_url": reverse("onboarding:responsibilities_matrix", args=[onboarding.engagement_id]),
        },
    )


def readiness_cells(onboardings):
    """The responsibilities column: lines held, and how many are suspended."""
    from onboarding.models import Responsibility

    by_key = {(o.agent_id, o.engagement_id): o.pk for o in onboardings}
    cells = {o.pk: Cell("None held", "secondary") for o in onboardings}
    grants = (
        Responsibility.objects.in_force()
        .filter(
            agent_id__in={o.agent_id for o in onboardings},
            engagement_id__in={o.engagement_id for o in onboardings},
        )
        .select_related("rung__service_line")
        .order_by("rung__position")
    )
    held, suspended = {}, {}
    for grant in grants:
        key = by_key.get((grant.agent_id, grant.engagement_id))
        if key is not None:
            (held if grant.is_held else suspended).setdefault(key, []).append(str(grant.rung.service_line))
    for key in set(held) | set(suspended):
        text = ", ".join(held.get(key, [])) or "None held"
        if suspended.get(key):
            cells[key] = Cell(text, "danger", detail="Suspended: " + ", ".join(suspended[key]))
        else:
            cells[key] = Cell(text, "success")
    return cells


def engagement_card(request, engagement):
    from engagements.registries import EngagementCard
    from onboarding.models import Responsibility, Rung

    if not Rung.objects.filter(ladder__engagement=engagement).exists():
        counts = None
    else:
        grants = Responsibility.objects.filter(engagement=engagement)
        counts = {"held": grants.filter(status="held").count(), "suspended": grants.filter(status="suspended").count()}
    return EngagementCard(
        "onboarding/responsibilities/_engagement_card.html", {"engagement": engagement, "counts": counts}
    )


def _sees_responsibilities(user) -> bool:
    from engagements.access import is_agent

    return user.is_authenticated and not is_agent(user)


def register():
    from audits.models import QualityAudit
    from engagements.registries import register_engagement_card
    from engagements.services.webhooks import register_event
    from onboarding import auditing, models

    prerequisites_changed.connect(on_prerequisites_changed, dispatch_uid="onboarding.responsibilities.recheck")
    post_save.connect(on_audit_saved, sender=QualityAudit, dispatch_uid="onboarding.responsibilities.critical_fail")
    register_event(
        "responsibility.suspended",
        "An agent's responsibility (a service line) was suspended: a prerequisite lapsed or an audit failed "
        "critically.",
    )
    register_timeline_source(timeline_events)
    register_section(onboarding_section)
    register_column(40, "responsibilities", "Responsibilities", readiness_cells)
    register_hub_link(
        HubLink(
            60,
            "Responsibilities and ladders",
            "onboarding:responsibilities_home",
            "Which service lines each agent may work, the ladder each engagement sets, grants and suspensions.",
            _sees_responsibilities,
        )
    )
    register_engagement_card(engagement_card)
    auditing.register_audited(models.Ladder, models.Rung, models.Responsibility, models.ResponsibilityEvent)
