from django import template

register = template.Library()


@register.filter
def person(user, fallback="system"):
    """How the portal names a user: full name, else e-mail, else username; `fallback` when there is none."""
    if user is None:
        return fallback
    return user.get_full_name() or user.email or user.username
