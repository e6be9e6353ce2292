"""Receiving supplier invoices: the supplier found or held, the file kept verbatim, the same file
or flow never recorded twice, the three-way match, and the buyer's decisions with their
lifecycle messages."""

import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import connection

from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.einvoicing.cdar import CdarError, parse_cdar
from comptoir.einvoicing.tests.validation import validate_cdar
from comptoir.purchasing.models import PurchaseOrder, Supplier
from comptoir.purchasing.services import (
    PurchaseLine,
    confirm_purchase_order,
    create_purchase_order,
    create_supplier,
    receive_purchase,
)
from comptoir.supplierinvoices import services
from comptoir.supplierinvoices.matching import describe
from comptoir.supplierinvoices.models import ReceptionSettings, SupplierInvoice
from comptoir.supplierinvoices.reading import ReadingError
from comptoir.supplierinvoices.tests.test_reading import example
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def receive(content: bytes, **kwargs):
    return services.receive_supplier_invoice(content, source="upload", **kwargs)


def test_an_invoice_is_recorded_with_its_supplier_and_its_file_verbatim(vendeur):
    content = example("UC1_F202500003", "CII")
    reception = receive(content, file_name="facture.xml")
    invoice = reception.invoice
    assert reception.created
    assert (invoice.supplier, invoice.status, invoice.number) == (vendeur, "received", "F202500003")
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("10000.00"),
        Decimal("2000.00"),
        Decimal("12000.00"),
    )
    assert invoice.lines.count() == 2
    with invoice.file.open("rb") as handle:
        assert handle.read() == content
    assert invoice.sha256 == hashlib.sha256(content).hexdigest()


def test_the_supplier_is_found_by_its_vat_number_too(company):
    supplier = create_supplier(code="V", name="Vendeur", vat_id="FR88100000009")
    invoice = receive(example("UC1_F202500003", "UBL")).invoice
    assert invoice.supplier == supplier


def test_the_same_file_or_flow_received_twice_makes_one_invoice(vendeur):
    content = example("UC1_F202500003", "UBL")
    first = receive(content, flow_id="flow-1")
    again = receive(content)
    same_flow = services.receive_supplier_invoice(
        example("UC1_F202500003", "CII"), source="platform", flow_id="flow-1"
    )
    assert not again.created and not same_flow.created
    assert again.invoice == first.invoice == same_flow.invoice
    assert SupplierInvoice.objects.count() == 1


def test_the_same_invoice_in_another_file_is_held_as_a_duplicate_of_the_first(vendeur, english):
    first = receive(example("UC1_F202500003", "UBL")).invoice
    second = receive(example("UC1_F202500003", "CII"))
    assert second.created  # the file is kept, but it is not a second invoice to pay
    duplicate = second.invoice
    assert (duplicate.status, duplicate.held_because, duplicate.duplicate_of) == (
        "held",
        "duplicate",
        first,
    )
    assert duplicate.get_held_because_display() == (
        "The same invoice was already received, in another file."
    )
    for code, reason in [(205, ""), (210, "DOUBLON")]:
        with pytest.raises(BusinessError) as refused:
            services.decide(duplicate, code, reason_code=reason)
        assert refused.value.code == "supplier_invoice.duplicate_number"
        assert "not a second invoice to pay" in refused.value.message
    # a held duplicate given its supplier later stays a duplicate
    services.decide(first, 205)
    assert SupplierInvoice.objects.filter(status="approved").count() == 1


def test_a_duplicate_from_an_unknown_seller_is_found_by_its_siren(company):
    first = receive(example("UC1_F202500003", "UBL")).invoice
    second = receive(example("UC1_F202500003", "CII")).invoice
    assert (first.held_because, second.held_because, second.duplicate_of) == (
        "supplier",
        "duplicate",
        first,
    )
    supplier = create_supplier(code="VENDEUR", name="Le Vendeur")
    assert services.assign_supplier(first, supplier).status == "received"


def test_an_unreadable_file_records_nothing(vendeur):
    with pytest.raises(ReadingError):
        receive(b"<html>not an invoice</html>")
    assert SupplierInvoice.objects.count() == 0


