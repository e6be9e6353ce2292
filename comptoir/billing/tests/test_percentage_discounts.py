"""Invoices with a discount given as a percentage: their e-invoice states it (BT-94 of its base
BT-93, amount BT-92) and their credit notes give back no more than was charged."""

from decimal import Decimal

import pytest
from lxml import etree

from comptoir.billing.facturx import build_xml
from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
from comptoir.billing.tests.validation import assert_valid, validate_cii, validate_ubl
from comptoir.billing.ubl import build_ubl
from comptoir.core.money import round_amount
from comptoir.parties.services import create_customer
from comptoir.pricing.engine import LineSpec

pytestmark = pytest.mark.django_db
D = Decimal
NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def test_the_e_invoice_states_each_percentage_with_its_base_and_amount(cases):
    invoice = cases["percentage-discount"]
    assert_valid(validate_cii(build_xml(invoice)), "percentage-discount")
    assert_valid(validate_ubl(build_ubl(invoice)), "percentage-discount (UBL)")
    tree = etree.fromstring(build_xml(invoice))
    stated = [
        (
            D(x.findtext("ram:CalculationPercent", namespaces=NS)),
            D(x.findtext("ram:BasisAmount", namespaces=NS)),
            D(x.findtext("ram:ActualAmount", namespaces=NS)),
            x.findtext("ram:CategoryTradeTax/ram:RateApplicablePercent", namespaces=NS),
        )
        for x in tree.iterfind(".//ram:SpecifiedTradeAllowanceCharge", NS)
        if x.getparent().tag.endswith("ApplicableHeaderTradeSettlement")
    ]
    assert [rate for *_x, rate in stated] == ["20", "5.5"]
    for pct, base, amount, _rate in stated:
        assert amount == round_amount(base * pct / 100)
    # The sums of the lines of each rate are the bases.
    for pct, base, _amount, rate in stated:
        lines = invoice.lines.filter(vat_rate=D(rate))
        assert base == sum(line.net_amount for line in lines) and pct == 5
    ubl = etree.fromstring(build_ubl(invoice))
    charges = ubl.findall("cac:AllowanceCharge", NS)
    assert [
        (
            c.findtext("cbc:MultiplierFactorNumeric", namespaces=NS),
            c.findtext("cbc:BaseAmount", namespaces=NS),
        )
        for c in charges
    ] == [(f"{p.normalize():f}", f"{b:.2f}") for p, b, _a, _r in stated]


def test_partial_credit_notes_give_back_the_lines_less_their_discount_and_no_more(items):
    """Three partial credit notes of an invoice with 5 % off its whole document: each gives
    back its lines less 5 % of them; the last of a VAT rate takes what is left of its discount,
    so that together they give back exactly what the invoice charged."""
    customer = create_customer(
        name="Client Remise", siren="732829320", vat_id="FR44732829320",
        addresses=[{"line1": "1 rue A", "postal_code": "75001", "city": "Paris"}],
    )  # fmt: skip
    # 3 × 1.09: 5 % of each line is 0.0545 → 0.05, but 5 % of the three is 0.16.
    odd = [LineSpec(item=items["chair"], quantity=D("1"), unit_price=D("1.09")) for _ in range(3)]
    invoice = issue_invoice(
        create_invoice(
            customer,
            [*odd, LineSpec(item=items["book"], quantity=D("2"))],
            allowances_charges=[{"percent": "5", "reason": "Remise 5 %"}],
        )
    )
    assert invoice.total_allowances == D("0.16") + D("2.11")  # 5 % of 3.27, of 42.20
    chairs = list(invoice.lines.filter(vat_rate=D("20")).order_by("position"))
    notes = []
    for chair in chairs:
        note = issue_invoice(credit_invoice(invoice, {chair.pk: D("1")}, reason="Retour"))
        notes.append(note)
        assert_valid(validate_cii(build_xml(note)), note.number)
    # Each of the first two: 1.09 less 0.05; the last: 1.09 less the 0.06 left.
    assert [n.total_allowances for n in notes] == [D("0.05"), D("0.05"), D("0.06")]
    assert [n.allowances_charges[0].get("percent") for n in notes] == ["5", "5", None]
    assert sum(n.total_net for n in notes) == D("3.27") - D("0.16")
    # The 5.5 % group, credited in one go: its whole discount back, as the amount left.
    book = invoice.lines.get(vat_rate=D("5.5"))
    last = issue_invoice(credit_invoice(invoice, {book.pk: D("2")}))
    assert last.total_allowances == D("2.11")
    assert sum(n.total_net for n in [*notes, last]) == invoice.total_net
    # (Their VAT is rounded once per credit note, as on any document: 3 × 0.21 against the
    # invoice's 0.62 on the same 3.11, whatever the discount.)


def test_a_whole_credit_note_copies_the_percentage(cases):
    invoice = cases["percentage-discount"]
    partial = cases["percentage-discount-partial-credit"]
    assert partial.total_allowances == round_amount(partial.total_lines * 5 / 100)
    assert partial.allowances_charges[0]["percent"] == "5"
    assert partial.total_gross < invoice.total_gross


