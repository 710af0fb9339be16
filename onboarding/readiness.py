"""The practice's view of who is ready on its account: one column per area (training, documents, ramp,
responsibilities), gathered here so the responsibilities matrix and the readiness page show them all without
importing each area. Each source takes a list of onboardings and answers for all of them at once (a fixed number
of queries, whatever the number of agents)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One agent's state in one column: a short text, a tone (success, warning, danger, secondary) and the why."""

    text: str
    tone: str = "secondary"
    detail: str = ""
    url: str = ""


# [(order, key, label, source(onboardings) -> {onboarding_id: Cell})]
COLUMNS: list[tuple[int, str, str, Callable]] = []


def register_column(order: int, key: str, label: str, source: Callable) -> None:
    if all(existing_key != key for _, existing_key, _, _ in COLUMNS):
        COLUMNS.append((order, key, label, source))
        COLUMNS.sort(key=lambda column: column[0])


def cells_for(onboardings) -> dict[str, dict[int, Cell]]:
    onboardings = list(onboardings)
    return {key: source(onboardings) for _, key, _, source in COLUMNS}