def test_an_unknown_supplier_is_held_then_given_its_supplier(company):
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    assert (invoice.status, invoice.supplier) == ("held", None)
    assert invoice.seller_name == "LE VENDEUR"
    supplier = create_supplier(code="VENDEUR", name="Le Vendeur")
    invoice = services.assign_supplier(invoice, supplier)
    assert (invoice.status, invoice.supplier) == ("received", supplier)
    supplier.refresh_from_db()
    assert (supplier.siren, supplier.vat_id) == ("100000009", "FR88100000009")  # learnt
    with pytest.raises(BusinessError) as refused:
        services.assign_supplier(invoice, supplier)
    assert refused.value.code == "supplier_invoice.supplier_known"


def test_an_unknown_supplier_is_created_when_the_company_says_so(company):
    services.update_reception_settings(unknown_supplier="create")
    invoice = receive(example("UC2_F202500004", "UBL")).invoice
    supplier = Supplier.objects.get()
    assert invoice.supplier == supplier and invoice.status == "received"
    assert (supplier.code, supplier.name, supplier.siren, supplier.vat_id) == (
        "100000009",
        "LE VENDEUR",
        "100000009",
        "FR88100000009",
    )


@pytest.mark.django_db(transaction=True)
def test_two_processes_receiving_the_same_flow_make_one_invoice(vendeur):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    content = example("UC3_F202500005", "CII")
    results, barrier = [], threading.Barrier(2)

    def one():
        barrier.wait()
        try:
            results.append(receive(content, flow_id="flow-9").created)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert SupplierInvoice.objects.count() == 1


# ---------------------------------------------------------------- three-way match


def order_for_use_case(vendeur, *, quantities=(200, 5), prices=(40, 400), receive_all=True):
    """A purchase order as the buyer of the use cases made it: 200 hours at 40 €, 5 days at
    400 €, numbered as the invoices name it (BT-13)."""
    lines = [
        PurchaseLine(ItemFactory(code=f"SERVICE_FOURNI{n}", name=f"Service fourni {n}"), q, p)
        for n, q, p in zip((1, 2), quantities, prices, strict=True)
    ]
    order = confirm_purchase_order(create_purchase_order(vendeur, lines))
    PurchaseOrder.objects.filter(pk=order.pk).update(number="PO202525478")
    if receive_all:
        receive_purchase(order)
    return order


def test_a_mismatch_is_said_per_line_in_words(vendeur, english):
    order = order_for_use_case(vendeur, quantities=(150, 5), prices=(38, 400), receive_all=False)
    receive_purchase(order, {order.lines.last().pk: Decimal("4")})
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    assert invoice.match == "mismatch"
    hours, days = invoice.lines.all()
    assert [describe(p) for p in hours.problems] == [
        "Price €40.00, above the ordered €38.00 (tolerance 0 %).",
        "200 invoiced for 150 ordered.",
    ]
    assert [describe(p) for p in days.problems] == ["5 invoiced for 4 received."]


def test_tolerances_set_by_the_company_accept_small_differences(vendeur):
    services.update_reception_settings(price_tolerance_pct=Decimal("6"), quantity_tolerance=1)
    order = order_for_use_case(vendeur, prices=(38, 400), receive_all=False)
    receive_purchase(
        order, {line.pk: line.quantity - (line.quantity == 5) for line in order.lines.all()}
    )
    invoice = receive(example("UC1_F202500003", "UBL")).invoice
    assert invoice.match == "matched"
    assert ReceptionSettings.get().price_tolerance_pct == Decimal("6")


def test_an_invoice_naming_no_known_order_says_so_and_matches_later(vendeur, english):
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    assert invoice.match == "no_order"
    assert describe(invoice.lines.first().problems[0]) == (
        "No purchase order PO202525478 of this supplier."
    )
    order_for_use_case(vendeur)
    assert services.match_again(invoice).match == "matched"


def test_a_second_invoice_for_the_same_order_is_over_what_was_received(vendeur, english):
    order_for_use_case(vendeur)
    assert receive(example("UC1_F202500003", "CII")).invoice.match == "matched"
    second = receive(example("UC3_F202500005", "CII")).invoice
    assert second.match == "mismatch"
    assert describe(second.lines.first().problems[0]) == (
        "200 invoiced after 200 already, for 200 ordered."
    )


# ---------------------------------------------------------------- decisions


