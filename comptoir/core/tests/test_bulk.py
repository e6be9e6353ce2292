"""The set-based helpers build and write what Django's own calls would."""

from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Item
from comptoir.core.bulk import new_instances
from comptoir.pricing.models import Tax


def _attributes(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_new_instances_are_what_the_constructor_makes():
    item, tax = Item(pk=7, code="A1", name="Chair"), Tax(pk=3, code="T20", rate=Decimal("20"))
    values = {
        "position": 2,
        "item": item,
        "item_code": "A1",
        "description": "Chair",
        "quantity": Decimal("2.000"),
        "unit_price": Decimal("10.0000"),
        "tax": tax,
        "vat_category": "S",
        "vat_rate": Decimal("20"),
    }
    (fast,) = new_instances(InvoiceLine, [values])
    slow = InvoiceLine(**values)
    assert _attributes(fast) == _attributes(slow)
    assert fast.item is item and fast.tax is tax and fast.item_id == 7
    assert fast._state.adding and fast.pk is None


def test_callable_defaults_are_called_for_each_instance():
    first, second = new_instances(Invoice, [{}, {}])
    assert first.allowances_charges == [] and first.allowances_charges is not (
        second.allowances_charges
    )


def test_an_unknown_field_is_refused_as_the_constructor_refuses_it():
    with pytest.raises(TypeError, match="colour"):
        new_instances(InvoiceLine, [{"colour": "red"}])
    with pytest.raises(TypeError):
        InvoiceLine(colour="red")


@pytest.mark.postgresql
@pytest.mark.django_db
def test_statistics_are_refreshed_after_a_bulk_load(company):
    """The planner learns the table's new size from a small sample, and the transaction's
    statistics target is left as it was."""
    from django.db import connection

    from comptoir.core.bulk import analyze, insert_stream
    from comptoir.imports.models import ImportBatch, ImportPartner, ImportRow

    partner = ImportPartner.objects.create(name="Bulk")
    batch = ImportBatch.objects.create(partner=partner, file_name="f.csv", size=1, sha256="0")
    rows = ((batch.pk, n, "[]", "{}", "{}", "[]", f"R{n // 5}", "ready") for n in range(20_000))
    fields = ["batch", "line", "raw", "data", "values", "errors", "reference", "state"]
    assert insert_stream(ImportRow, fields, rows) == 20_000
    with connection.cursor() as cursor:
        cursor.execute("SHOW default_statistics_target")
        [(before,)] = cursor.fetchall()
        analyze(ImportRow, ["batch", "reference", "state"])
        cursor.execute("SHOW default_statistics_target")
        assert cursor.fetchall() == [(before,)]
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [ImportRow._meta.db_table]
        )
        [(estimated,)] = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = %s AND attname = 'reference'",
            [ImportRow._meta.db_table],
        )
        [(columns,)] = cursor.fetchall()
    assert 15_000 < estimated < 25_000 and columns == 1


def _rows_of(batch, lines):
    return [(batch.pk, n, "[]", "{}", "{}", "[]", f"R{n}", "ready") for n in lines]


ROW_FIELDS = ["batch", "line", "raw", "data", "values", "errors", "reference", "state"]


@pytest.fixture
def batch(db):
    from comptoir.imports.models import ImportBatch, ImportPartner

    partner = ImportPartner.objects.create(name="Bulk")
    return ImportBatch.objects.create(partner=partner, file_name="f.csv", size=1, sha256="0")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_copies_in_the_background_are_all_written_before_the_next_query(batch):
    from django.db import transaction

    from comptoir.core.bulk import copies_in_background, insert_rows
    from comptoir.imports.models import ImportRow

    with transaction.atomic(), copies_in_background():
        insert_rows(ImportRow, ROW_FIELDS, _rows_of(batch, range(0, 3000)))
        insert_rows(ImportRow, ROW_FIELDS, _rows_of(batch, range(3000, 5000)))
        assert ImportRow.objects.filter(batch=batch).count() == 5000
        insert_rows(ImportRow, ROW_FIELDS, _rows_of(batch, range(5000, 6000)))
    assert ImportRow.objects.filter(batch=batch).count() == 6000


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_copy_that_fails_in_the_background_raises_at_the_next_query_and_rolls_back(batch):
    from django.db import IntegrityError, transaction

    from comptoir.core.bulk import copies_in_background, insert_rows
    from comptoir.imports.models import ImportRow

    insert_rows(ImportRow, ROW_FIELDS, _rows_of(batch, [7]))
    with (
        pytest.raises(IntegrityError, match="import_row_line_once"),
        transaction.atomic(),
        copies_in_background(),
    ):
        insert_rows(ImportRow, ROW_FIELDS, _rows_of(batch, range(100)))  # line 7 again
        ImportRow.objects.filter(batch=batch).count()
    assert list(ImportRow.objects.filter(batch=batch).values_list("line", flat=True)) == [7]
