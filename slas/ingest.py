"""Measurement ingestion: parse, validate every row by column, then write all of it or none of it.

The same path serves the API (JSON or CSV) and the UI's CSV upload. A batch with one bad row is rejected whole
with a list of {row, field, message}; nothing is written. A row whose external id is already stored with the
same content is a duplicate and creates nothing; with different content it is a conflict, or a correction when
the caller asks for corrections.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from bpo_portal.errors import DomainError
from engagements.access import engagements_for
from engagements.models import Agent, ServiceLine
from slas.choices import Aggregation
from slas.models import MAX_DIGITS, Measurement, Metric
from slas.periods import local_today

MAX_ROWS = 10_000
COLUMNS = ("engagement", "metric", "service_line", "agent", "date", "value", "numerator", "denominator", "external_id")
REQUIRED = ("engagement", "metric", "date", "external_id")
QUANTUM = Decimal("0.0001")
LARGEST = Decimal(10) ** (MAX_DIGITS - 4) - 1
MAX_ERRORS = 1000


class IngestRejected(DomainError):
    """The batch broke a rule; `errors` lists every {row, field, message} found."""

    def __init__(self, errors: list[dict], message: str | None = None):
        shown = errors[:MAX_ERRORS]
        super().__init__(message or f"The batch was rejected: {len(errors)} problem(s) found. Nothing was saved.")
        self.errors = shown
        self.total_errors = len(errors)


class TooManyRows(DomainError):
    pass


class IngestConflict(DomainError):
    """Another request stored some of the same external ids while this one was being saved."""


@dataclass
class Row:
    number: int
    engagement_id: int
    metric: Metric
    service_line_id: int | None
    agent_id: int | None
    date: date
    numerator: Decimal
    denominator: Decimal
    external_id: str

    def content(self) -> tuple:
        return (self.metric.pk, self.service_line_id, self.agent_id, self.date, self.numerator, self.denominator)


@dataclass
class Plan:
    """What a valid batch will do: rows to create, stored measurements to correct, duplicates to skip."""

    new: list[Row] = field(default_factory=list)
    corrections: list[tuple[Measurement, Row]] = field(default_factory=list)
    duplicates: int = 0
    rows: int = 0
    engagement_ids: set[int] = field(default_factory=set)


# --- Parsing ---------------------------------------------------------------------------------------------------------


def parse_json(raw: bytes | str) -> list[dict]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise IngestRejected(
            [{"row": None, "field": None, "message": f"The body is not valid JSON: {error}"}]
        ) from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise IngestRejected(
            [{"row": None, "field": None, "message": "Send a JSON array of objects, one per measurement."}]
        )
    return data


def parse_csv(raw: bytes | str) -> list[dict]:
    """CSV with a header row naming the same columns as the JSON objects. Empty cells count as absent."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IngestRejected([{"row": None, "field": None, "message": "The file is not UTF-8 text."}]) from None
    reader = csv.DictReader(io.StringIO(raw))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise IngestRejected([{"row": None, "field": None, "message": "The CSV file is empty: it needs a header row."}])
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    problems = [{"row": None, "field": name, "message": f"Unknown column “{name}”."} for name in unknown]
    problems += [{"row": None, "field": name, "message": f"The header has no “{name}” column."} for name in missing]
    if problems:
        raise IngestRejected(problems)
    reader.fieldnames = header
    rows = []
    for record in reader:
        if None in record:
            rows.append({"__extra__": record.pop(None)})
            continue
        rows.append({key: value.strip() for key, value in record.items() if value is not None and value.strip() != ""})
    return rows


def check_size(count: int) -> None:
    if count > MAX_ROWS:
        raise TooManyRows(f"A batch may hold at most {MAX_ROWS:,} rows; this one has {count:,}. Split it and resend.")


# --- Validation ------------------------------------------------------------------------------------------------------


