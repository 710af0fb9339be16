"""Onboarding of a provider's agents: vetting, training, acknowledgements, ramp plans (later issue)."""
