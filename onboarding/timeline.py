"""The agent's onboarding page shows every step on one timeline and one section per area. Areas register here
from `OnboardingConfig.ready()`; the pipeline's detail view renders what they return."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TimelineEvent:
    """One dated step on the agent's timeline (an assessment passed, an interview round, a module, a signature)."""

    at: datetime
    area: str  # "vetting", "interviews", "training", "documents", "ramp", "responsibilities", "stage"
    title: str
    detail: str = ""
    url: str = ""
    tone: str = "secondary"  # a Bootstrap colour: success, danger, warning, info, secondary


@dataclass(frozen=True)
class Section:
    """An area's section on the onboarding page: a template and what it renders with."""

    order: int
    template: str
    context: dict = field(default_factory=dict)


# (onboarding) -> iterable of TimelineEvent
TIMELINE_SOURCES: list[Callable] = []
# (request, onboarding) -> Section | None
SECTIONS: list[Callable] = []


def register_timeline_source(source: Callable) -> None:
    if source not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(source)


def register_section(section: Callable) -> None:
    if section not in SECTIONS:
        SECTIONS.append(section)


def events_for(onboarding) -> list[TimelineEvent]:
    return sorted((event for source in TIMELINE_SOURCES for event in source(onboarding)), key=lambda e: e.at)


def sections_for(request, onboarding) -> list[Section]:
    return sorted(filter(None, (section(request, onboarding) for section in SECTIONS)), key=lambda s: s.order)
