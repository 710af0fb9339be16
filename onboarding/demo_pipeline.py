"""Demo data of the pipeline area (see onboarding/demo.py)."""


def seed(context: dict) -> None:
    pass
