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


NAV_ENTRIES: list[NavEntry] = []
# (user) -> iterable of engagements.attention.AttentionItem
ATTENTION_SOURCES: list[Callable] = []
# (request, engagement) -> EngagementCard | None
ENGAGEMENT_CARDS: list[Callable] = []
# role → the URL name of that role's own home page (an agent's, who has no engagement workspace)
HOME_PAGES: dict[str, str] = {}
# roles whose people see none of the engagement workspace's navigation (only the entries registered above)
WORKSPACE_HIDDEN_ROLES: set[str] = set()


def _add(registry: list, item) -> None:
    if item not in registry:  # ready() can run twice in some test set-ups; register once
        registry.append(item)


def register_nav_entry(entry: NavEntry) -> None:
    _add(NAV_ENTRIES, entry)


def register_attention_source(source: Callable) -> None:
    _add(ATTENTION_SOURCES, source)


def register_engagement_card(card: Callable) -> None:
    _add(ENGAGEMENT_CARDS, card)


def register_home_page(role: str, url_name: str, *, hide_workspace: bool = False) -> None:
    HOME_PAGES[role] = url_name
    if hide_workspace:
        WORKSPACE_HIDDEN_ROLES.add(role)


def nav_entries_for(user) -> list[NavEntry]:
    return [entry for entry in NAV_ENTRIES if entry.visible(user)]


def attention_from_sources(user) -> Iterable:
    for source in ATTENTION_SOURCES:
        yield from source(user)


def engagement_cards(request, engagement) -> list[EngagementCard]:
    cards = (card(request, engagement) for card in ENGAGEMENT_CARDS)
    return [card for card in cards if card is not None]
