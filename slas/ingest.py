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
from slas import bulk
from slas.choices import Aggregation
from slas.models import MAX_DIGITS, Measurement, Metric
from slas.periods import local_today

MAX_ROWS = 10_000
COLUMNS = ("engagement", "metric", "service_line", "agent", "date", "value", "numerator", "denominator", "external_id")
KNOWN_COLUMNS = frozenset(COLUMNS)
REQUIRED = ("engagement", "metric", "date", "external_id")
QUANTUM = Decimal("0.0001")
LARGEST = Decimal(10) ** (MAX_DIGITS - 4) - 1
# SQLite keeps a decimal as a double, exact to 15 significant digits; PostgreSQL's numeric keeps all 18. Values
# both store exactly are the only ones accepted, so a resent row always reads back identical (a duplicate).
EXACT_DIGITS = 15
# Below this a value rounded to 4 decimals has at most EXACT_DIGITS digits, so counting them can be skipped.
ALWAYS_EXACT = Decimal(10) ** (EXACT_DIGITS - 4)
MAX_ERRORS = 1000
# No engagement measured anything before the portal's era: an earlier date is a feed's fault (a zero date, 1900-01-01).
EARLIEST_DATE = date(2000, 1, 1)
ONE = Decimal(1)


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


@dataclass(slots=True)  # no __dict__: a batch keeps up to 10,000 of these, and half the objects for the GC to visit
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


# Integers longer than this are read as decimals, so a 5,001-digit number is "too large" on its row and field
# instead of tripping Python's integer-conversion limit; no id or count is near it.
_LONGEST_INT = 30
CSV_FIELD_LIMIT = csv.field_size_limit()
NO_ROWS = "The batch has no rows: send at least one measurement."


def _read_int(text: str):
    return int(text) if len(text.lstrip("-")) <= _LONGEST_INT else Decimal(text)


