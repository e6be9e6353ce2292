"""Set-based writes of many rows.

Updates: one `UPDATE … FROM (VALUES …)` per chunk on SQLite (3.33+), one `UPDATE … FROM
unnest(arrays)` on PostgreSQL; Django's bulk_update builds a CASE per row, which costs
quadratic time on thousands of rows. Inserts: multi-row INSERTs on SQLite, COPY on
PostgreSQL (its driver would otherwise spend longer rewriting thousands of placeholders
than the server spends inserting), sent by a helper thread inside ``copies_in_background``.
"""

import contextlib
import datetime as dt
import functools
import gc
import json
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.db.models import JSONField
from django.db.models.base import ModelState

from comptoir.core.jsontext import dumps

CHUNK = 2000


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector during a bulk job.

    A job that builds and drops hundreds of thousands of objects (an import's rows, lines and
    documents) triggers a collection every few hundred allocations, and each full collection
    walks every live object again: at 100,000 lines this cost a quarter of the processing time.
    Objects still go as soon as nothing refers to them; the job calls ``collect_young`` between
    its chunks to free the reference cycles they left.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def collect_young() -> None:
    """Free the cycles left by a chunk's objects (the young generations only)."""
    gc.collect(1)


def update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Write rows of (id, value of each field) into the model's table.

    Values are prepared as Django saves them (dates, aware datetimes, foreign keys by id).
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    model_fields = [model._meta.get_field(name) for name in fields]
    # VALUES columns are named column1, column2… on both databases; column1 is the id.
    # PostgreSQL types a VALUES column from its values (text when they are NULL): cast it.
    cast = connection.vendor == "postgresql"
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{index}"
        + (f"::{field.cast_db_type(connection)}" if cast else "")
        for index, field in enumerate(model_fields, start=2)
    )
    prepare = [_preparer(f) for f in model_fields]
    rows = [
        (row[0], *(prep(value) for prep, value in zip(prepare, row[1:], strict=True)))
        for row in rows
    ]
    if cast:
        _update_from_arrays(table, model_fields, rows)
        return
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                f"WHERE {table}.id = v.column1",
                [value for row in chunk for value in row],
            )


def _update_from_arrays(table: str, model_fields, rows: list[tuple]) -> None:
    """PostgreSQL: one array per column, whatever the number of rows (a handful of params)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    types = ["bigint", *(f.cast_db_type(connection) for f in model_fields)]
    names = [f"c{index}" for index in range(len(types))]
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{name}"
        for field, name in zip(model_fields, names[1:], strict=True)
    )
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) "
            f"WHERE {table}.id = v.c0",
            columns,
        )


def _copy_rows(model, fields: list[str], rows: list[tuple], returning: bool) -> list:
    """PostgreSQL: COPY the rows (in the background inside ``copies_in_background``); with
    ``returning``, their ids are taken from the table's sequence first, in order."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    ids: list = []
    if returning:
        pk = model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        columns = [pk, *columns]
        rows = [(pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)]
    copy = _copy(table, columns, rows)
    copier = _copier()
    if copier is not None:
        copier.send(copy)
    else:
        copy()
    return ids


def _copy(table: str, columns: list[str], rows: Iterable[tuple]):
    """A function COPYing the rows into the table and answering how many. It uses the driver's
    connection itself, so that a helper thread may run it; its errors are Django's."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    raw, errors = connection.connection, connection.wrap_database_errors

    def copy() -> int:
        count = 0
        with errors, raw.cursor() as cursor, cursor.copy(sql) as copying:
            for row in rows:
                copying.write_row(row)
                count += 1
        return count

    return copy


_copies = threading.local()


def _copier():
    """The helper sending this thread's COPYs, inside ``copies_in_background``."""
    return getattr(_copies, "copier", None)


