"""Demo data of provider compliance audits (filled in below)."""
