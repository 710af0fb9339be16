"""The Onboarding page (/onboarding/, the menu's one Onboarding entry) links every area's own pages: the pipeline
boards, hiring profiles, curricula and modules, policy documents, ramp plans, the readiness and responsibilities
matrix. Each area registers its links here from its hooks module; the pipeline area renders them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HubLink:
    order: int
    label: str
    url_name: str
    description: str
    visible: Callable  # (user) -> bool


HUB_LINKS: list[HubLink] = []


def register_hub_link(link: HubLink) -> None:
    if all(existing.url_name != link.url_name for existing in HUB_LINKS):
        HUB_LINKS.append(link)
        HUB_LINKS.sort(key=lambda existing: existing.order)


def links_for(user) -> list[HubLink]:
    return [link for link in HUB_LINKS if link.visible(user)]
