"""Coupons: the discount on a quotation, an order or an invoice; each refusal with its code on
the coupon field; one use per sale (saved again, converted, removed, deleted); batches of
codes; the e-invoice of an invoice with a coupon."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from comptoir.billing.facturx import build_xml
from comptoir.billing.services import (
    create_invoice,
    delete_invoice,
    invoice_order,
    invoice_quotation,
    issue_invoice,
    update_invoice,
)
from comptoir.billing.tests.validation import assert_valid, validate_cii
from comptoir.core.errors import BusinessError
from comptoir.pricing.coupons import ALPHABET, SOURCE
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Coupon, CouponRedemption, Tax
from comptoir.pricing.services import generate_coupons, save_coupon, switch_coupon
from comptoir.sales import services as sales
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def chair(company):
    return ItemFactory(code="CHAISE", name="Chaise", sale_price=D("100"))


@pytest.fixture
def book(company):
    return ItemFactory(
        code="LIVRE", name="Livre", sale_price=D("20"), tax=Tax.objects.get(code="TVA55")
    )


@pytest.fixture
def customer(company):
    return CustomerFactory()


def coupon(code="BIENVENUE10", **fields) -> Coupon:
    return save_coupon(
        code=code,
        name=fields.pop("name", "Bienvenue"),
        **{"reward": "percent", "value": 10, **fields},
    )


def quotation(customer, item, quantity="1", **header):
    return sales.create_quotation(customer, [LineSpec(item, D(quantity))], **header)


def uses(code) -> int:
    return CouponRedemption.objects.filter(coupon__code=code).count()


def test_a_percentage_coupon_takes_its_share_of_every_vat_rate(customer, chair, book):
    coupon()
    quote = sales.create_quotation(
        customer,
        [LineSpec(chair, D("2")), LineSpec(book, D("3"))],
        coupon_code=" bienvenue10 ",
    )
    assert quote.coupon_code == "BIENVENUE10"
    entries = [e for e in quote.allowances_charges if e.get("source") == SOURCE]
    assert [(e["vat_rate"], e["base"], e["amount"]) for e in entries] == [
        ("20.00", "200.00", "20.00"),
        ("5.50", "60.00", "6.00"),
    ]
    assert (quote.total_lines, quote.total_allowances, quote.total_net) == (
        D("260.00"),
        D("26.00"),
        D("234.00"),
    )
    assert uses("BIENVENUE10") == 1


def test_an_amount_coupon_is_shared_among_the_vat_rates_and_never_passes_the_lines(
    customer, chair, book
):
    coupon("MERCI25", reward="amount", value=25)
    quote = sales.create_quotation(
        customer, [LineSpec(chair, D("2")), LineSpec(book, D("3"))], coupon_code="MERCI25"
    )
    entries = [e for e in quote.allowances_charges if e.get("source") == SOURCE]
    # 25 × 200/260 = 19.23, the rest on the last rate.
    assert [(e["vat_rate"], e["amount"]) for e in entries] == [("20.00", "19.23"), ("5.50", "5.77")]
    assert quote.total_allowances == D("25.00")
    coupon("GROS", reward="amount", value=500)
    big = quotation(customer, book, "1", coupon_code="GROS")
    assert (big.total_allowances, big.total_net) == (D("20.00"), D("0.00"))


REFUSALS = [
    ({"active": False}, {}, "coupon.inactive"),
    ({"valid_to": date(2026, 1, 31)}, {"date": date(2026, 2, 1)}, "coupon.expired"),
    ({"valid_from": date(2026, 3, 1)}, {"date": date(2026, 2, 28)}, "coupon.not_yet_valid"),
    ({"minimum_amount": D("150")}, {}, "coupon.below_minimum"),
]


@pytest.mark.parametrize(("settings", "header", "code"), REFUSALS)
def test_a_coupon_that_does_not_apply_is_refused_on_its_field(
    customer, chair, settings, header, code
):
    coupon(**settings)
    with pytest.raises(BusinessError) as refused:
        quotation(customer, chair, coupon_code="BIENVENUE10", **header)
    assert (refused.value.code, refused.value.field) == (code, "coupon_code")
    assert "BIENVENUE10" in refused.value.message
    assert uses("BIENVENUE10") == 0


def test_the_bounds_of_its_validity_are_days_it_is_valid(customer, chair):
    coupon(valid_from=date(2026, 3, 1), valid_to=date(2026, 3, 31), minimum_amount=D("100"))
    quotation(customer, chair, coupon_code="BIENVENUE10", date=date(2026, 3, 1))
    quotation(customer, chair, coupon_code="BIENVENUE10", date=date(2026, 3, 31))
    assert uses("BIENVENUE10") == 2


def test_an_unknown_code_another_customers_and_a_used_up_one_are_refused(customer, chair):
    with pytest.raises(BusinessError) as refused:
        quotation(customer, chair, coupon_code="NOPE")
    assert refused.value.code == "coupon.unknown"
    coupon("PERSO", customer=CustomerFactory())
    with pytest.raises(BusinessError) as refused:
        quotation(customer, chair, coupon_code="PERSO")
    assert refused.value.code == "coupon.other_customer"
    coupon("UNIQUE", max_uses=1)
    quotation(CustomerFactory(), chair, coupon_code="UNIQUE")
    with pytest.raises(BusinessError) as refused:
        quotation(customer, chair, coupon_code="UNIQUE")
    assert refused.value.code == "coupon.used_up"
    coupon("UNEFOIS", max_uses_per_customer=1)
    quotation(customer, chair, coupon_code="UNEFOIS")
    quotation(CustomerFactory(), chair, coupon_code="UNEFOIS")  # another customer may
    with pytest.raises(BusinessError) as refused:
        quotation(customer, chair, coupon_code="UNEFOIS")
    assert refused.value.code == "coupon.used_up_by_customer"
    assert (uses("UNIQUE"), uses("UNEFOIS")) == (1, 2)


def test_saved_again_and_converted_a_sale_keeps_its_one_use(customer, chair, book):
    coupon(max_uses=1)
    quote = quotation(customer, chair, coupon_code="BIENVENUE10")
    quote = sales.update_quotation(quote, notes="Livraison le matin")
    quote = sales.update_quotation(quote, lines=[LineSpec(chair, D("3"))])
    assert quote.total_allowances == D("30.00")
    switch_coupon(Coupon.objects.get(code="BIENVENUE10"), False)  # switched off since: kept
    sales.send_quotation(quote)
    sales.accept_quotation(quote)
    order = sales.confirm_order(sales.convert_quotation_to_order(quote))
    assert order.coupon_code == "BIENVENUE10" and order.total_allowances == D("30.00")
    from comptoir.stock.services import create_delivery

    create_delivery(order)
    invoice = invoice_order(order)
    assert invoice.coupon_code == "BIENVENUE10" and invoice.total_allowances == D("30.00")
    (use,) = CouponRedemption.objects.all()
    assert (use.quotation_id, use.order_id, use.invoice_id) == (quote.pk, order.pk, invoice.pk)


def test_a_quotation_invoiced_straight_away_keeps_its_use(customer, chair):
    coupon(max_uses=1)
    quote = quotation(customer, chair, coupon_code="BIENVENUE10")
    sales.send_quotation(quote)
    sales.accept_quotation(quote)
    invoice = invoice_quotation(quote)
    assert invoice.total_allowances == D("10.00")
    assert CouponRedemption.objects.get().invoice_id == invoice.pk


def test_removing_the_code_or_deleting_the_draft_gives_the_use_back(customer, chair):
    coupon(max_uses=1)
    quote = quotation(customer, chair, coupon_code="BIENVENUE10")
    quote = sales.update_quotation(quote, coupon_code="")
    assert quote.total_allowances == D("0.00") and quote.allowances_charges == []
    assert uses("BIENVENUE10") == 0
    invoice = create_invoice(customer, [LineSpec(chair, D("1"))], coupon_code="BIENVENUE10")
    with pytest.raises(BusinessError) as refused:  # the last use is the invoice's
        sales.update_quotation(quote, coupon_code="BIENVENUE10")
    assert refused.value.code == "coupon.used_up"
    delete_invoice(invoice)
    quote = sales.update_quotation(quote, coupon_code="BIENVENUE10")
    assert quote.total_allowances == D("10.00") and uses("BIENVENUE10") == 1


def test_changing_the_code_moves_the_use(customer, chair):
    coupon("A10", max_uses=1)
    coupon("B20", value=20)
    invoice = create_invoice(customer, [LineSpec(chair, D("1"))], coupon_code="A10")
    invoice = update_invoice(invoice, coupon_code="B20")
    assert invoice.total_allowances == D("20.00")
    assert (uses("A10"), uses("B20")) == (0, 1)


def test_an_issued_invoice_with_a_coupon_is_a_valid_e_invoice(customer, chair, book, company):
    from examples.facturx import seller

    seller()
    coupon("MERCI25", reward="amount", value=25)
    invoice = create_invoice(
        customer, [LineSpec(chair, D("2")), LineSpec(book, D("3"))], coupon_code="MERCI25"
    )
    invoice = issue_invoice(invoice)
    assert_valid(validate_cii(build_xml(invoice)), invoice.number)
    assert b"Coupon MERCI25" in build_xml(invoice) or b"MERCI25" in build_xml(invoice)


def test_codes_generated_in_a_batch_share_their_settings_and_read_unambiguously(company):
    created = generate_coupons("NOEL-", 50, name="Noël", reward="amount", value=D("5"), max_uses=1)
    assert len({c.code for c in created}) == 50
    assert all(c.code.startswith("NOEL-") for c in created)
    assert all(set(c.code.removeprefix("NOEL-")) <= set(ALPHABET) for c in created)
    assert not set("O0I1") & set(ALPHABET)
    assert set(Coupon.objects.values_list("campaign", "value", "max_uses")) == {
        ("NOEL-", D("5.00"), 1)
    }


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"value": 0}, "coupon.invalid", "value"),
        ({"value": 120}, "coupon.invalid", "value"),
        ({"code": "a b"}, "coupon.invalid", "code"),
        (
            {"valid_from": date(2026, 2, 1), "valid_to": date(2026, 1, 1)},
            "coupon.invalid",
            "valid_to",
        ),
        ({"code": "bienvenue10"}, "coupon.code_taken", "code"),  # case-insensitive
    ],
)
def test_a_coupon_that_contradicts_itself_is_refused(company, fields, code, field):
    coupon()
    with pytest.raises(BusinessError) as refused:
        coupon(**{"code": "AUTRE", **fields})
    assert (refused.value.code, refused.value.field) == (code, field)


def test_the_batch_csv_lists_the_codes(company):
    from comptoir.pricing.coupons import coupons_csv

    created = generate_coupons("ETE", 3, name="Été", value=D("15"))
    rows = list(csv.reader(io.StringIO(coupons_csv(created)), delimiter=";"))
    assert rows[0][0] == "code" and sorted(r[0] for r in rows[1:]) == sorted(
        c.code for c in created
    )


def test_today_is_in_the_validity_of_a_coupon_without_dates(customer, chair):
    coupon(valid_to=date.today() + timedelta(days=1))
    assert quotation(customer, chair, coupon_code="BIENVENUE10").total_allowances == D("10.00")


def test_orders_and_their_invoices_with_a_coupon_cost_the_same_queries_by_3_or_by_30(
    customer, chair
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comptoir.billing.services import invoice_orders
    from comptoir.pricing.documents import DocumentRequest
    from comptoir.sales.models import SalesOrder
    from comptoir.stock.services import create_deliveries

    coupon()
    customers = [CustomerFactory() for _i in range(4)]

    def run(n):
        requests = [
            DocumentRequest(
                customers[i % 4], [LineSpec(chair, D("1"))], {"coupon_code": "BIENVENUE10"}
            )
            for i in range(n)
        ]
        counts = []
        with CaptureQueriesContext(connection) as made:
            orders = sales.create_orders(requests)
        counts.append(len(made.captured_queries))
        orders = sales.confirm_orders(orders)
        create_deliveries([(o, None) for o in orders])
        with CaptureQueriesContext(connection) as invoiced:
            invoice_orders(orders)
        counts.append(len(invoiced.captured_queries))
        return counts

    run(2)  # the numbering series are created
    small, large = run(3), run(30)
    assert [b - a for a, b in zip(small, large, strict=True)] == [0, 0], (small, large)
    assert CouponRedemption.objects.filter(invoice__isnull=False).count() == 35
    assert SalesOrder.objects.filter(total_allowances=D("10.00")).count() == 35


def test_the_invoices_of_an_order_share_its_amount_coupon_once_even_priced_again(customer, chair):
    from comptoir.pricing.models import ShippingMethod
    from comptoir.pricing.services import save_shipping
    from comptoir.stock.services import create_delivery

    coupon("MERCI25", reward="amount", value=25)
    order = sales.confirm_order(
        sales.create_order(customer, [LineSpec(chair, D("2"))], coupon_code="MERCI25")
    )
    assert order.total_allowances == D("25.00")
    line = order.lines.get()
    create_delivery(order, {line.pk: D("1")})
    first = invoice_order(order)
    create_delivery(order, {line.pk: D("1")})
    second = invoice_order(order)
    assert (first.total_allowances, second.total_allowances) == (D("25.00"), D("0.00"))
    free = save_shipping(
        ShippingMethod, code="RETRAIT", name="Retrait", tax=Tax.objects.get(code="TVA20")
    )
    from comptoir.pricing.models import ShippingRule

    save_shipping(ShippingRule, method=free, country="FR", charge=D("0"))
    second = update_invoice(second, shipping_method=free)  # priced again
    first = update_invoice(first, shipping_method=free)
    assert (first.total_allowances, second.total_allowances) == (D("25.00"), D("0.00"))
    assert CouponRedemption.objects.get().order_id == order.pk