class _Copier:
    """One COPY at a time in a helper thread; any other use of the connection waits for it
    and meets its error, if it failed."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        self.pending = None

    def send(self, copy) -> None:
        self.wait()
        self.pending = self.pool.submit(copy)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def before_query(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)

    def close(self) -> None:
        if self.pending is not None:
            self.pending.exception()  # the block's own error goes on; the connection is free
        self.pool.shutdown()


@contextlib.contextmanager
def copies_in_background():
    """PostgreSQL: the block's COPYs are sent by a helper thread, so that Python works out
    what comes next while the server stores the rows (half the time of a large COPY is the
    server's). The block's next query or COPY, and its end, wait for the COPY in flight and
    raise its error there: use it inside the transaction, which then rolls back as usual.
    Elsewhere, and inside another such block, it changes nothing."""
    if connection.vendor != "postgresql" or _copier() is not None:
        yield
        return
    copier = _copies.copier = _Copier()
    try:
        with connection.execute_wrapper(copier.before_query):
            yield
            copier.wait()
    finally:
        _copies.copier = None
        copier.close()


def _max_params() -> int:
    if connection.vendor == "sqlite":
        return 32_766 if connection.Database.sqlite_version_info >= (3, 32) else 999
    return 65_535


def insert_rows(model, fields: list[str], rows: list[tuple], *, returning: bool = False):
    """Insert many rows of values already in their database form (JSON as text, ids), in
    multi-row INSERTs; with ``returning``, the new ids in the order of the rows.

    For large streams of simple rows (an import's lines, document lines) where building
    Django's INSERT for each row would cost more than the insert itself.
    """
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows, returning) if rows else []
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(1000, _max_params() // max(1, len(fields))))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row_sql] * len(chunk))}"
            )
            params = [value for row in chunk for value in row]
            if returning:
                cursor.execute(sql + f" RETURNING {quote(model._meta.pk.column)}", params)
                ids += [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(sql, params)
    return ids


def insert_stream(model, fields: list[str], rows: Iterable[tuple], chunk: int = 5000) -> int:
    """Insert rows as an iterator yields them (values in their database form, as for
    ``insert_rows``); returns how many.

    On PostgreSQL one COPY takes the whole stream: the server stores rows while the iterator
    works out the next ones (two cores instead of one, each waiting on the other). Elsewhere
    the rows go in chunks. Memory stays flat either way.
    """
    if connection.vendor == "postgresql":
        copier = _copier()
        if copier is not None:
            copier.wait()
        columns = [model._meta.get_field(name).column for name in fields]
        return _copy(model._meta.db_table, columns, rows)()
    count = 0
    pending = []
    for row in rows:
        pending.append(row)
        if len(pending) >= chunk:
            insert_rows(model, fields, pending)
            count += len(pending)
            pending = []
    insert_rows(model, fields, pending)
    return count + len(pending)


def analyze(model, fields: list[str]) -> None:
    """After a bulk load, refresh PostgreSQL's statistics of the table's columns that queries
    filter on: the queries that follow are planned for its real size (a table it believes
    small is scanned whole, again and again). A small sample (3,000 rows) is enough for that,
    whatever the table's size; the transaction's later statements keep their usual target."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        with connection.cursor() as cursor:
            cursor.execute("SHOW default_statistics_target")
            [(target,)] = cursor.fetchall()
            cursor.execute("SET LOCAL default_statistics_target = 10")
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)} ({columns})")
            cursor.execute(f"SET LOCAL default_statistics_target = {int(target)}")


PLAIN_TYPES = {
    "CharField",
    "TextField",
    "BooleanField",
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "PositiveBigIntegerField",
    "DecimalField",  # Decimal goes to both drivers as it is, as Django passes it
    "ForeignKey",  # by its id (attname)
}


def _preparer(field):
    """How a value of the field goes to the driver: as it is for plain types (ids for foreign
    keys), else as Django prepares it for saving."""
    if field.get_internal_type() in PLAIN_TYPES:
        return _as_is
    return lambda value: field.get_db_prep_save(value, connection)


def _as_is(value):
    return value


def _prepare(field, value, memo: dict):
    """The value as Django saves it; dates and timestamps are remembered; JSON goes as its
    text (both databases read it so: SQLite stores it, PostgreSQL parses it)."""
    if isinstance(value, (dt.date, dt.time)):
        prepared = memo.get(value)
        if prepared is None:
            prepared = memo[value] = field.get_db_prep_save(value, connection)
        return prepared
    if isinstance(field, JSONField) and value is not None:
        return json.dumps(value, cls=field.encoder) if field.encoder else dumps(value)
    return field.get_db_prep_save(value, connection)


