"""Demo data of the training area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
