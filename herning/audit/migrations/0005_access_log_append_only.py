"""The access log is append-only in the database itself, not only in the code: on PostgreSQL a
trigger refuses every UPDATE and DELETE of ``audit_accesslog`` unless the transaction has set
``herning.purge`` to ``on`` (``herning.audit.services.access_log_deletable``, used by the nightly
purge and the erasure of a child). So a slip in code, a shell or a hand-written SQL statement by
the application's role cannot rewrite or remove who looked at a child. The quick start's SQLite
has no such trigger (a demo database), so this migration does nothing there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION herning_access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('herning.purge', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The access log is append-only: % on audit_accesslog is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the retention purge and the erasure of a child delete entries.';
END;
$$;
CREATE TRIGGER access_log_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION herning_access_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS access_log_append_only ON audit_accesslog;
DROP FUNCTION IF EXISTS herning_access_log_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_event_subject_and_municipality")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
