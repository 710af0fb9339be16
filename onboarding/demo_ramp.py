"""Demo data of the ramp area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
