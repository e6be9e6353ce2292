"""The database refuses to change, delete or empty a closing, whoever writes: a closing is
signed once and kept as it is (a changed one would fail its signature anyway; this keeps it
from being changed at all). PostgreSQL: migration 0002; SQLite: after each migrate
(core.triggers)."""

from comptoir.core.triggers import install_sqlite, refuse

POSTGRESQL = """
CREATE OR REPLACE FUNCTION closings_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a closing cannot be changed (%)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS closings_closing_immutable ON closings_closing;
CREATE TRIGGER closings_closing_immutable BEFORE UPDATE OR DELETE ON closings_closing
    FOR EACH ROW EXECUTE FUNCTION closings_refuse_change();
DROP TRIGGER IF EXISTS closings_closing_no_truncate ON closings_closing;
CREATE TRIGGER closings_closing_no_truncate BEFORE TRUNCATE ON closings_closing
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_truncate();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS closings_closing_no_truncate ON closings_closing;
DROP TRIGGER IF EXISTS closings_closing_immutable ON closings_closing;
DROP FUNCTION IF EXISTS closings_refuse_change();
"""

SQLITE = {
    "closings_closing_immutable_update": "BEFORE UPDATE ON closings_closing "
    + refuse("a closing cannot be changed (UPDATE)"),
    "closings_closing_immutable_delete": "BEFORE DELETE ON closings_closing "
    + refuse("a closing cannot be changed (DELETE)"),
}


def install(connection) -> None:
    if connection.vendor == "sqlite":
        install_sqlite(connection, SQLITE)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL)
