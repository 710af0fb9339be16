"""Quality audits' tables, one module per area."""
