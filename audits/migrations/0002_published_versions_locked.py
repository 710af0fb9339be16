"""A published scorecard version never changes, in the database itself — not only in the services.

Triggers (SQLite and PostgreSQL) refuse any UPDATE of a published version, and any INSERT or UPDATE of the
sections and criteria of one; an audit can only be scored on a published version and never moves to another.
Deleting what audits use is refused by the foreign keys themselves (audit → version, rating → criterion, with
no ON DELETE action), which also lets a test database's flush (DELETE FROM each table on SQLite, TRUNCATE on
PostgreSQL) empty the tables.
"""

from django.db import migrations

MESSAGE = "A published scorecard version cannot change; start a new draft from it."
AUDIT_MESSAGE = "An audit is scored on a published scorecard version and keeps it."

SQLITE = [
    f"""CREATE TRIGGER audits_version_locked BEFORE UPDATE ON audits_scorecardversion
    FOR EACH ROW WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audits_section_locked_insert BEFORE INSERT ON audits_section
    FOR EACH ROW WHEN (SELECT status FROM audits_scorecardversion WHERE id = NEW.version_id) = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audits_section_locked_update BEFORE UPDATE ON audits_section
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audits_scorecardversion
        WHERE status = 'published' AND id IN (OLD.version_id, NEW.version_id))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audits_criterion_locked_insert BEFORE INSERT ON audits_criterion
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audits_section s JOIN audits_scorecardversion v ON v.id = s.version_id
        WHERE s.id = NEW.section_id AND v.status = 'published')
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audits_criterion_locked_update BEFORE UPDATE ON audits_criterion
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audits_section s JOIN audits_scorecardversion v ON v.id = s.version_id
        WHERE s.id IN (OLD.section_id, NEW.section_id) AND v.status = 'published')
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audits_audit_needs_published_version BEFORE INSERT ON audits_qualityaudit
    FOR EACH ROW WHEN (SELECT status FROM audits_scorecardversion WHERE id = NEW.version_id) IS NOT 'published'
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
    f"""CREATE TRIGGER audits_audit_keeps_its_version BEFORE UPDATE OF version_id ON audits_qualityaudit
    FOR EACH ROW WHEN NEW.version_id <> OLD.version_id
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audits_version_locked",
    "DROP TRIGGER IF EXISTS audits_section_locked_insert",
    "DROP TRIGGER IF EXISTS audits_section_locked_update",
    "DROP TRIGGER IF EXISTS audits_criterion_locked_insert",
    "DROP TRIGGER IF EXISTS audits_criterion_locked_update",
    "DROP TRIGGER IF EXISTS audits_audit_needs_published_version",
    "DROP TRIGGER IF EXISTS audits_audit_keeps_its_version",
]

# ERRCODE 23000 (integrity_constraint_violation): Django raises IntegrityError, as SQLite's RAISE(ABORT) gives.
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION audits_refuse_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23000'; END $$""",
    """CREATE TRIGGER audits_version_locked BEFORE UPDATE ON audits_scorecardversion
    FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION audits_refuse_locked()""",
    f"""CREATE OR REPLACE FUNCTION audits_section_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM audits_scorecardversion WHERE status = 'published'
                 AND (id = NEW.version_id OR (TG_OP = 'UPDATE' AND id = OLD.version_id))) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23000';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER audits_section_locked BEFORE INSERT OR UPDATE ON audits_section
    FOR EACH ROW EXECUTE FUNCTION audits_section_locked()""",
    f"""CREATE OR REPLACE FUNCTION audits_criterion_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM audits_section s JOIN audits_scorecardversion v ON v.id = s.version_id
                 WHERE v.status = 'published'
                 AND (s.id = NEW.section_id OR (TG_OP = 'UPDATE' AND s.id = OLD.section_id))) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23000';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER audits_criterion_locked BEFORE INSERT OR UPDATE ON audits_criterion
    FOR EACH ROW EXECUTE FUNCTION audits_criterion_locked()""",
    f"""CREATE OR REPLACE FUNCTION audits_audit_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (TG_OP = 'UPDATE' AND NEW.version_id <> OLD.version_id) OR NOT EXISTS (
          SELECT 1 FROM audits_scorecardversion WHERE id = NEW.version_id AND status = 'published') THEN
        RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = '23000';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER audits_audit_version BEFORE INSERT OR UPDATE OF version_id ON audits_qualityaudit
    FOR EACH ROW EXECUTE FUNCTION audits_audit_version()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audits_audit_version ON audits_qualityaudit",
    "DROP TRIGGER IF EXISTS audits_criterion_locked ON audits_criterion",
    "DROP TRIGGER IF EXISTS audits_section_locked ON audits_section",
    "DROP TRIGGER IF EXISTS audits_version_locked ON audits_scorecardversion",
    "DROP FUNCTION IF EXISTS audits_audit_version()",
    "DROP FUNCTION IF EXISTS audits_criterion_locked()",
    "DROP FUNCTION IF EXISTS audits_section_locked()",
    "DROP FUNCTION IF EXISTS audits_refuse_locked()",
]


def run(statements: dict):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"Scorecard version locks have no triggers for {vendor}; add them here.")
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
