"""What audits adds to the pages engagements owns, through engagements' registries (DESIGN.md §2)."""

from engagements.choices import Role
from engagements.registries import NavEntry, register_home_page, register_nav_entry


def _is_agent(user) -> bool:
    from engagements.access import is_agent

    return is_agent(user)


def register() -> None:
    from audits import coaching_hooks

    coaching_hooks.register()  # calibration, coaching and sampling: audit signals and the action-plan reminders
    # An agent has no engagement workspace: their home is their own audits, feedback and disputes.
    register_home_page(Role.AGENT, "audits:agent_home", hide_workspace=True)
    register_nav_entry(
        NavEntry("My audits", "audits:agent_home", _is_agent, namespace="audits", testid="nav-my-audits")
    )
