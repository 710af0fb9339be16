"""Demo data of the responsibilities area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
