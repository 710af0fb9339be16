"""The main menu: three groups (work, directory, account) that apps add their entries to.

`bpo_portal` knows no app, so each app registers its own entries in `AppConfig.ready()` — one line an entry:

    navigation.register("work", "Quality", "audits:audit_list", namespace="audits", order=30)

The menu renders the work group as links on the bar and the directory and account groups as dropdowns, so the
bar stays on one line at 1280 px however many apps join. An entry is shown only to those `visible(request)`
lets through, so each role sees only what it can use.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

GROUPS = {"work": "Work", "directory": "Directory", "account": "Account"}


def signed_in(request) -> bool:
    return request.user.is_authenticated


@dataclass(frozen=True)
class NavItem:
    group: str
    label: str
    url_name: str
    # The entry is active on pages whose URL namespace is one of these, or whose URL name contains one of `names`.
    namespaces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    visible: Callable = field(default=signed_in, compare=False)
    order: int = 100
    icon: str = ""

    def is_active(self, match) -> bool:
        if match is None:
            return False
        if self.names:
            return (not self.namespaces or match.namespace in self.namespaces) and any(
                name in (match.url_name or "") for name in self.names
            )
        return match.namespace in self.namespaces


ITEMS: list[NavItem] = []


def register(group: str, label: str, url_name: str, **options) -> NavItem:
    """Add an entry to a group (idempotent: `ready()` may run twice in tests)."""
    if group not in GROUPS:
        raise ValueError(f"Unknown menu group {group!r}; use one of {', '.join(GROUPS)}.")
    item = NavItem(group, label, url_name, **options)
    if not any(existing.url_name == url_name for existing in ITEMS):
        ITEMS.append(item)
    return item


def unregister(url_name: str) -> None:
    ITEMS[:] = [item for item in ITEMS if item.url_name != url_name]


@dataclass
class MenuEntry:
    label: str
    url: str
    active: bool
    icon: str
    testid: str


@dataclass
class MenuGroup:
    key: str
    label: str
    entries: list[MenuEntry]

    @property
    def active(self) -> bool:
        return any(entry.active for entry in self.entries)


def menu_for(request) -> dict[str, MenuGroup]:
    """The groups and entries this request's user may use, in order; a group with nothing to show is left out."""
    match = getattr(request, "resolver_match", None)
    menu = {}
    for key, label in GROUPS.items():
        items = sorted((item for item in ITEMS if item.group == key), key=lambda item: (item.order, item.label))
        entries = [
            MenuEntry(
                item.label,
                reverse(item.url_name),
                item.is_active(match),
                item.icon,
                "nav-" + item.label.lower().replace(" ", "-"),
            )
            for item in items
            if item.visible(request)
        ]
        if entries:
            menu[key] = MenuGroup(key, label, entries)
    return menu
