"""Demo data of the interviews area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
