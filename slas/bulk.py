"""Writing many measurements at once: the one place that knows how rows reach the table fastest."""

from slas.models import Measurement


def insert_measurements(rows, batch) -> None:
    """Insert validated new rows (slas.ingest.Row) for `batch`. The caller holds the transaction."""
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
        batch_size=2000,
    )