def parse_json(raw: bytes | str) -> list[dict]:
    try:
        data = json.loads(raw, parse_int=_read_int)
    except RecursionError:
        row, field_name = _too_deep_at(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)
        message = "This value is nested too deeply: each row is a flat object of numbers and text."
        raise IngestRejected([{"row": row, "field": field_name, "message": message}]) from None
    except (ValueError, UnicodeDecodeError) as error:
        # JSONDecodeError says where; any other ValueError's text is Python's own, not the caller's business.
        reason = (
            f"{error.msg} (line {error.lineno}, column {error.colno})"
            if isinstance(error, json.JSONDecodeError)
            else ("it is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else "a value cannot be read")
        )
        raise IngestRejected(
            [{"row": None, "field": None, "message": f"The body is not valid JSON: {reason}."}]
        ) from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise IngestRejected(
            [{"row": None, "field": None, "message": "Send a JSON array of objects, one per measurement."}]
        )
    if not data:
        raise IngestRejected([{"row": None, "field": None, "message": NO_ROWS}], message=NO_ROWS)
    return data


def _too_deep_at(text: str, limit: int = 100) -> tuple[int | None, str | None]:
    """The row (1-based element of the top array) and field where nesting passes `limit`, found without recursion.
    Only run once json has given up, so an ordinary batch never pays for it."""
    depth, row, key, candidate, in_string, escaped, start = 0, 1, None, None, False, False, 0
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                candidate = text[start:index] if depth == 2 else candidate
            continue
        if char == '"':
            in_string, start = True, index + 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return (row if depth > 1 else None), key
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 1:
            row, key = row + 1, None
        elif char == ":" and depth == 2:
            key = candidate
    return None, None


class _Lines:
    """The file's lines as the csv module reads them, remembering the last one so an error can name its cell."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text))  # lines end at \n only, so a bare CR in a cell is an error
        self.last = ""

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.last = next(self._lines)
        return self.last


def _unreadable_cell(header: list[str], line: str) -> str | None:
    """The column of the cell the csv module choked on: the over-long one, or the one holding a bare CR."""
    cells = line.rstrip("\r\n").split(",")
    for index, cell in enumerate(cells):
        if len(cell) > CSV_FIELD_LIMIT or "\r" in cell:
            return header[index] if index < len(header) else None
    return None


def parse_csv(raw: bytes | str) -> list[dict]:
    """CSV with a header row naming the same columns as the JSON objects. Empty cells count as absent."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IngestRejected([{"row": None, "field": None, "message": "The file is not UTF-8 text."}]) from None
    lines = _Lines(raw)
    reader = csv.DictReader(lines)
    rows: list[dict] = []
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
        if not header:
            raise IngestRejected(
                [{"row": None, "field": None, "message": "The CSV file is empty: it needs a header row."}]
            )
        unknown = [name for name in header if name not in COLUMNS]
        missing = [name for name in REQUIRED if name not in header]
        problems = [{"row": None, "field": name, "message": f"Unknown column “{name}”."} for name in unknown]
        problems += [{"row": None, "field": name, "message": f"The header has no “{name}” column."} for name in missing]
        if problems:
            raise IngestRejected(problems)
        reader.fieldnames = header
        for record in reader:
            if None in record:
                rows.append({"__extra__": record.pop(None)})
                continue
            rows.append(
                {key: value.strip() for key, value in record.items() if value is not None and value.strip() != ""}
            )
    except csv.Error as error:
        row = len(rows) + 1 if reader.fieldnames else None
        field_name = _unreadable_cell(list(reader.fieldnames or []), lines.last)
        if "field larger" in str(error):
            message = f"A cell is longer than {CSV_FIELD_LIMIT:,} characters; no measurement needs that much."
        else:
            message = "A cell holds a line break (a bare carriage return): quote the cell or remove it."
        raise IngestRejected([{"row": row, "field": field_name, "message": message}]) from None
    if not rows:
        raise IngestRejected([{"row": None, "field": None, "message": NO_ROWS}], message=NO_ROWS)
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
            row = self._plain_row(number, record)
            if row is None:
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
        engagement_ids = self._ids("engagement")
        visible = engagements_for(self.user, "view").filter(pk__in=engagement_ids)
        self.engagements = {e.pk: e for e in visible.select_related("practice")}
        self.writable = set(
            engagements_for(self.user, "submit_measurements").filter(pk__in=engagement_ids).values_list("pk", flat=True)
        )
        self.today = {pk: local_today(e.practice.timezone) for pk, e in self.engagements.items()}
        self.metrics = {m.code: m for m in Metric.objects.filter(is_active=True)}
        self.lines = dict(ServiceLine.objects.values_list("code", "pk"))
        agent_ids = self._ids("agent")
        self.agents = dict(Agent.objects.filter(pk__in=agent_ids).values_list("pk", "provider_id"))
        # For _plain_row: the engagements this user may write to, and each distinct date and number read once.
        self.ready = {pk: e for pk, e in self.engagements.items() if pk in self.writable}
        self.days: dict[str, date | None] = {}
        self.numbers: dict[int | str, Decimal] = {}

    def _ids(self, name) -> set[int]:
        values = (record.get(name) for record in self.records)
        return {value if type(value) is int else self._int(value) for value in values} - {None}

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
        if len(self.errors) == before:
            self._in_range(n, record, metric, numerator, denominator)
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
        elif day < EARLIEST_DATE:
            self.error(
                n, "date", f"{day.isoformat()} is before {EARLIEST_DATE.isoformat()}, the earliest date accepted."
            )
        return day

    def _external_id(self, n, raw):
        if raw in (None, ""):
            return None
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            self.error(n, "external_id", "The external id must be text.")
            return None
        text = str(raw).strip()
        if not text:
            self.error(n, "external_id", "The external id cannot be blank: send the row's id in your system.")
        elif len(text) > 100:
            self.error(n, "external_id", "The external id can be at most 100 characters.")
        elif not text.isprintable():
            # Control characters (a NUL above all, which PostgreSQL refuses in text) are a feed's encoding fault.
            self.error(n, "external_id", "The external id contains control characters; send printable text only.")
        return text

    def _number(self, n, name, raw):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
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
        number = number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        if len(number.normalize().as_tuple().digits) > EXACT_DIGITS:
            self.error(
                n,
                name,
                f"{name} has more than {EXACT_DIGITS} significant digits (after rounding to 4 decimals); not every "
                f"database stores more exactly, so send it rounded to {EXACT_DIGITS}.",
            )
            return None
        return number

    def _in_range(self, n, record, metric, numerator, denominator):
        """One row's value within its metric's valid range (a mean's row: numerator / denominator)."""
        if metric.min_value is None and metric.max_value is None:
            return
        value = numerator / denominator if denominator else numerator
        field_name = "value" if record.get("value") not in (None, "") else "numerator"
        low, high = metric.min_value, metric.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                bounds = f"from {low.normalize():f} to {high.normalize():f}"
            else:
                bounds = f"{low.normalize():f} or more" if low is not None else f"at most {high.normalize():f}"
            shown = value.quantize(QUANTUM).normalize()
            self.error(n, field_name, f"{metric.name} is {bounds}; this row's value is {shown:f}.")

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

    # --- One pass for a row that is right, the common case ---

    def _plain_row(self, n: int, record: dict) -> Row | None:
        """The Row `_row` builds for a record it accepts, in one pass without naming problems. None whenever
        anything is unusual (a type, a missing cell, a value out of range), and `_row` then says what is wrong: so
        this never accepts a row `_row` would refuse, and never decides an error's wording."""
        if not record.keys() <= KNOWN_COLUMNS:
            return None
        engagement_id = self._plain_id(record.get("engagement"))
        engagement = self.ready.get(engagement_id)
        metric = self.metrics.get(record.get("metric")) if type(record.get("metric")) is str else None
        if engagement is None or metric is None:
            return None
        line_id = record.get("service_line")
        if line_id in (None, ""):
            line_id = None
        elif type(line_id) is not str or (line_id := self.lines.get(line_id)) is None:
            return None
        agent_id = record.get("agent")
        if agent_id in (None, ""):
            agent_id = None
        elif (agent_id := self._plain_id(agent_id)) is None or self.agents.get(agent_id) != engagement.provider_id:
            return None
        day = self._plain_date(record.get("date"))
        if day is None or day > self.today[engagement_id] or day < EARLIEST_DATE:
            return None
        external_id = record.get("external_id")
        if type(external_id) is not str and type(external_id) is not int:
            return None
        external_id = str(external_id).strip()
        if not external_id or len(external_id) > 100 or not external_id.isprintable():
            return None
        amounts = self._plain_amounts(record, metric)
        if amounts is None:
            return None
        return Row(n, engagement_id, metric, line_id, agent_id, day, *amounts, external_id)

    def _plain_id(self, raw) -> int | None:
        if type(raw) is int:
            return raw
        return self._int(raw) if type(raw) is str else None

    def _plain_date(self, raw) -> date | None:
        if type(raw) is not str:
            return None
        if raw not in self.days:
            try:
                self.days[raw] = date.fromisoformat(raw) if len(raw) == 10 else None
            except ValueError:
                self.days[raw] = None
        return self.days[raw]

    def _plain_amounts(self, record: dict, metric: Metric) -> tuple[Decimal, Decimal] | None:
        has_value = record.get("value") not in (None, "")
        has_numerator = record.get("numerator") not in (None, "")
        has_denominator = record.get("denominator") not in (None, "")
        if has_value:
            if has_numerator or has_denominator or metric.aggregation == Aggregation.RATIO:
                return None
            numerator, denominator = self._plain_number(record["value"]), ONE
        else:
            if not (has_numerator and has_denominator) or metric.aggregation == Aggregation.SUM:
                return None
            numerator, denominator = self._plain_number(record["numerator"]), self._plain_number(record["denominator"])
        if numerator is None or denominator is None or denominator == 0:
            return None
        if metric.is_ratio and numerator > denominator:
            return None
        low, high = metric.min_value, metric.max_value
        if low is not None or high is not None:
            value = numerator / denominator if denominator else numerator
            if (low is not None and value < low) or (high is not None and value > high):
                return None
        return numerator, denominator

    def _plain_number(self, raw) -> Decimal | None:
        """`_number`'s result for a value it accepts, None for one it refuses."""
        kind = type(raw)
        cached = kind is int or kind is str  # not floats: 0.0 and -0.0 are one key but not one Decimal
        if cached and raw in self.numbers:
            return self.numbers[raw]
        if not cached and kind is not float and kind is not Decimal:
            return None
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            return None
        if not number.is_finite() or number < 0 or number > LARGEST:
            return None
        number = number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        if number >= ALWAYS_EXACT and len(number.normalize().as_tuple().digits) > EXACT_DIGITS:
            return None
        if cached:
            self.numbers[raw] = number
        return number


# --- Classification against what is stored ---------------------------------------------------------------------------


def plan(rows: list[Row], *, allow_corrections: bool) -> Plan:
    """Split valid rows into new ones, duplicates and corrections; a changed row without corrections is an error."""
    result = Plan(rows=len(rows), engagement_ids={row.engagement_id for row in rows})
    by_engagement: dict[int, list[str]] = {}
    for row in rows:
        by_engagement.setdefault(row.engagement_id, []).append(row.external_id)
    stored = {(m.engagement_id, m.external_id): m for m in bulk.stored_measurements(by_engagement)}
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
