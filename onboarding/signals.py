"""Signals between onboarding's areas.

`prerequisites_changed` is sent whenever something a responsibility may require changes for an agent: a module
passed or expired, a document version published or signed, a stage move, a ramp result. The responsibilities area
listens and re-checks the agent's rungs at once (the nightly job catches anything dated)."""

from django.dispatch import Signal

# sender: the area's module name; kwargs: agent (engagements.Agent), engagement (or None for all), cause (str)
prerequisites_changed = Signal()
