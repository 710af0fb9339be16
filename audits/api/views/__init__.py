"""The quality-audit API's viewsets, one module per area."""
