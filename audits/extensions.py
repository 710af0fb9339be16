"""Where other quality-audit areas (calibration, action plans, sampling, recognition) add to the core pages
without editing them: each registers a callable in AuditsConfig.ready() (audits.registrations), and the page
renders what it returns. A panel is an engagements.registries.EngagementCard (a template and its context)."""

from collections.abc import Callable

# (request, audit) -> (label, url) | None: buttons on an audit's page, e.g. "Start an action plan" on a fail
AUDIT_ACTIONS: list[Callable] = []
# (request, engagement) -> EngagementCard | None: panels on the engagement's QA page, e.g. sampling coverage
QA_PAGE_PANELS: list[Callable] = []
# (request, agent) -> EngagementCard | None: panels on an agent's quality page, e.g. their band and why
AGENT_PAGE_PANELS: list[Callable] = []
# (request, agent) -> EngagementCard | None: panels on an agent's own home, e.g. their coaching plans
AGENT_HOME_PANELS: list[Callable] = []


def register(registry: list, item: Callable) -> None:
    if item not in registry:
        registry.append(item)


def collect(registry: list, request, obj) -> list:
    results = (item(request, obj) for item in registry)
    return [result for result in results if result is not None]
