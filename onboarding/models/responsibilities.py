"""responsibilities: models of this area (see models/__init__.py)."""

__all__ = []
