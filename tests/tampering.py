"""What a dishonest person who owns the database can do: set its guards aside
(``core.triggers.lifted``) and change rows directly. The journal must still tell."""

from django.db import connection

from comptoir.core.triggers import lifted


def tamper(*statements: tuple[str, list] | str) -> None:
    """Run SQL statements with the database's triggers set aside, inside the test's
    transaction."""
    with lifted(connection), connection.cursor() as cursor:
        for statement in statements:
            sql, params = (statement, []) if isinstance(statement, str) else statement
            cursor.execute(sql, params)
