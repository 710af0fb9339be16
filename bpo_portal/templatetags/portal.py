from django import template

from engagements.models.people import display_name

register = template.Library()


@register.filter
def person(user, fallback="system"):
    """A user's display name in a page; `fallback` when there is nobody (e.g. "system")."""
    return display_name(user, fallback)
