"""What a dishonest person with write access to the database can do: switch the database's own
guards off and change rows directly. The journal must still tell."""

from django.db import connection

GUARDED = ("billing_invoice", "billing_invoiceline", "core_journalentry", "core_sequence")


def tamper(*statements: tuple[str, list] | str) -> None:
    """Run SQL statements with the tables' triggers out of the way (and back after), inside the
    test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events on the tables
            for table in GUARDED:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                f"({', '.join('%s' for _ in GUARDED)})",
                list(GUARDED),
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        for statement in statements:
            sql, params = (statement, []) if isinstance(statement, str) else statement
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in GUARDED:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for _name, sql in triggers:
                cursor.execute(sql)