@pytest.mark.parametrize(
    "code, reason_code, status",
    [(205, "", "approved"), (207, "QTE_ERR", "disputed"), (210, "CMD_ERR", "refused")],
)
def test_each_decision_is_recorded_with_its_lifecycle_message_to_send(
    vendeur, code, reason_code, status, english
):
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    decision = services.decide(invoice, code, reason_code=reason_code, reason="Vu le bon")
    invoice.refresh_from_db()
    assert invoice.status == status
    assert decision.sent_at is None  # to send
    message = parse_cdar(bytes(decision.message))
    assert (message.status, message.invoice_number, message.seller_id) == (
        code,
        "F202500003",
        "100000009",
    )
    assert message.reason_code == reason_code
    assert message.recipients[0].address == "100000009_STATUTS"
    assert [f for f in validate_cdar(bytes(decision.message)) if f.blocking] == []
    if code == 207:  # a dispute is settled by approving or refusing
        with pytest.raises(BusinessError) as refused:
            services.decide(invoice, 207, reason_code="QTE_ERR")
        assert refused.value.code == "supplier_invoice.already_decided"
        services.decide(invoice, 205)
    with pytest.raises(BusinessError) as refused:
        services.decide(invoice, 205)
    assert refused.value.code == "supplier_invoice.already_decided"
    assert "a decision is final" in refused.value.message
    assert invoice.decisions.count() == (2 if code == 207 else 1)


def test_a_disputed_invoice_can_be_refused_in_the_end(vendeur):
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    services.decide(invoice, 207, reason_code="QTE_ERR")
    services.decide(invoice, 210, reason_code="CMD_ERR")
    invoice.refresh_from_db()
    assert invoice.status == "refused"
    assert [d.status for d in invoice.decisions.all()] == [207, 210]


def test_an_invoice_of_an_unknown_supplier_cannot_be_approved(company, english):
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    with pytest.raises(BusinessError) as refused:
        services.decide(invoice, 205)
    assert refused.value.code == "supplier_invoice.supplier_unknown"
    assert "choose its supplier first" in refused.value.message
    invoice.refresh_from_db()
    assert invoice.status == "held" and not invoice.decisions.exists()


@pytest.mark.parametrize(
    "change, held_because",
    [
        ({"siren": "552100554", "vat_id": "FR96552100554"}, "other_buyer"),
        ({"siren": "100000009", "vat_id": "FR88100000009"}, "own"),
    ],
)
def test_an_invoice_not_addressed_to_the_company_is_held_and_can_be_refused(
    vendeur, change, held_because, english
):
    update_company(**change)
    invoice = receive(example("UC1_F202500003", "UBL")).invoice
    assert (invoice.status, invoice.held_because) == ("held", held_because)
    with pytest.raises(BusinessError) as refused:
        services.decide(invoice, 205)
    assert refused.value.code == "supplier_invoice.not_ours"
    assert "It cannot be approved: refuse it." in refused.value.message
    services.decide(invoice, 207, reason_code="DEST_ERR")  # disputed first: still not ours
    invoice.refresh_from_db()
    assert 205 not in services.decisions_admitted(invoice)
    with pytest.raises(BusinessError) as refused:
        services.decide(invoice, 205)
    assert refused.value.code == "supplier_invoice.not_ours"
    services.decide(invoice, 210, reason_code="DEST_ERR")
    invoice.refresh_from_db()
    assert invoice.status == "refused"


def test_other_buyer_is_said_in_french(vendeur):
    update_company(siren="552100554", vat_id="FR96552100554")
    invoice = receive(example("UC1_F202500003", "UBL")).invoice
    assert invoice.get_held_because_display() == "Adressée à une autre entreprise."


def test_a_refusal_needs_a_reason_the_rules_admit(vendeur):
    invoice = receive(example("UC1_F202500003", "CII")).invoice
    with pytest.raises(CdarError) as refused:
        services.decide(invoice, 210)
    assert refused.value.code == "cdar_reason_required"
    with pytest.raises(CdarError):
        services.decide(invoice, 210, reason_code="QTE_ERR")  # a dispute's reason
    with pytest.raises(BusinessError) as refused:
        services.decide(invoice, 212)
    assert refused.value.code == "supplier_invoice.not_a_decision"
    invoice.refresh_from_db()
    assert invoice.status == "received" and not invoice.decisions.exists()