class Validator:
    """Validates a batch against the database with a fixed number of queries, whatever its size."""

    def __init__(self, records: list[dict], user):
        self.records = records
        self.user = user
        self.errors: list[dict] = []

    def error(self, number, field_name, message, code="invalid"):
        self.errors.append({"row": number, "field": field_name, "code": code, "message": message})

    def run(self) -> list[Row]:
        self._load_references()
        rows = []
        seen: dict[tuple[int, str], int] = {}
        for number, record in enumerate(self.records, start=1):
            row = self._row(number, record)
            if row is None:
                continue
            key = (row.engagement_id, row.external_id)
            if key in seen:
                self.error(
                    number, "external_id", f"External id “{row.external_id}” is also on row {seen[key]}.", "duplicate"
                )
                continue
            seen[key] = number
            rows.append(row)
        if self.errors:
            raise IngestRejected(self.errors)
        return rows

    def _load_references(self):
        engagement_ids = {self._int(r.get("engagement")) for r in self.records} - {None}
        visible = engagements_for(self.user, "view").filter(pk__in=engagement_ids)
        self.engagements = {e.pk: e for e in visible.select_related("practice")}
        self.writable = set(
            engagements_for(self.user, "submit_measurements").filter(pk__in=engagement_ids).values_list("pk", flat=True)
        )
        self.today = {pk: local_today(e.practice.timezone) for pk, e in self.engagements.items()}
        self.metrics = {m.code: m for m in Metric.objects.filter(is_active=True)}
        self.lines = dict(ServiceLine.objects.values_list("code", "pk"))
        agent_ids = {self._int(r.get("agent")) for r in self.records} - {None}
        self.agents = dict(Agent.objects.filter(pk__in=agent_ids).values_list("pk", "provider_id"))

    @staticmethod
    def _int(value):
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return None

    def _row(self, n: int, record: dict) -> Row | None:
        before = len(self.errors)
        if "__extra__" in record:
            self.error(n, None, "This row has more cells than the header has columns.")
            return None
        for name in record:
            if name not in COLUMNS:
                self.error(n, name, f"Unknown field “{name}”.", "unknown_field")
        for name in REQUIRED:
            if record.get(name) in (None, ""):
                self.error(n, name, "This field is required.", "required")
        engagement = self._engagement(n, record.get("engagement"))
        metric = self._metric(n, record.get("metric"))
        line_id = self._service_line(n, record.get("service_line"))
        agent_id = self._agent(n, record.get("agent"), engagement)
        day = self._date(n, record.get("date"), engagement)
        external_id = self._external_id(n, record.get("external_id"))
        numerator, denominator = self._amounts(n, record, metric)
        if len(self.errors) > before:
            return None
        return Row(n, engagement.pk, metric, line_id, agent_id, day, numerator, denominator, external_id)

    def _engagement(self, n, raw):
        if raw in (None, ""):
            return None
        pk = self._int(raw)
        engagement = self.engagements.get(pk)
        if engagement is None:  # unknown and out of sight read the same: nobody learns another tenant's ids
            self.error(n, "engagement", f"No engagement with id {raw!s:.20}.", "does_not_exist")
            return None
        if pk not in self.writable:
            self.error(n, "engagement", f"You cannot submit measurements to engagement {pk}.", "forbidden")
            return None
        return engagement

    def _metric(self, n, raw):
        if raw in (None, ""):
            return None
        metric = self.metrics.get(str(raw))
        if metric is None:
            self.error(n, "metric", f"Unknown metric “{raw!s:.50}”. GET /api/v1/metrics/ lists the codes.")
        return metric

    def _service_line(self, n, raw):
        if raw in (None, ""):
            return None
        pk = self.lines.get(str(raw))
        if pk is None:
            self.error(n, "service_line", f"Unknown service line “{raw!s:.50}”. GET /api/v1/service-lines/ lists them.")
        return pk

    def _agent(self, n, raw, engagement):
        if raw in (None, ""):
            return None
        pk = self._int(raw)
        if pk is None:
            self.error(n, "agent", "The agent must be an agent id (a whole number).")
            return None
        if engagement is not None and self.agents.get(pk) != engagement.provider_id:
            self.error(n, "agent", f"No agent with id {pk} works for this engagement's provider.")
        return pk

    def _date(self, n, raw, engagement):
        if raw in (None, ""):
            return None
        try:
            day = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
        except ValueError:
            day = None
        if day is None:
            self.error(n, "date", f"“{raw!s:.30}” is not a date in the form YYYY-MM-DD.")
            return None
        if engagement is not None and day > self.today[engagement.pk]:
            self.error(n, "date", f"{day.isoformat()} is in the future for the practice.")
        return day

    def _external_id(self, n, raw):
        if raw in (None, ""):
            return None
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            self.error(n, "external_id", "The external id must be text.")
            return None
        text = str(raw).strip()
        if len(text) > 100:
            self.error(n, "external_id", "The external id can be at most 100 characters.")
        elif not text.isprintable():
            # Control characters (a NUL above all, which PostgreSQL refuses in text) are a feed's encoding fault.
            self.error(n, "external_id", "The external id contains control characters; send printable text only.")
        return text

    def _number(self, n, name, raw):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.error(n, name, f"{name} must be a number.")
            return None
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(n, name, f"“{raw!s:.30}” is not a number.")
            return None
        if number < 0:
            self.error(n, name, f"{name} cannot be negative.")
            return None
        if number > LARGEST:
            self.error(n, name, f"{name} is too large.")
            return None
        return number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)

    def _amounts(self, n, record, metric):
        has_value = record.get("value") not in (None, "")
        has_parts = any(record.get(k) not in (None, "") for k in ("numerator", "denominator"))
        if has_value and has_parts:
            self.error(n, "value", "Send either value, or numerator and denominator — not both.")
            return None, None
        if not has_value and not has_parts:
            self.error(n, "value", "Send a value, or a numerator and a denominator.")
            return None, None
        if has_value:
            if metric is not None and metric.aggregation == Aggregation.RATIO:
                self.error(
                    n, "value", f"{metric.code} is a ratio: send numerator and denominator so periods add up right."
                )
                return None, None
            return self._number(n, "value", record["value"]), Decimal(1)
        if metric is not None and metric.aggregation == Aggregation.SUM:
            self.error(n, "numerator", f"{metric.code} is a count: send it as a value.")
            return None, None
        for name in ("numerator", "denominator"):
            if record.get(name) in (None, ""):
                self.error(
                    n, name, f"A {name} is needed with the {'denominator' if name == 'numerator' else 'numerator'}."
                )
        if record.get("numerator") in (None, "") or record.get("denominator") in (None, ""):
            return None, None
        numerator = self._number(n, "numerator", record["numerator"])
        denominator = self._number(n, "denominator", record["denominator"])
        if denominator is not None and denominator == 0:
            self.error(n, "denominator", "The denominator cannot be 0.")
        elif (
            metric is not None and metric.is_ratio and None not in (numerator, denominator) and numerator > denominator
        ):
            self.error(n, "numerator", "For a ratio the numerator cannot exceed the denominator.")
        return numerator, denominator


