"""What the vetting area registers at app ready (see onboarding/hooks/__init__.py)."""


def register():
    pass
