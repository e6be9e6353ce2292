"""Processing rows into documents: created once, matched well, nothing lost or half-done."""

from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.queries import settlements
from comptoir.billing.sealing import current_contents
from comptoir.catalog.models import Item
from comptoir.catalog.services import create_item, create_price_list, set_item_price
from comptoir.core.errors import BusinessError
from comptoir.core.journal import verify_chain
from comptoir.core.services import update_company
from comptoir.imports.models import ImportRow, PartnerDocument, Strictness, WhenUnknown
from comptoir.imports.services import edit_row, process_batch, save_partner
from comptoir.parties.models import Address, Customer
from comptoir.parties.services import create_customer
from comptoir.payments.models import Payment
from comptoir.pricing.models import Tax
from comptoir.sales.models import SalesOrder

from .conftest import csv_file, run, upload

pytestmark = pytest.mark.django_db

A1 = (
    "A1;15/03/2026;C1;Dupont SARL;a@dupont.fr;12 rue des Lilas;69003;Lyon;CAFE;Café;2;18,50;5,5;"
    "6,90;50;carte"
)
A1b = "A1;15/03/2026;C1;Dupont SARL;a@dupont.fr;12 rue des Lilas;69003;Lyon;THE;Thé;1;9,00;5,5;;;"
A2 = "A2;16/03/2026;C2;Martin;m@martin.fr;1 place Bellecour;69002;Lyon;CAFE;Café;10;17,00;5,5;;;"
A3 = "A3;17/03/2026;C1;Dupont SARL;a@dupont.fr;12 rue des Lilas;69003;Lyon;THE;Thé;3;9,00;5,5;;;"


def states(batch) -> dict[int, str]:
    return dict(ImportRow.objects.filter(batch=batch).values_list("line", "state"))


def test_a_file_becomes_issued_invoices_with_their_customers_items_and_payments(partner):
    batch, report = run(partner, csv_file(A1, A1b, A2))
    assert (report.documents_created, report.created_rows, report.failed_rows) == (2, 3, 0)
    assert (report.customers_created, report.items_created) == (2, 2)
    assert report.file_total == report.created_total == Decimal("222.90")
    dupont = Invoice.objects.get(customer_reference="A1")
    assert dupont.status == Invoice.Status.ISSUED and dupont.number.startswith("FA-")
    assert str(dupont.supply_date) == "2026-03-15"
    assert dupont.total_net == Decimal("52.90")  # 37.00 + 9.00 + 6.90 shipping
    assert dupont.total_gross == Decimal("55.81")
    assert dupont.allowances_charges[0]["amount"] == "6.90"
    assert dupont.billing_address["line1"] == "12 rue des Lilas"
    assert dupont.amount_paid == Decimal("50.00") and dupont.amount_due == Decimal("5.81")
    truth = settlements([dupont.pk])[dupont.pk]  # from the allocations, not the stored columns
    assert (truth.paid, truth.outstanding) == (dupont.amount_paid, dupont.amount_due)
    assert Payment.objects.get(reference="A1").method == "card"
    customer = Customer.objects.get(name="Dupont SARL")
    assert customer.email == "a@dupont.fr"
    assert customer.addresses.get().city == "Lyon"
    assert Item.objects.get(code="CAFE").tax.code == "TVA55"
    rows = ImportRow.objects.filter(batch=batch, state=ImportRow.State.CREATED).with_document()
    links = PartnerDocument.objects.in_bulk([r.document_id for r in rows])
    assert {links[r.document_id].invoice_id for r in rows} == set(
        Invoice.objects.values_list("pk", flat=True)
    )
    assert {r.document_number for r in rows} == set(
        Invoice.objects.values_list("number", flat=True)
    )


def test_re_importing_the_same_or_an_overlapping_file_creates_nothing_twice(partner):
    run(partner, csv_file(A1, A1b, A2))
    batch, report = run(partner, csv_file(A1, A1b, A2))
    assert report.documents_created == 0 and report.duplicate_rows == 3
    assert batch.duplicate_of is not None
    batch, report = run(partner, csv_file(A2, A3))
    assert report.documents_created == 1 and report.duplicate_rows == 1
    assert states(batch) == {2: "duplicate", 3: "created"}
    numbers = dict(
        ImportRow.objects.filter(batch=batch).with_document().values_list("line", "document_number")
    )
    assert numbers == {  # the duplicate row links to the document created the first time
        2: Invoice.objects.get(customer_reference="A2").number,
        3: Invoice.objects.get(customer_reference="A3").number,
    }
    assert Invoice.objects.count() == 3
    assert Customer.objects.count() == 2  # Dupont matched by the partner's id
    assert PartnerDocument.objects.count() == 3


