from django import template

from engagements.cards import render_cards

register = template.Library()


@register.simple_tag(takes_context=True)
def engagement_cards(context, engagement):
    """The cards other apps registered for the engagement page (see engagements/cards.py)."""
    request = context.get("request")
    return render_cards(engagement, getattr(request, "user", None), request=request)
