"""Rules the database keeps below the application: triggers refuse to change what the law
freezes (here the journal and the numbering, in billing issued invoices), whoever writes.

PostgreSQL's are PL/pgSQL functions, created by migrations. SQLite's are written from the
tables' columns as they are after every ``migrate`` and set aside before it: SQLite alters a
table by rebuilding it under a new name, which a trigger naming that table refuses (and a
rebuilt table has lost its own triggers). Each app names its SQLite installer in its
``AppConfig.sqlite_guards``.
"""

from contextlib import contextmanager

from django.apps import apps


# The journal is appended to, never changed, never emptied; a numbering sequence only moves
# forward (the journal is checked against it), and one that was used is kept.
def refuse(message: str) -> str:
    """The body of a SQLite trigger that refuses the statement, naming why."""
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


def no_truncate_postgresql(table: str) -> str:
    """PostgreSQL: ``table`` cannot be emptied at once (``core_refuse_truncate``)."""
    return f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_truncate();
"""


def written_once_postgresql(table: str, function: str, what: str) -> str:
    """PostgreSQL: the rows of ``table`` are written once, never changed, deleted nor emptied;
    ``what`` names them in the refusal (« ``what`` cannot be changed (UPDATE) »)."""
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} cannot be changed (%)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS {table}_immutable ON {table};
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
""" + no_truncate_postgresql(table)


def written_once_sqlite(table: str, what: str) -> dict[str, str]:
    """SQLite: the same rule as ``written_once_postgresql``, one trigger per statement kind."""
    return {
        f"{table}_immutable_{kind.lower()}": f"BEFORE {kind} ON {table} "
        + refuse(f"{what} cannot be changed ({kind})")
        for kind in ("UPDATE", "DELETE")
    }


# The journal is appended to, never changed, never emptied; a numbering sequence only moves
# forward (the journal is checked against it), and one that was used is kept.
POSTGRESQL = (
    """
CREATE OR REPLACE FUNCTION core_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % cannot be emptied', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
"""
    + written_once_postgresql("core_journalentry", "core_refuse_journal_change", "the journal")
    + """
CREATE OR REPLACE FUNCTION core_refuse_sequence_rewind() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.last_number > 0 THEN
            RAISE EXCEPTION 'numbering sequence %-% was used: it cannot be deleted',
                OLD.series, OLD.year USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.last_number < OLD.last_number OR NEW.series <> OLD.series OR NEW.year <> OLD.year
        OR NEW.prefix <> OLD.prefix OR NEW.last_date < OLD.last_date
        OR (NEW.last_date IS NULL AND OLD.last_date IS NOT NULL) THEN
        RAISE EXCEPTION 'numbering sequence %-% cannot be changed but forward',
            OLD.series, OLD.year USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS core_sequence_forward ON core_sequence;
CREATE TRIGGER core_sequence_forward BEFORE UPDATE OR DELETE ON core_sequence
    FOR EACH ROW EXECUTE FUNCTION core_refuse_sequence_rewind();
"""
    + no_truncate_postgresql("core_sequence")
)

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS core_sequence_no_truncate ON core_sequence;
DROP TRIGGER IF EXISTS core_sequence_forward ON core_sequence;
DROP FUNCTION IF EXISTS core_refuse_sequence_rewind();
DROP TRIGGER IF EXISTS core_journalentry_no_truncate ON core_journalentry;
DROP TRIGGER IF EXISTS core_journalentry_immutable ON core_journalentry;
DROP FUNCTION IF EXISTS core_refuse_journal_change();
DROP FUNCTION IF EXISTS core_refuse_truncate();
"""


SQLITE = {
    **written_once_sqlite("core_journalentry", "the journal"),
    "core_sequence_forward_update": "BEFORE UPDATE ON core_sequence WHEN "
    "NEW.last_number < OLD.last_number OR NEW.series IS NOT OLD.series "
    "OR NEW.year IS NOT OLD.year OR NEW.prefix IS NOT OLD.prefix "
    "OR (OLD.last_date IS NOT NULL AND (NEW.last_date IS NULL OR NEW.last_date < OLD.last_date)) "
    + refuse("a numbering sequence cannot be changed but forward"),
    "core_sequence_kept_delete": "BEFORE DELETE ON core_sequence WHEN OLD.last_number > 0 "
    + refuse("a numbering sequence that was used cannot be deleted"),
}


def changed(connection, table: str, *, but=()) -> str:
    """SQL: true when a row's new values differ from its old ones in a column but these."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    return " OR ".join(
        f"NEW.{quote(c)} IS NOT OLD.{quote(c)}" for c in columns if c not in set(but)
    )


def install_sqlite(connection, triggers: dict[str, str]) -> None:
    """(Re)create SQLite triggers, given as name → what follows ``CREATE TRIGGER name``."""
    with connection.cursor() as cursor:
        for name, definition in triggers.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"CREATE TRIGGER {name} {definition}")


def drop_sqlite(connection, triggers) -> None:
    with connection.cursor() as cursor:
        for name in triggers:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install(connection) -> None:
    if connection.vendor == "sqlite":
        install_sqlite(connection, SQLITE)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL)


def set_aside_before_migrate(sender, using="default", **kwargs) -> None:
    """SQLite: no guard while migrations rebuild tables (``migrate`` makes them again)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            drop_sqlite(connection, [name for (name,) in cursor.fetchall()])


def reinstall_after_migrate(sender, using="default", **kwargs) -> None:
    """SQLite: every app's guards, written on the tables as migrations left them."""
    from django.db import connections
    from django.utils.module_loading import import_string

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    for config in apps.get_app_configs():
        path = getattr(config, "sqlite_guards", None)
        if path:
            import_string(path)(connection)


@contextmanager
def lifted(connection):
    """The triggers set aside meanwhile, as the database's owner can set them aside: to empty
    every table at once (``flush``), or to play the tamperer in a test."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for name, sql in triggers:  # flush's post-migrate step may have made them
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(sql)
        return
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
        tables = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
        # A table is altered only once the checks its transaction deferred have run.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
