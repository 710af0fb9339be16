"""Demo data of the vetting area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
