"""Quality audits' filters, one module per area."""
