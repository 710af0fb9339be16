"""Demo data of the acknowledgements area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
