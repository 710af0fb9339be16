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
