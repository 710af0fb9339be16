"""What the pipeline area registers at app ready (see onboarding/hooks/__init__.py)."""

from engagements.access import is_agent
from engagements.registries import NavEntry, register_nav_entry
from engagements.services.webhooks import register_event
from onboarding.hub import HubLink, register_hub_link
from onboarding.timeline import TimelineEvent, register_timeline_source


def stage_moves(onboarding):
    for change in onboarding.stage_changes.all():
        yield TimelineEvent(
            change.changed_at,
            "stage",
            f"Moved to {change.get_to_stage_display()}",
            detail=change.note,
            tone="danger" if change.to_stage == "offboarded" else "info",
        )


def sees_onboarding(user) -> bool:
    """Everyone signed in with an engagement workspace: both sides and portal admins, never an agent's login."""
    return user.is_authenticated and not is_agent(user)


def agent_onboardings_card(request, agent):
    """The agent page's card: the agent's onboardings (stage per engagement) that the viewer may see."""
    from engagements.registries import EngagementCard
    from onboarding.models import Onboarding

    onboardings = Onboarding.objects.for_user(request.user).filter(agent=agent).select_related("engagement")
    return EngagementCard("onboarding/pipeline/_agent_card.html", {"onboardings": onboardings})


def register():
    from engagements import registries

    registries.register_agent_card(agent_onboardings_card)
    register_timeline_source(stage_moves)
    register_event(
        "agent.stage_changed",
        "An agent's onboarding moved a stage (from, to, offboard reason), or started as a candidate.",
    )
    register_nav_entry(
        NavEntry(
            "Onboarding", "onboarding:pipeline_hub", sees_onboarding, namespace="onboarding", testid="nav-onboarding"
        ),
        group="work",
        order=45,
    )
    register_hub_link(
        HubLink(
            10,
            "Onboardings",
            "onboarding:pipeline_list",
            "Every agent's onboarding you can see: filter by engagement, stage, sourcing and country; export.",
            sees_onboarding,
        )
    )
