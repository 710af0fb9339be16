"""What each stage move requires, gathered from onboarding's areas.

The pipeline owns the move (`onboarding.services.pipeline.move`); the rule for entering a stage belongs to the
area that knows it — vetting says when a candidate may go to interviewing, interviews when to training, training
when to ramp, acknowledgements and ramp when to live. Each area registers its check here from
`OnboardingConfig.ready()`. A check takes the onboarding and returns what is missing, in words a user can act on
(an empty list: nothing is missing).
"""

from collections.abc import Callable

# to_stage → [(name, check(onboarding) -> list[str])]
GATES: dict[str, list[tuple[str, Callable]]] = {}


def register_gate(to_stage: str, name: str, check: Callable) -> None:
    checks = GATES.setdefault(to_stage, [])
    if all(existing != name for existing, _ in checks):  # ready() may run twice in some test set-ups
        checks.append((name, check))


def missing_for(onboarding, to_stage: str) -> list[str]:
    """Everything that keeps `onboarding` from entering `to_stage`, from every registered check."""
    return [reason for _, check in GATES.get(to_stage, []) for reason in check(onboarding)]
