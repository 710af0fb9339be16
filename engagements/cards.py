"""Cards that apps above engagements (audits, onboarding) add to the engagement page, without engagements
importing them: each app registers a card in its AppConfig.ready(), and the page renders whatever is registered.

A card is a dotted path to a function `card(engagement, user)` that returns `(template_name, context)` — or None
when the user should not see it — so each card runs its own (few) queries and is skipped when it has nothing.
"""

from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

CARDS: list[str] = []


def register_card(path: str) -> None:
    if path not in CARDS:
        CARDS.append(path)


def render_cards(engagement, user, request=None) -> str:
    rendered = []
    for path in CARDS:
        card = import_string(path)(engagement, user)
        if card is not None:
            template_name, context = card
            rendered.append(render_to_string(template_name, {"engagement": engagement, **context}, request=request))
    return mark_safe("".join(rendered))  # noqa: S308 - each card is a template rendered with autoescaping
