class DomainError(Exception):
    """A business rule refused an operation. The message is written for the person who asked for it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# PostgreSQL's "deadlock detected", "could not serialize access" and "lock not available": the request lost a race
# for a row lock and changed nothing (its transaction rolled back); sent again it goes through.
LOCK_CONFLICT_CODES = {"40P01", "40001", "55P03"}
LOCK_CONFLICT_MESSAGE = "Someone else was changing the same record at that moment; nothing was saved. Try again."


def is_lock_conflict(exc) -> bool:
    from django.db import OperationalError

    cause = getattr(exc, "__cause__", None)
    code = getattr(exc, "pgcode", None) or getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return isinstance(exc, OperationalError) and code in LOCK_CONFLICT_CODES
