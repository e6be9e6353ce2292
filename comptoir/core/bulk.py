"""Set-based writes of different values to many rows.

One `UPDATE … FROM (VALUES …)` per chunk, on SQLite (3.33+) and PostgreSQL alike; Django's
bulk_update builds a CASE per row, which costs quadratic time on thousands of rows.
"""

from django.db import connection

CHUNK = 2000


def update_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Write rows of (id, value of each column) into the model's table."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    # VALUES columns are named column1, column2… on both databases; column1 is the id.
    assignments = ", ".join(
        f"{quote(column)} = v.column{index}" for index, column in enumerate(columns, start=2)
    )
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                f"WHERE {table}.id = v.column1",
                [value for row in chunk for value in row],
            )