def test_valid_documents_only_creates_them_and_the_others_wait_with_their_reason(partner):
    broken = A2.replace(";10;", ";dix;")
    batch, report = run(partner, csv_file(A1, A1b, broken))
    assert report.documents_created == 1 and report.failed_rows == 1
    (row,) = ImportRow.objects.filter(batch=batch, state=ImportRow.State.INVALID)
    assert "quantite" in row.anomaly
    edit_row(row, {"quantite": "10"})
    report = process_batch(batch)
    assert report.documents_created == 2 and report.failed_rows == 0
    assert Invoice.objects.count() == 2
    batch.refresh_from_db()
    assert batch.rows_done == batch.row_count == 3  # the progress of the second run ends full


def test_all_or_nothing_refuses_while_a_row_has_an_anomaly(partner):
    partner = save_partner(partner, strictness=Strictness.ALL_OR_NOTHING)
    batch = upload(partner, csv_file(A1, A2.replace("16/03/2026", "31/02/2026")))
    with pytest.raises(BusinessError, match="nothing was created"):
        process_batch(batch)
    assert not Invoice.objects.exists() and not Customer.objects.exists()
    row = ImportRow.objects.get(batch=batch, state=ImportRow.State.INVALID)
    edit_row(row, {"date_document": "16/03/2026"})
    assert process_batch(batch).documents_created == 2


def test_document_fields_must_agree_between_its_rows(partner):
    batch, report = run(partner, csv_file(A1, A1b.replace("15/03/2026", "16/03/2026")))
    assert report.documents_created == 0 and report.failed_rows == 2
    first, second = ImportRow.objects.filter(batch=batch).order_by("line")
    assert "differs" in second.anomaly
    assert "Line 3 of this document" in first.anomaly


def test_orders_need_stock_management(partner, company):
    with pytest.raises(BusinessError, match="stock management"):
        save_partner(partner, creates="orders")
    update_company(stock_management=True)
    partner = save_partner(partner, creates="orders")
    _batch, report = run(partner, csv_file(A1, A1b, A2))
    assert report.documents_created == 2
    orders = SalesOrder.objects.order_by("number")
    assert [o.status for o in orders] == ["confirmed", "confirmed"]
    assert Payment.objects.get().amount == Decimal("50.00")  # kept as the customer's credit
    update_company(stock_management=False)
    with pytest.raises(BusinessError, match="stock management"):
        run(partner, csv_file(A3))


def test_unknown_customers_and_items_can_be_refused(partner):
    create_customer(code="C1", name="Dupont SARL")
    partner = save_partner(
        partner, unknown_customer=WhenUnknown.REFUSE, unknown_item=WhenUnknown.REFUSE
    )
    create_item(code="CAFE", name="Café", unit=_unit(), tax=Tax.objects.get(code="TVA55"))
    batch, report = run(partner, csv_file(A1, A1b, A2))
    assert report.documents_created == 0
    rows = {r.line: r.anomaly for r in ImportRow.objects.filter(batch=batch)}
    assert "Unknown item: THE" in rows[3]
    assert "Unknown customer: C2" in rows[4]


def _unit():
    from comptoir.catalog.models import Unit

    return Unit.objects.get(code="C62")


def test_customers_are_matched_by_code_siren_or_email_and_addresses_deduplicated(partner):
    ours = create_customer(code="CLI042", name="Chez Nous", siren="732829320")
    by_mail = create_customer(code="CLI043", name="Par Mail", email="m@martin.fr")
    rows = [
        A1.replace(";C1;", ";CLI042;"),
        A2.replace(";C2;", ";;"),
        A3.replace(";C1;", ";X9;").replace("a@dupont.fr", "m@martin.fr"),
    ]
    _batch, report = run(partner, csv_file(*rows))
    assert report.failed_rows == 0, report
    invoices = {i.customer_reference: i.customer_id for i in Invoice.objects.all()}
    assert invoices["A1"] == ours.pk
    assert invoices["A2"] == by_mail.pk
    assert invoices["A3"] == by_mail.pk  # X9 unknown to us: found by its e-mail
    assert report.customers_created == 0
    assert Address.objects.filter(customer=ours).count() == 1
    run(partner, csv_file(A1.replace("A1;", "A9;").replace(";C1;", ";CLI042;")))
    assert Address.objects.filter(customer=ours).count() == 1  # the same address, not again


