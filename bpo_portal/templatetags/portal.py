from django import template

from engagements.models.people import display_name

register = template.Library()


@register.filter
def person(user, fallback="system"):
    """A user's display name in a page; `fallback` when there is nobody (e.g. "system")."""
    return display_name(user, fallback)


@register.filter
def duration(value) -> str:
    """A timedelta in words: "15 minutes", "1 hour", "1 hour 30 minutes" (never ISO 8601's "PT15M")."""
    if not hasattr(value, "total_seconds"):
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
