from django.db import models


class Aggregation(models.TextChoices):
    """How a metric's measurements add up over a period.

    Every measurement is stored as a numerator and a denominator (a plain value is value / 1), so a ratio is the
    sum of numerators over the sum of denominators — never a mean of daily ratios — and a mean is weighted by
    how many observations each row stands for.
    """

    MEAN = "mean", "Mean"
    RATIO = "ratio", "Ratio (sum of numerators / sum of denominators)"
    SUM = "sum", "Sum"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Grain(models.TextChoices):
    """The period a target is judged over, in the practice's own calendar."""

    DAY = "day", "Day"
    WEEK = "week", "ISO week (Monday to Sunday)"
    MONTH = "month", "Calendar month"


class KPIStatus(models.TextChoices):
    MET = "met", "Met"
    WARNING = "warning", "Warning"
    BREACH = "breach", "Breach"
    INSUFFICIENT = "insufficient", "Too few samples"


class Severity(models.TextChoices):
    WARNING = "warning", "Warning"
    BREACH = "breach", "Breach"


class BreachStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED_BY_DATA = "resolved_by_data", "Resolved by data"
    CLOSED = "closed", "Closed"


class RemediationStatus(models.TextChoices):
    """A plan's path: the provider submits it, the practice accepts or rejects it, the provider marks it done,
    and the practice closes it (which closes the breach)."""

    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DONE = "done", "Done, awaiting confirmation"
    CLOSED = "closed", "Closed"


class IngestSource(models.TextChoices):
    API = "api", "API"
    UPLOAD = "upload", "CSV upload"
    AUDIT = "audit", "Quality audit"  # submitted audits' scores, fed by the audits app
    BACKFILL = "backfill", "Backfill"