def insert_objects(objects: list, *, returning: bool = False) -> list:
    """Insert new model instances (documents, document lines); with ``returning`` each gets
    its id (and audited ones their "created" entry). Values are read from each instance's
    attributes: plain types as they are (related rows by id), the others prepared as Django
    saves them; the rows go in multi-row INSERTs without Django building each one.
    """
    if not objects:
        return objects
    model = type(objects[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    relations = [(f.attname, f.name) for f in fields if f.is_relation]
    plain = [
        f.attname for f in fields if not f.is_relation and f.get_internal_type() in PLAIN_TYPES
    ]
    prepared = [f for f in fields if not f.is_relation and f.get_internal_type() not in PLAIN_TYPES]
    # A batch's documents share their dates and timestamps: each is prepared once.
    memos: list[dict] = [{} for _field in prepared]
    stamped = {
        f: f.pre_save(objects[0], True)  # auto_now(_add): one timestamp for the whole insert
        for f in prepared
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    rows = []
    for obj in objects:
        values = obj.__dict__
        row = [values[name] for name in plain]
        for attname, name in relations:
            value = values[attname]
            if value is None:
                # A related row saved after it was set here: take its id now.
                related = obj._state.fields_cache.get(name)
                value = related.pk if related is not None else None
            row.append(value)
        for field, memo in zip(prepared, memos, strict=True):
            if field in stamped:
                value = values[field.attname] = stamped[field]
            else:
                value = field.pre_save(obj, True)
            row.append(_prepare(field, value, memo))
        rows.append(row)
    names = [
        *(f.name for f in fields if f.attname in plain),
        *(name for _attname, name in relations),
        *(f.name for f in prepared),
    ]
    ids = insert_rows(model, names, rows, returning=returning)
    for obj, pk in zip(objects, ids, strict=False):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    from comptoir.core import audit  # here: the audit trail writes with this module

    if returning and model in audit.AUDITED:
        audit.record(objects, audit.CREATED)
    return objects


def remember_related(instances: list, name: str, related: dict) -> None:
    """Hand each new instance its just-created related rows (``related`` by instance id) as if
    they had been prefetched, so that reading them costs no query."""
    for obj in instances:
        manager = getattr(obj, name)
        queryset = manager.get_queryset()
        queryset._result_cache = related.get(obj.pk, [])
        queryset._prefetch_done = True
        obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


@functools.cache
def _blueprint(model) -> tuple:
    """What new_instances needs of a model: fixed defaults, fields with a callable default,
    related fields' names and the names it accepts."""
    fields = model._meta.concrete_fields
    dynamic = [f for f in fields if f.has_default() and callable(f.default)]
    static = {f.attname: f.get_default() for f in fields if f not in dynamic}
    # name → (attname, the attribute of the related row it holds: its id, or its to_field)
    relations = {f.name: (f.attname, f.target_field.attname) for f in fields if f.is_relation}
    known = frozenset({f.attname for f in fields} | set(relations))
    return static, dynamic, relations, known


def _key_of(related, attname: str):
    """What a link to ``related`` holds (its id), read straight from its attributes unless
    deferred or computed."""
    found = related.__dict__.get(attname, _MISSING)
    return getattr(related, attname) if found is _MISSING else found


_MISSING = object()


def new_instances(model, rows: list[dict]) -> list:
    """New unsaved instances from field values (related rows by their field's name), for the
    thousands of document lines a batch builds.

    Each instance starts from the fields' defaults and takes its values straight into its
    attributes: about three times faster than ``Model(**values)``, which goes through a
    descriptor per field. No ``post_init`` signal is sent; no model here listens to it.
    """
    static, dynamic, relations, known = _blueprint(model)
    instances = []
    for values in rows:
        if not known.issuperset(values):
            raise TypeError(f"{model.__name__} has no field {sorted(set(values) - known)}")
        obj = model.__new__(model)
        obj._state = ModelState()
        attributes = obj.__dict__
        attributes.update(static)
        for field in dynamic:
            if field.attname not in values and field.name not in values:
                attributes[field.attname] = field.get_default()
        cache = obj._state.fields_cache
        for name, value in values.items():
            relation = relations.get(name)
            if relation is None:
                attributes[name] = value
            else:
                cache[name] = value
                attributes[relation[0]] = None if value is None else _key_of(value, relation[1])
        instances.append(obj)
    return instances
