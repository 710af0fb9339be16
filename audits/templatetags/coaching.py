"""`{% load coaching %}{% agent_band agent engagement %}`: an agent's sampling band and why, for any page."""

from django import template

from audits.services import sampling

register = template.Library()


@register.inclusion_tag("audits/sampling/_band.html")
def agent_band(agent, engagement):
    return {"band": sampling.band_for(agent, engagement)}


@register.inclusion_tag("audits/sampling/_coverage.html")
def sampling_coverage(engagement, weeks=2):
    return {"coverage": sampling.coverage(engagement, weeks=weeks)}


@register.filter
def audit_url(audit) -> str:
    """An audit's page, or "" while the audit pages are not installed (they live in the audits-core area)."""
    from django.urls import NoReverseMatch

    try:
        return audit.get_absolute_url()
    except NoReverseMatch:
        return ""
