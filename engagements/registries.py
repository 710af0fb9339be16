"""Where engagements shows what a higher app knows, without importing it (DESIGN.md §2).

`engagements` may not import `audits` (or any app to its right). Where one of its pages must show something a
higher app owns — a card on the engagement page, items on the home page's attention list, entries in the
navigation, a role's own home page — the higher app registers a callable here in its `AppConfig.ready()`.
Reminder sources have their own registry in `engagements.reminders` (`register_source`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to the users `visible(user)` accepts."""

    label: str
    url_name: str
    visible: Callable  # (user) -> bool
    namespace: str = ""  # the entry reads as active on pages in this URL namespace
    testid: str = ""


@dataclass(frozen=True)
class EngagementCard:
    """A card on the engagement page: a template and what it renders with."""

    template: str
    context: dict = field(default_factory=dict)


# (user) -> iterable of engagements.attention.AttentionItem
ATTENTION_SOURCES: list[Callable] = []
# (request, engagement) -> EngagementCard | None
ENGAGEMENT_CARDS: list[Callable] = []
# (request, agent) -> EngagementCard | None: cards on an agent's page (their onboardings, for one)
AGENT_CARDS: list[Callable] = []
# role → the URL name of that role's own home page (an agent's, who has no engagement workspace)
HOME_PAGES: dict[str, str] = {}
# roles whose people see none of the engagement workspace's navigation (only the entries registered above)
WORKSPACE_HIDDEN_ROLES: set[str] = set()


def _add(registry: list, item) -> None:
    if item not in registry:  # ready() can run twice in some test set-ups; register once
        registry.append(item)


def register_nav_entry(entry: NavEntry, *, group: str = "work", order: int = 30) -> None:
    """An entry in the grouped main menu (bpo_portal.navigation), shown to the users `entry.visible` accepts."""
    from bpo_portal import navigation

    navigation.register(
        group,
        entry.label,
        entry.url_name,
        namespaces=(entry.namespace,) if entry.namespace else (),
        visible=lambda request: request.user.is_authenticated and entry.visible(request.user),
        order=order,
    )


def sees_workspace(request) -> bool:
    """The engagement workspace's menu entries are for everyone signed in but the roles a higher app gives a home
    of their own instead (an agent)."""
    if not request.user.is_authenticated:
        return False
    from engagements.access import membership_of

    membership = membership_of(request.user)
    return not (membership and membership.role in WORKSPACE_HIDDEN_ROLES)


def register_attention_source(source: Callable) -> None:
    _add(ATTENTION_SOURCES, source)


def register_engagement_card(card: Callable) -> None:
    _add(ENGAGEMENT_CARDS, card)


def register_home_page(role: str, url_name: str, *, hide_workspace: bool = False) -> None:
    HOME_PAGES[role] = url_name
    if hide_workspace:
        WORKSPACE_HIDDEN_ROLES.add(role)


def attention_from_sources(user) -> Iterable:
    for source in ATTENTION_SOURCES:
        yield from source(user)


def register_agent_card(card: Callable) -> None:
    _add(AGENT_CARDS, card)


def agent_cards(request, agent) -> list[EngagementCard]:
    cards = (card(request, agent) for card in AGENT_CARDS)
    return [card for card in cards if card is not None]


def engagement_cards(request, engagement) -> list[EngagementCard]:
    cards = (card(request, engagement) for card in ENGAGEMENT_CARDS)
    return [card for card in cards if card is not None]