# --- Classification against what is stored ---------------------------------------------------------------------------


def plan(rows: list[Row], *, allow_corrections: bool) -> Plan:
    """Split valid rows into new ones, duplicates and corrections; a changed row without corrections is an error."""
    result = Plan(rows=len(rows), engagement_ids={row.engagement_id for row in rows})
    stored = {}
    by_engagement: dict[int, list[str]] = {}
    for row in rows:
        by_engagement.setdefault(row.engagement_id, []).append(row.external_id)
    for engagement_id, external_ids in by_engagement.items():
        for start in range(0, len(external_ids), 2000):
            chunk = external_ids[start : start + 2000]
            for measurement in Measurement.objects.filter(engagement_id=engagement_id, external_id__in=chunk):
                stored[(engagement_id, measurement.external_id)] = measurement
    errors = []
    for row in rows:
        measurement = stored.get((row.engagement_id, row.external_id))
        if measurement is None:
            result.new.append(row)
        elif _content(measurement) == row.content():
            result.duplicates += 1
        elif allow_corrections:
            result.corrections.append((measurement, row))
        else:
            errors.append(
                {
                    "row": row.number,
                    "field": "external_id",
                    "code": "changed",
                    "message": f"External id “{row.external_id}” was already ingested with different content. "
                    "Resend with corrections allowed to replace it.",
                }
            )
    if errors:
        raise IngestRejected(errors)
    return result


def _content(measurement: Measurement) -> tuple:
    return (
        measurement.metric_id,
        measurement.service_line_id,
        measurement.agent_id,
        measurement.date,
        measurement.numerator.quantize(QUANTUM),
        measurement.denominator.quantize(QUANTUM),
    )


__all__ = [
    "MAX_ROWS",
    "IngestConflict",
    "IngestRejected",
    "TooManyRows",
    "Validator",
    "check_size",
    "parse_csv",
    "parse_json",
    "plan",
]
