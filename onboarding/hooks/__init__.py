"""What each area registers at app ready: stage gates, timeline sources, readiness columns, reminder sources,
navigation entries, webhook events (onboarding.gates, .timeline, .readiness; engagements.registries)."""