def test_the_printed_invoice_shows_each_rate_s_discount_with_its_base(cases):
    from comptoir.billing.pdf import render_html

    invoice = cases["percentage-discount"]
    html = render_html(invoice)
    for row in invoice.allowances_charges:
        base = f"{D(row['base']):.2f}".replace(".", ",")
        amount = f"{D(row['amount']):.2f}".replace(".", ",")
        assert f"sur {base}" in html.replace("\u202f", " ").replace("\u00a0", " ")
        assert amount in html
    assert "Remise fidélité 5\u00a0%" in html
    assert html.count("5\u00a0%") >= 2  # the percentage of each VAT rate's discount


def _order(customer, items, quantities, rows):
    from comptoir.sales.services import confirm_order, create_order

    lines = [LineSpec(item=items[key], quantity=D(q)) for key, q in quantities]
    return confirm_order(create_order(customer, lines, allowances_charges=rows))


@pytest.fixture
def buyer(items):
    return create_customer(
        name="Client Commandes", siren="732829320", vat_id="FR44732829320",
        addresses=[{"line1": "1 rue A", "postal_code": "75001", "city": "Paris"}],
    )  # fmt: skip


def test_each_invoice_of_a_partly_delivered_order_takes_its_percentage(items, buyer):
    """10 % off the order: each delivery's invoice is 10 % off what it bills (an amount off the
    order stays with its first invoice, as before)."""
    from comptoir.billing.services import invoice_order
    from comptoir.stock.services import create_delivery

    order = _order(
        buyer,
        items,
        [("chair", "4"), ("book", "2")],
        [
            {"percent": "10", "reason": "Remise 10 %"},
            {
                "amount": "9.90",
                "is_charge": True,
                "reason": "Port",
                "vat_category": "S",
                "vat_rate": "20.00",
            },
        ],
    )
    chair = order.lines.get(item__code="CHAISE")
    create_delivery(order, {chair.pk: D("1")})
    first = invoice_order(order)
    assert first.total_lines == D("45.00")
    assert first.total_allowances == D("4.50") and first.total_charges == D("9.90")
    issue_invoice(first)
    create_delivery(order)
    second = invoice_order(order)
    assert second.total_lines == D("135.00") + D("42.20")
    assert second.total_allowances == D("13.50") + D("4.22")
    assert second.total_charges == D("0")
    assert first.total_allowances + second.total_allowances == order.total_allowances
    assert_valid(validate_cii(build_xml(issue_invoice(second))), "second")


def test_an_invoice_of_two_orders_states_each_order_s_percentage_as_its_amount(items, buyer):
    from comptoir.billing.services import invoice_deliveries
    from comptoir.stock.services import create_delivery

    one = _order(buyer, items, [("chair", "2")], [{"percent": "10", "reason": "Remise 10 %"}])
    two = _order(buyer, items, [("chair", "1")], [{"percent": "5", "reason": "Remise 5 %"}])
    for order in (one, two):
        create_delivery(order)
    (invoice,) = invoice_deliveries(up_to=one.date)
    assert [(row["reason"], row["amount"]) for row in invoice.allowances_charges] == [
        ("Remise 10 %", "9.00"),
        ("Remise 5 %", "2.25"),
    ]
    assert all("percent" not in row for row in invoice.allowances_charges)
    assert invoice.total_allowances == one.total_allowances + two.total_allowances


def test_a_final_invoice_takes_its_percentage_on_what_it_sells_not_on_the_down_payment(
    items, buyer
):
    from comptoir.billing.services import create_down_payment, invoice_order
    from comptoir.stock.services import create_delivery

    order = _order(
        buyer, items, [("chair", "6"), ("book", "4")], [{"percent": "10", "reason": "Remise"}]
    )
    down_payment = issue_invoice(create_down_payment(order, percent=D("30")))
    create_delivery(order)
    final = invoice_order(order)
    assert final.total_allowances == order.total_allowances  # 10 % of 270.00 and of 84.40
    assert [row["base"] for row in final.allowances_charges] == ["270.00", "84.40"]
    assert final.total_net + down_payment.total_net == order.total_net
    assert_valid(validate_cii(build_xml(issue_invoice(final))), "final")


def test_a_partial_credit_note_gives_back_its_share_of_an_amount_discount(items, buyer):
    """15,00 € off lines of 100,00 and 50,00 €: crediting the first gives back 100,00 less its
    10,00 € share; crediting the second, 50,00 less the 5,00 € left. A shipping charge given as
    an amount stays with a whole credit note."""
    chair, book = (
        LineSpec(item=items["chair"], quantity=D("1"), unit_price=D(price))
        for price in ("100", "50")
    )
    invoice = issue_invoice(
        create_invoice(
            buyer,
            [chair, book],
            allowances_charges=[
                {"amount": "15.00", "reason": "Geste", "vat_category": "S", "vat_rate": "20.00"},
                {
                    "amount": "9.90",
                    "is_charge": True,
                    "reason": "Port",
                    "vat_category": "S",
                    "vat_rate": "20.00",
                },
            ],
        )
    )
    first, second = invoice.lines.order_by("position")
    one = issue_invoice(credit_invoice(invoice, {first.pk: D("1")}))
    two = issue_invoice(credit_invoice(invoice, {second.pk: D("1")}))
    assert (one.total_allowances, two.total_allowances) == (D("10.00"), D("5.00"))
    assert one.total_charges == two.total_charges == D("0")
    assert one.total_net + two.total_net == invoice.total_net - invoice.total_charges
    assert_valid(validate_cii(build_xml(two)), "second credit note")
