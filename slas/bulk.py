"""Writing many measurements at once: the one place that knows how rows reach the table fastest.

On PostgreSQL (psycopg2) the validated rows are streamed with one `COPY … FROM STDIN`: about ten times faster
than `bulk_create`'s multi-row INSERTs, because the server parses no SQL and binds no parameters. COPY checks
the same constraints as INSERT, so a row whose (engagement, external id) another request stored in the meantime
still fails the unique constraint and raises IntegrityError (the service answers 409). Other databases (the
embedded SQLite default) use `bulk_create`.

Looking a batch's external ids up (ingest's duplicate check) is one statement per hundred engagements on
PostgreSQL: `(engagement = %s AND external_id = ANY(%s)) OR …`, which the unique index answers in one bitmap scan,
instead of one ORM query per engagement (200 of them in a 10,000-row batch for 200 engagements: 4× slower).
"""

import io

from django.db import connection
from django.db.backends.postgresql.psycopg_any import is_psycopg3

from slas.models import Measurement

BULK_CREATE_BATCH = 2000
LOOKUP_CHUNK = 2000  # external ids per query on other databases (SQLite's bound on parameters)
LOOKUP_ENGAGEMENTS = 100  # engagements per lookup on PostgreSQL: planning a longer OR costs more than a second query
FIELDS = ("engagement", "metric", "service_line", "agent", "date", "numerator", "denominator", "external_id", "batch")
# COPY's text format: a backslash starts an escape, and tab and newline end a column and a row.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def insert_measurements(rows, batch) -> None:
    """Insert validated new rows (slas.ingest.Row) for `batch`. The caller holds the transaction."""
    if not rows:
        return
    if connection.vendor == "postgresql" and not is_psycopg3:  # psycopg 3's COPY API differs; it keeps bulk_create
        _copy(rows, batch)
    else:
        _bulk_create(rows, batch)


def stored_measurements(external_ids: dict[int, list[str]]):
    """The stored measurements among `external_ids` ({engagement id: [external id, …]}), in no particular order."""
    lookup = _stored_on_postgresql if connection.vendor == "postgresql" else _stored_by_orm
    return lookup(external_ids)


def _stored_by_orm(external_ids: dict[int, list[str]]):
    for engagement_id, ids in external_ids.items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            yield from Measurement.objects.filter(
                engagement_id=engagement_id, external_id__in=ids[start : start + LOOKUP_CHUNK]
            )


def _stored_on_postgresql(external_ids: dict[int, list[str]]):
    quote, meta = connection.ops.quote_name, Measurement._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    engagement, external_id = quote(meta.get_field("engagement").column), quote(meta.get_field("external_id").column)
    groups = list(external_ids.items())
    for start in range(0, len(groups), LOOKUP_ENGAGEMENTS):
        chunk = groups[start : start + LOOKUP_ENGAGEMENTS]
        wanted = " OR ".join([f"({engagement} = %s AND {external_id} = ANY(%s))"] * len(chunk))
        params = [value for engagement_id, ids in chunk for value in (engagement_id, list(ids))]
        yield from Measurement.objects.raw(f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {wanted}", params)


def _copy(rows, batch) -> None:
    buffer = io.StringIO()
    buffer.writelines(_copy_line(row, batch.pk) for row in rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Measurement._meta.get_field(name).column) for name in FIELDS)
    sql = f"COPY {quote(Measurement._meta.db_table)} ({columns}) FROM STDIN"
    # The cursor wrapper does not wrap copy_expert, so translate psycopg2's errors into Django's here: the
    # service catches django.db.IntegrityError.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(sql, buffer)


def _copy_line(row, batch_id: int) -> str:
    # One f-string a row: ids as written by str(), decimals in fixed notation (format "f", never an exponent).
    service_line = NULL if row.service_line_id is None else row.service_line_id
    agent = NULL if row.agent_id is None else row.agent_id
    external_id = row.external_id.translate(COPY_ESCAPES)
    return (
        f"{row.engagement_id}\t{row.metric.pk}\t{service_line}\t{agent}\t{row.date.isoformat()}\t"
        f"{row.numerator:f}\t{row.denominator:f}\t{external_id}\t{batch_id}\n"
    )


def _bulk_create(rows, batch) -> None:
    Measurement.objects.bulk_create(
        [
            Measurement(
                engagement_id=row.engagement_id,
                metric=row.metric,
                service_line_id=row.service_line_id,
                agent_id=row.agent_id,
                date=row.date,
                numerator=row.numerator,
                denominator=row.denominator,
                external_id=row.external_id,
                batch=batch,
            )
            for row in rows
        ],
        batch_size=BULK_CREATE_BATCH,
    )
