class DomainError(Exception):
    """A business rule refused an operation. The message is written for the person who asked for it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
