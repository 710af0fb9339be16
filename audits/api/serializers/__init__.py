"""The quality-audit API's serializers, one module per area."""
