"""Measurement days: the measurements summed per engagement, metric, service line and day, kept by triggers.

The rollups read a period's days from slas_measurementday instead of its measurements (at 50 agents a cell,
31 rows a month instead of about 1,550). The triggers keep it in the same statement as each change, whatever made
it: the ingest, a correction, the backfill, a COPY, retention or a cascade.

- PostgreSQL: one trigger per statement and event, with transition tables, so a 10,000-row insert or a COPY adds
  its rows grouped by day in one upsert; a day whose last measurement goes is deleted.
- SQLite (the embedded default): the same per row.
"""

from django.db import migrations, models


_KEY = "engagement_id, metric_id, COALESCE(service_line_id, 0), date"
# The change a statement made, grouped by day: its new rows added, its old rows taken away. Taken in key order, so
# concurrent ingests lock the day rows in the same order and cannot deadlock.
_UPSERT = """
    INSERT INTO slas_measurementday AS d (engagement_id, metric_id, line, date, numerator, denominator, row_count)
    SELECT engagement_id, metric_id, line, date, sum(numerator), sum(denominator), sum(row_count)
    FROM ({changes}) AS c(engagement_id, metric_id, line, date, numerator, denominator, row_count)
    GROUP BY engagement_id, metric_id, line, date
    HAVING sum(row_count) <> 0 OR sum(numerator) <> 0 OR sum(denominator) <> 0
    ORDER BY engagement_id, metric_id, date, line
    ON CONFLICT (engagement_id, metric_id, date, line) DO UPDATE SET
        numerator = d.numerator + EXCLUDED.numerator, denominator = d.denominator + EXCLUDED.denominator,
        row_count = d.row_count + EXCLUDED.row_count;
"""
_ADDED = f"SELECT {_KEY}, numerator, denominator, 1 FROM new_rows"
_TAKEN = f"SELECT {_KEY}, -numerator, -denominator, -1 FROM old_rows"
_EMPTIED = f"""
    DELETE FROM slas_measurementday d USING (SELECT DISTINCT {_KEY} FROM old_rows) AS o(e, m, l, day)
    WHERE d.engagement_id = o.e AND d.metric_id = o.m AND d.line = o.l AND d.date = o.day AND d.row_count <= 0;
"""

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION slas_measurement_days() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        {_UPSERT.format(changes=_ADDED)}
      ELSIF TG_OP = 'DELETE' THEN
        {_UPSERT.format(changes=_TAKEN)}
        {_EMPTIED}
      ELSIF TG_OP = 'UPDATE' THEN
        {_UPSERT.format(changes=_ADDED + " UNION ALL " + _TAKEN)}
        {_EMPTIED}
      ELSE  -- TRUNCATE; a DELETE, because the truncated table's TRUNCATE may still hold this one open
        DELETE FROM slas_measurementday;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER slas_measurement_days_insert AFTER INSERT ON slas_measurement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slas_measurement_days()""",
    """CREATE TRIGGER slas_measurement_days_delete AFTER DELETE ON slas_measurement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION slas_measurement_days()""",
    """CREATE TRIGGER slas_measurement_days_update AFTER UPDATE ON slas_measurement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION slas_measurement_days()""",
    """CREATE TRIGGER slas_measurement_days_truncate AFTER TRUNCATE ON slas_measurement
    FOR EACH STATEMENT EXECUTE FUNCTION slas_measurement_days()""",
]
POSTGRESQL_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS slas_measurement_days_{event} ON slas_measurement"
        for event in ("insert", "delete", "update", "truncate")
    ),
    "DROP FUNCTION IF EXISTS slas_measurement_days()",
]

_SQLITE_ADD = """
    INSERT INTO slas_measurementday (engagement_id, metric_id, line, date, numerator, denominator, row_count)
    VALUES (NEW.engagement_id, NEW.metric_id, COALESCE(NEW.service_line_id, 0), NEW.date, NEW.numerator,
            NEW.denominator, 1)
    ON CONFLICT (engagement_id, metric_id, date, line) DO UPDATE SET
        numerator = numerator + excluded.numerator, denominator = denominator + excluded.denominator,
        row_count = row_count + 1;
"""
_SQLITE_DAY = (
    "engagement_id = OLD.engagement_id AND metric_id = OLD.metric_id AND line = COALESCE(OLD.service_line_id, 0) "
    "AND date = OLD.date"
)
_SQLITE_TAKE = f"""
    UPDATE slas_measurementday SET numerator = numerator - OLD.numerator, denominator = denominator - OLD.denominator,
        row_count = row_count - 1 WHERE {_SQLITE_DAY};
    DELETE FROM slas_measurementday WHERE {_SQLITE_DAY} AND row_count <= 0;
"""
SQLITE = [
    f"CREATE TRIGGER slas_measurement_days_insert AFTER INSERT ON slas_measurement FOR EACH ROW BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER slas_measurement_days_delete AFTER DELETE ON slas_measurement FOR EACH ROW BEGIN {_SQLITE_TAKE} END",
    f"""CREATE TRIGGER slas_measurement_days_update
    AFTER UPDATE OF engagement_id, metric_id, service_line_id, date, numerator, denominator ON slas_measurement
    FOR EACH ROW BEGIN {_SQLITE_TAKE} {_SQLITE_ADD} END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS slas_measurement_days_{event}" for event in ("insert", "delete", "update")]

# The days of the measurements already stored (the same SQL on both databases).
FILL = f"""
    INSERT INTO slas_measurementday (engagement_id, metric_id, line, date, numerator, denominator, row_count)
    SELECT {_KEY}, sum(numerator), sum(denominator), count(*) FROM slas_measurement GROUP BY {_KEY}
"""


def run(statements: dict, fill: bool = False):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"Measurement days have no triggers for {vendor}; add them here.")
        if fill:
            schema_editor.execute(FILL)
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0021_onboarding_reminder_kinds"),
        ("slas", "0010_backfill_source_and_agent_date_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="MeasurementDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("engagement_id", models.BigIntegerField()),
                ("metric_id", models.BigIntegerField()),
                ("line", models.BigIntegerField(help_text="The service line's id, or 0 for measurements without one.")),
                ("date", models.DateField()),
                ("numerator", models.DecimalField(decimal_places=4, max_digits=30)),
                ("denominator", models.DecimalField(decimal_places=4, max_digits=30)),
                ("row_count", models.BigIntegerField(help_text="How many measurements the sums hold.")),
            ],
        ),
        migrations.RemoveIndex(
            model_name="measurement",
            name="measurement_agent_date_idx",
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(
                fields=["agent", "metric", "date"],
                include=("engagement", "numerator", "denominator"),
                name="measurement_agent_date_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="measurementday",
            constraint=models.UniqueConstraint(
                fields=("engagement_id", "metric_id", "date", "line"), name="slas_measurementday_unique_day"
            ),
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}, fill=True),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
