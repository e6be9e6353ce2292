"""`make examples`: one Factur-X PDF and one UBL 2.1 XML per case of the e-invoicing matrix, in
examples/out/.

The cases are business-to-business invoices issued through the services, as the tests check
them (comptoir/billing/tests/test_facturx.py): several VAT rates, line and document discounts,
a credit note, reverse charge, intra-EU supply, export, exempt training, a 0.01 rounding edge,
services only, percentage discounts and charges, promotions (a free item on its own line, a
bundle at a set price, a discount from an amount) and a partial credit note of them. Open the
files with any Factur-X or UBL reader or validator.
"""

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PARIS = [{"line1": "8 rue de Rivoli", "postal_code": "75004", "city": "Paris"}]
MILANO = [{"line1": "Via Roma 1", "postal_code": "20121", "city": "Milano", "country": "IT"}]
GENEVE = [{"line1": "Rue du Rhône 3", "postal_code": "1204", "city": "Genève", "country": "CH"}]


def seller():
    from comptoir.core.services import update_company
    from comptoir.pricing.models import PaymentTerms

    return update_company(
        legal_name="Atelier Test SARL",
        legal_form="SARL",
        share_capital=Decimal("10000"),
        siren="552100554",
        vat_id="FR96552100554",
        rcs_city="Lyon",
        address_line1="1 rue du Test",
        postal_code="69001",
        city="Lyon",
        email="factures@atelier-test.fr",
        iban="FR7630006000011234567890189",
        default_payment_terms=PaymentTerms.objects.get(code="30J"),
    )


def catalogue() -> dict:
    from comptoir.catalog.models import Unit
    from comptoir.catalog.services import create_item
    from comptoir.pricing.models import Tax

    unit = Unit.objects.get(code="C62")
    taxes = {t.code: t for t in Tax.objects.all()}

    def item(code, name, price, tax="TVA20", kind="goods"):
        return create_item(
            code=code, name=name, sale_price=Decimal(price), tax=taxes[tax], unit=unit, kind=kind
        )

    return {
        "chair": item("CHAISE", "Chaise hêtre", "45.00"),
        "book": item("LIVRE", "Livre de cuisine", "21.10", "TVA55"),
        "meal": item("REPAS", "Repas d'équipe", "18.00", "TVA10"),
        "service": item("INSTALL", "Installation", "90.00", kind="service"),
        "odd": item("VIS", "Vis inox", "0.0333"),
    }


def matrix(items) -> dict:
    """Case name → issued invoice or credit note, made through the services."""
    from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
    from comptoir.parties.services import create_customer
    from comptoir.pricing.engine import LineSpec
    from comptoir.pricing.models import Tax

    def customer(name: str, **fields):
        fields.setdefault("addresses", PARIS)
        email = f"compta@{name.lower().replace(' ', '')}.fr"
        return create_customer(name=name, email=email, **fields)

    def tax(code):
        return Tax.objects.get(code=code)

    cases = {}

    def issued(name, buyer, specs, **header):
        lines = [LineSpec(item=items[key], quantity=Decimal(q), **x) for key, q, x in specs]
        cases[name] = issue_invoice(create_invoice(buyer, lines, **header))
        return cases[name]

    french = customer("Client Francais", siren="732829320", vat_id="FR44732829320")
    several = issued(
        "several-rates",
        french,
        [("chair", "4", {}), ("book", "3", {}), ("meal", "2", {}), ("service", "1", {})],
    )
    issued(
        "line-and-document-discounts",
        french,
        [("chair", "10", {"discount_pct": Decimal("12.5")}), ("book", "1", {})],
        allowances_charges=[
            {
                "amount": "20.00",
                "is_charge": False,
                "reason": "Remise commerciale",
                "vat_category": "S",
                "vat_rate": "20.00",
            },
            {
                "amount": "9.90",
                "is_charge": True,
                "reason": "Frais de port",
                "vat_category": "S",
                "vat_rate": "20.00",
            },
        ],
    )
    cases["credit-note"] = issue_invoice(credit_invoice(several, reason="Retour"))
    # 5 % off the whole document: one allowance per VAT rate, each with its base (BT-93)
    # and its percentage (BT-94).
    percent_off = issued(
        "percentage-discount",
        french,
        [("chair", "3", {}), ("book", "7", {}), ("odd", "1", {})],
        allowances_charges=[{"percent": "5", "reason": "Remise fidélité 5\u00a0%"}],
    )
    # A partial credit note of it gives back the credited lines less their 5 %.
    chairs = percent_off.lines.get(item_code="CHAISE")
    cases["percentage-discount-partial-credit"] = issue_invoice(
        credit_invoice(percent_off, {chairs.pk: Decimal("1")}, reason="Retour d'une chaise")
    )
    issued(
        "percentage-charge",
        french,
        [("chair", "2", {}), ("service", "1", {})],
        allowances_charges=[
            {
                "percent": "2.5",
                "is_charge": True,
                "reason": "Frais de dossier",
                "vat_category": "S",
                "vat_rate": "20.00",
            }
        ],
    )
    issued(
        "reverse-charge",
        customer(
            "Sous Traitant", siren="380129866", vat_id="FR89380129866", default_tax=tax("AUTOLIQ")
        ),
        [("service", "3", {})],
    )
    issued(
        "intra-eu-supply",
        customer(
            "Cliente Italia", vat_id="IT00743110157", addresses=MILANO, default_tax=tax("INTRACOM")
        ),
        [("chair", "12", {})],
    )
    issued(
        "export",
        customer("Client Suisse", addresses=GENEVE, default_tax=tax("EXPORT")),
        [("chair", "5", {}), ("service", "1", {})],
    )
    issued(
        "exempt",
        customer("Association Locale", siren="443061841", default_tax=tax("EXO-FORMATION")),
        [("service", "2", {})],
    )
    issued("rounding-edge", french, [("odd", "3", {}), ("odd", "1", {})])
    down_payment, final = _down_payment_then_final(french, items)
    cases["down-payment"], cases["final-after-down-payment"] = down_payment, final
    issued("services-only", french, [("service", "2", {})])
    cases.update(_promotions(french, items))
    _coupons(issued, french)
    return cases


