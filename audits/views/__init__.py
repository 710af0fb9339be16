"""The quality-audit pages, one module per area; this package re-exports the views urls.py names."""

from audits.views.agents import AgentHomeView

__all__ = ["AgentHomeView"]
