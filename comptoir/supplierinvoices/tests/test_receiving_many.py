"""Many supplier invoices received at once (a page of the platform's incoming flows): each
file gives what it gives alone, one refused file leaves the others, nothing twice."""

import pytest

from comptoir.purchasing.services import create_supplier
from comptoir.supplierinvoices import services
from comptoir.supplierinvoices.models import SupplierInvoice
from comptoir.supplierinvoices.reading import ReadingError
from comptoir.supplierinvoices.tests.test_reading import example

pytestmark = pytest.mark.django_db


def test_a_page_of_files_is_received_each_as_alone(company):
    vendeur = create_supplier(code="VENDEUR", name="Le Vendeur", siren="100000009")
    cii = example("UC1_F202500003", "CII")
    first = services.receive_supplier_invoice(cii, source="platform")
    files = [
        (cii, "again.xml"),  # received before: nothing new
        (example("UC2_F202500004", "CII"), "uc2.xml"),
        (b"<html>not an invoice</html>", "page.html"),
        (example("UC1_F202500003", "UBL"), "uc1.xml"),  # the same invoice in another file
        (example("UC3_F202500005", "UBL"), "uc3.xml"),
        (example("UC3_F202500005", "UBL"), "uc3-bis.xml"),  # twice in the same page
    ]
    again, uc2, unreadable, duplicate, uc3, uc3_bis = services.receive_supplier_invoices(
        files, source="platform"
    )
    assert (again.invoice, again.created) == (first.invoice, False)
    assert uc2.created and uc2.invoice.number == "F202500004" and uc2.invoice.supplier == vendeur
    assert uc2.invoice.file_name == "uc2.xml"
    assert isinstance(unreadable, ReadingError)
    assert duplicate.created  # kept, held as the duplicate of the first: nothing to pay twice
    assert duplicate.invoice.held_because == SupplierInvoice.Hold.DUPLICATE
    assert duplicate.invoice.duplicate_of == first.invoice
    assert uc3.created and (uc3_bis.invoice, uc3_bis.created) == (uc3.invoice, False)
    assert SupplierInvoice.objects.count() == 4


def test_the_queries_do_not_grow_with_the_files_received_before(
    company, django_assert_max_num_queries
):
    create_supplier(code="VENDEUR", name="Le Vendeur", siren="100000009")
    files = [(example(case, "CII"), f"{case}.xml") for case in ("UC1_F202500003", "UC2_F202500004")]
    services.receive_supplier_invoices(files, source="platform")
    # The files known; the page: its transaction, the settings and the company.
    with django_assert_max_num_queries(5):
        results = services.receive_supplier_invoices(files * 50, source="platform")
    assert not any(reception.created for reception in results)
