"""Quality audits' forms, one module per area."""