def _promotions(customer, items) -> dict:
    """An invoice from promotions: a chair and a book as a set at a set price (an allowance on
    each of their VAT rates), then a chair given for the three other chairs bought (its own
    line, free), 10 % off from 200 € (one allowance per VAT rate, with its base); and a partial
    credit note of one bought chair. The promotions are switched off afterwards."""
    from comptoir.billing.services import create_invoice, credit_invoice, issue_invoice
    from comptoir.pricing.engine import LineSpec
    from comptoir.pricing.models import PromotionKind
    from comptoir.pricing.services import save_promotion, set_promotion_active

    chair, book = items["chair"], items["book"]
    offers = [
        save_promotion(
            code="LOT-LECTURE",
            name="Chaise et livre",
            kind=PromotionKind.BUNDLE,
            set_price=Decimal("60"),
            components=[(chair, 1), (book, 1)],
            priority=10,
        ),
        save_promotion(
            code="3+1",
            name="3 achetées, 1 offerte",
            kind=PromotionKind.BUY_X_GET_Y,
            item=chair,
            quantity=Decimal("3"),
            reward_quantity=Decimal("1"),
        ),
        save_promotion(
            code="DES200",
            name="Dès 200 €",
            kind=PromotionKind.THRESHOLD,
            min_amount=Decimal("200"),
            discount_pct=Decimal("10"),
        ),
    ]
    lines = [
        LineSpec(item=chair, quantity=Decimal("4")),
        LineSpec(item=book, quantity=Decimal("1")),
        LineSpec(item=items["meal"], quantity=Decimal("1")),
    ]
    invoice = issue_invoice(create_invoice(customer, lines))
    bought = invoice.lines.get(item_code="CHAISE", promotion_code="")
    credit = issue_invoice(
        credit_invoice(invoice, {bought.pk: Decimal("1")}, reason="Retour d'une chaise")
    )
    for offer in offers:
        set_promotion_active(offer, False)
    return {"promotions": invoice, "promotions-partial-credit": credit}


def _coupons(issued, customer) -> None:
    """Invoices with a coupon: 10 % on every VAT rate, and 25,00 € shared among the rates in
    proportion to their lines (each part an allowance of its VAT rate)."""
    from comptoir.pricing.services import save_coupon

    save_coupon(code="BIENVENUE10", name="Bienvenue", reward="percent", value=Decimal("10"))
    save_coupon(code="MERCI25", name="Merci", reward="amount", value=Decimal("25"))
    several = [("chair", "2", {}), ("book", "3", {}), ("meal", "1", {})]
    issued("coupon-percentage", customer, several, coupon_code="bienvenue10")
    issued("coupon-amount", customer, several, coupon_code="MERCI25")


def _down_payment_then_final(customer, items):
    """A confirmed order, a 30 % down-payment invoice, then the final invoice deducting it."""
    from comptoir.billing.services import create_down_payment, invoice_order, issue_invoice
    from comptoir.pricing.engine import LineSpec
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import create_delivery

    order = confirm_order(
        create_order(
            customer,
            [
                LineSpec(item=items["chair"], quantity=Decimal("6")),
                LineSpec(item=items["book"], quantity=Decimal("4")),
            ],
        )
    )
    down_payment = issue_invoice(create_down_payment(order, percent=Decimal("30")))
    create_delivery(order)
    return down_payment, issue_invoice(invoice_order(order))


def main() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/examples.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from comptoir.billing.pdf import render_facturx
    from comptoir.billing.ubl import build_ubl

    call_command("migrate", verbosity=0)
    seller()
    OUT.mkdir(exist_ok=True)
    cases = matrix(catalogue())
    for name, invoice in cases.items():
        (OUT / f"{name}.pdf").write_bytes(render_facturx(invoice))
        (OUT / f"{name}.ubl.xml").write_bytes(build_ubl(invoice))
    print(f"{len(cases)} Factur-X PDFs and UBL XMLs in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