def test_prices_including_vat_are_turned_into_prices_excluding_vat(partner):
    header = (
        "reference_partenaire;date_document;nom_client;code_article;quantite;prix_unitaire;"
        "taux_tva;prix_ttc"
    )
    _batch, report = run(
        partner, csv_file("T1;2026-03-01;Client TTC;LIVRE;1;21,10;5,5;oui", header=header)
    )
    invoice = Invoice.objects.get()
    assert invoice.lines.get().unit_price == Decimal("20.0000")
    assert invoice.total_gross == Decimal("21.10") == report.created_total == report.file_total


def test_prices_can_come_from_the_price_list(partner):
    tax = Tax.objects.get(code="TVA20")
    item = create_item(code="CAFE", name="Café", unit=_unit(), tax=tax, sale_price="30")
    price_list = create_price_list(code="PRO", name="Pro")
    set_item_price(price_list, item, "25")
    create_customer(code="C1", name="Dupont SARL", price_list=price_list)
    partner = save_partner(partner, price_source="price_list")
    run(partner, csv_file(A1.replace(";5,5;", ";;")))
    assert Invoice.objects.get().lines.get().unit_price == Decimal("25.0000")


def test_unknown_vat_rates_follow_the_partner_option(partner):
    line = A2.replace(";5,5;", ";19,6;")
    batch, report = run(partner, csv_file(line))
    assert report.failed_rows == 1
    assert "No VAT at 19.6" in ImportRow.objects.get(batch=batch).anomaly
    save_partner(partner, unknown_tax=WhenUnknown.CREATE)
    assert process_batch(batch).documents_created == 1
    assert Invoice.objects.get().lines.get().vat_rate == Decimal("19.60")


def test_draft_invoices_when_asked(partner):
    partner = save_partner(partner, then="draft")
    run(partner, csv_file(A1, A1b))
    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.DRAFT and invoice.number == ""
    assert Payment.objects.get().allocations.count() == 0  # a credit until the invoice is issued


def test_processing_needs_a_constant_number_of_queries(partner, django_assert_max_num_queries):
    def file_of(count: int, start: int) -> bytes:
        rows = []
        for n in range(start, start + count):
            line = A2.replace("A2;", f"R{n};").replace(";C2;", f";K{n};")
            line = line.replace("m@martin.fr", f"k{n}@x.fr")
            rows += [line, line.replace("CAFE;Café;10;17,00", "THE;Thé;1;9,00")]
        return csv_file(*rows)

    small = upload(partner, file_of(3, 0))
    with django_assert_max_num_queries(100) as small_queries:
        process_batch(small)
    large = upload(partner, file_of(60, 100))
    with django_assert_max_num_queries(len(small_queries.captured_queries) + 10):
        report = process_batch(large)
    assert report.documents_created == 60, ImportRow.objects.filter(batch=large).first().anomaly


def test_invoices_sealed_as_they_are_written_match_what_the_database_keeps(partner):
    """Issued invoices are sealed from the lines just written: the journal must hold against
    the stored documents, even with quantities, prices and discounts to round."""
    header = (
        "reference_partenaire;date_document;nom_client;code_article;quantite;prix_unitaire;"
        "taux_tva;remise_pct;prix_ttc"
    )
    rows = [
        "R1;2026-03-01;Client arrondi;VIS;1,2345;0,123456;20;12,345;non",
        "R1;2026-03-01;Client arrondi;ECROU;3,0005;7,77775;5,5;0,005;non",
        "R2;2026-03-02;Client TTC;VIS;2,5;19,99;20;33,335;oui",
    ]
    _batch, report = run(partner, csv_file(*rows, header=header))
    assert report.documents_created == 2
    line = Invoice.objects.get(customer_reference="R1").lines.get(position=1)
    assert (line.quantity, line.discount_pct) == (Decimal("1.235"), Decimal("12.35"))
    assert verify_chain(current_contents) is None
