"""Patient data stays out: an interaction is named by its id in a system, never by who the patient is."""

import re

from django.core.exceptions import ValidationError

# What a patient identifier looks like, with the reason a person reads when the value is refused.
PATIENT_PATTERNS = (
    (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an e-mail address"),
    (re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b"), "a US Social Security number"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})\b|\b(19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}\b"), "a date"),
    (
        re.compile(r"(\+\d{10,15}\b)|(\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b)|(\(\d{3}\)\s?\d{3}[\s.-]?\d{4})"),
        "a phone number",
    ),
)


def patient_identifier_in(value: str) -> str | None:
    """What patient identifier `value` looks like (e.g. "an e-mail address"), or None."""
    for pattern, what in PATIENT_PATTERNS:
        if pattern.search(value or ""):
            return what
    return None


def validate_interaction_ref(value: str) -> None:
    what = patient_identifier_in(value)
    if what == "a date":
        what = "a date of birth"
    if what:
        raise ValidationError(
            f"This looks like {what}. Enter the interaction's id in your system (a call, ticket or claim number), "
            "never a patient's details.",
            code="patient_data",
        )
    if not value.isprintable():
        raise ValidationError("Use printable characters only.", code="invalid")
