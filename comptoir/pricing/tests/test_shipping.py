"""Shipping rules: which rule gives the charge (destination, weight, amount, priority, ties),
the charge on the documents (totals, recomputed, removed), in the e-invoice, through the API."""

import subprocess
from decimal import Decimal

import pytest
from lxml import etree

from comptoir.billing.facturx import build_xml
from comptoir.billing.pdf import render_facturx
from comptoir.billing.services import create_invoice, issue_invoice
from comptoir.billing.tests.test_exemptions import CHECKER
from comptoir.billing.tests.test_facturx import NS
from comptoir.billing.tests.validation import assert_valid, validate_cii, validate_ubl
from comptoir.billing.ubl import build_ubl
from comptoir.core.errors import BusinessError
from comptoir.parties.models import Address
from comptoir.pricing.documents import DocumentRequest, build_documents
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import ShippingMethod, ShippingRule, ShippingZone, Tax
from comptoir.pricing.services import save_shipping
from comptoir.pricing.shipping import ShippingRules, shipping_charge, shipping_entry
from comptoir.sales import services as sales
from comptoir.sales.models import SalesOrder, SalesOrderLine
from examples.facturx import seller
from tests.factories import AddressFactory, CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def rule(method, label, **fields):
    """A rule, remembered by its label for the table below."""
    created = save_shipping(ShippingRule, method=method, **fields)
    RULES[label] = created.pk
    return created


RULES: dict[str, int] = {}


@pytest.fixture
def colissimo(company):
    tva20 = Tax.objects.get(code="TVA20")
    method = save_shipping(
        ShippingMethod, code="COLI", name="Colissimo — domicile", carrier="La Poste", tax=tva20
    )
    paris = save_shipping(
        ShippingZone, code="IDF", name="Paris et petite couronne", postal_prefixes="75, 92,93 ;94"
    )
    corsica = save_shipping(ShippingZone, code="CORSE", name="Corse", postal_prefixes="20")
    rule(method, "fr up to 1 kg", country="FR", weight_up_to=D("1"), charge=D("6"))
    rule(method, "fr 1 to 5 kg", country="FR", weight_over=D("1"), weight_up_to=D("5"), charge=9)
    rule(
        method,
        "fr over 5 kg",
        country="FR",
        weight_over=D("5"),
        charge=D("12"),
        charge_per_kg=D("1.5"),
    )
    rule(method, "paris up to 5 kg", country="FR", zone=paris, weight_up_to=5, charge=D("4.9"))
    rule(method, "fr free from 100", country="FR", amount_from=D("100"), charge=D("0"))
    rule(method, "corsica", country="FR", zone=corsica, charge=D("20"), priority=5)
    rule(method, "belgium", country="BE", charge=D("15"))
    rule(method, "germany first", country="DE", charge=D("10"))
    # Saved before identical rules were refused: the oldest still wins.
    RULES["germany second"] = ShippingRule.objects.create(method=method, country="DE", charge=11).pk
    rule(method, "spain switched off", country="ES", charge=D("1"), active=False)
    return method


LYON = {"country": "FR", "postal_code": "69002"}
PARIS = {"country": "FR", "postal_code": "75004"}
BASTIA = {"country": "FR", "postal_code": "20200"}


@pytest.mark.parametrize(
    ("address", "weight", "amount", "expected", "charge"),
    [
        (LYON, "0.5", "50", "fr up to 1 kg", "6.00"),
        (LYON, "1", "50", "fr up to 1 kg", "6.00"),  # « up to » includes its bound
        (LYON, "1.001", "50", "fr 1 to 5 kg", "9.00"),  # « over » excludes it
        (LYON, "0", "50", "fr up to 1 kg", "6.00"),  # services only weigh nothing
        (LYON, "10", "50", "fr over 5 kg", "27.00"),  # 12 + 10 kg × 1.50
        (PARIS, "0.5", "50", "paris up to 5 kg", "4.90"),  # a zone beats the whole country
        (PARIS, "10", "50", "fr over 5 kg", "27.00"),  # the zone's rule stops at 5 kg
        (LYON, "0.5", "100", "fr free from 100", "0.00"),  # « from » includes its bound
        (LYON, "0.5", "99.99", "fr up to 1 kg", "6.00"),
        (PARIS, "0.5", "150", "fr free from 100", "0.00"),  # an amount beats a zone
        (BASTIA, "0.5", "150", "corsica", "20.00"),  # priority beats everything
        ({"country": "be", "postal_code": "1000"}, "3", "50", "belgium", "15.00"),
        ({"country": "DE", "postal_code": "10115"}, "3", "50", "germany first", "10.00"),  # tie
    ],
)
def test_the_rule_that_applies_gives_the_charge(
    colissimo, address, weight, amount, expected, charge
):
    quote = shipping_charge(colissimo, address, D(weight), D(amount))
    assert (quote.rule.pk, quote.charge) == (RULES[expected], D(charge))
    assert colissimo.name in quote.explanation and "n°" not in quote.explanation


@pytest.mark.parametrize(
    "address",
    [
        {"country": "ES", "postal_code": "28001"},  # its only rule is switched off
        {"country": "IT", "postal_code": "20121"},  # no rule at all
        {},  # no address
    ],
)
def test_a_destination_no_rule_covers_is_refused_with_its_code(colissimo, address):
    with pytest.raises(BusinessError) as refused:
        shipping_charge(colissimo, address, D("1"), D("50"))
    assert refused.value.code == "shipping_not_covered"
    assert refused.value.field == "shipping_method"
    assert "Colissimo" in refused.value.message


def test_an_archived_method_is_refused(colissimo):
    save_shipping(ShippingMethod, colissimo, active=False)
    colissimo.refresh_from_db()
    with pytest.raises(BusinessError) as refused:
        shipping_charge(colissimo, LYON, D("1"), D("50"))
    assert refused.value.code == "shipping_method_archived"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weight_over": D("5"), "weight_up_to": D("1")}, "weight_up_to"),
        ({"amount_from": D("100"), "amount_below": D("100")}, "amount_below"),
        ({"charge": D("-1")}, "charge"),
        ({"country": "FRA"}, "country"),
    ],
)
def test_a_rule_that_contradicts_itself_is_refused(colissimo, fields, field):
    with pytest.raises(BusinessError) as refused:
        save_shipping(ShippingRule, method=colissimo, **{"country": "FR", "charge": 5, **fields})
    assert refused.value.field == field


def test_a_zone_in_another_country_than_its_rule_is_refused(colissimo):
    zone = ShippingZone.objects.get(code="IDF")
    with pytest.raises(BusinessError) as refused:
        save_shipping(ShippingRule, method=colissimo, country="BE", zone=zone, charge=5)
    assert refused.value.field == "zone"


# Documents --------------------------------------------------------------------------------------


def heavy_item(weight="2.5", price="20.00"):
    return ItemFactory(weight=D(weight), sale_price=D(price))


def test_an_order_with_a_method_states_the_charge_in_its_totals(colissimo):
    customer = CustomerFactory()  # in Lyon
    item = heavy_item()
    order = sales.create_order(customer, [LineSpec(item, D("2"))], shipping_method=colissimo)
    # 5 kg, 40 € → the 1-to-5 kg rule: 9 €, with the method's VAT (20 %).
    entry = shipping_entry(order)
    assert entry["amount"] == "9.00" and entry["rule"] == RULES["fr 1 to 5 kg"]
    assert entry["vat_category"] == "S" and entry["vat_rate"] == "20.00"
    assert entry["reason"] == "Frais de port (Colissimo — domicile)"
    assert (order.total_lines, order.total_charges, order.total_net) == (D("40"), D("9"), D("49"))
    assert (order.total_vat, order.total_gross) == (D("9.80"), D("58.80"))

    # The lines change: the charge is priced again (3 kg → still 9 €; 6 units → 15 kg, 120 €:
    # free from 100 €).
    sales.update_order(order, lines=[LineSpec(item, D("6"))])
    order.refresh_from_db()
    assert shipping_entry(order) is None and order.total_charges == 0
    assert order.total_gross == D("144.00")

    # A user's own charge is kept; the shipping one replaced, never doubled.
    sales.update_order(order, lines=[LineSpec(item, D("1"))])
    sales.update_order(
        order,
        allowances_charges=[
            {
                "amount": "5.00",
                "is_charge": True,
                "reason": "Emballage",
                "vat_category": "S",
                "vat_rate": "20.00",
            }
        ],
    )
    order.refresh_from_db()
    reasons = [e["reason"] for e in order.allowances_charges]
    assert reasons == ["Emballage", "Frais de port (Colissimo — domicile)"]
    assert order.total_charges == D("14.00")  # 5 + 9 (2.5 kg)

    # No method: no shipping charge; the user's own stays.
    sales.update_order(order, shipping_method=None)
    order.refresh_from_db()
    assert [e["reason"] for e in order.allowances_charges] == ["Emballage"]
    assert order.total_charges == D("5.00")


def test_the_charge_goes_to_the_delivery_address_with_the_customers_vat(colissimo):
    customer = CustomerFactory()
    AddressFactory(customer=customer, kind=Address.Kind.SHIPPING, postal_code="75011")
    customer.default_tax = Tax.objects.get(code="AUTOLIQ")
    customer.save()
    order = sales.create_order(
        customer, [LineSpec(heavy_item(), D("1"))], shipping_method=colissimo
    )
    entry = shipping_entry(order)
    assert entry["amount"] == "4.90"  # Paris, not the billing address in Lyon
    assert entry["vat_category"] == "AE"  # reverse charge, as its lines
    assert order.total_vat == 0


def test_an_order_to_a_destination_no_rule_covers_is_refused_and_nothing_is_saved(colissimo):
    customer = CustomerFactory(billing__country="ES", billing__postal_code="28001")
    with pytest.raises(BusinessError) as refused:
        sales.create_order(customer, [LineSpec(heavy_item(), D("1"))], shipping_method=colissimo)
    assert refused.value.code == "shipping_not_covered"
    assert not SalesOrder.objects.exists()


def test_an_invoice_with_a_shipping_charge_is_a_valid_e_invoice(colissimo):
    seller()
    customer = CustomerFactory(siren="732829320", vat_id="FR44732829320")
    books = ItemFactory(weight=D("0.4"), sale_price=D("30"), tax=Tax.objects.get(code="TVA55"))
    invoice = create_invoice(customer, [LineSpec(books, D("2"))], shipping_method=colissimo)
    invoice = issue_invoice(invoice)
    assert invoice.total_charges == D("6.00")
    # Books at 5.5 %, shipping at the method's 20 %: two breakdowns.
    assert [(g["rate"], g["taxable_amount"]) for g in invoice.vat_breakdown] == [
        ("20.00", "6.00"),
        ("5.50", "60.00"),
    ]
    xml = build_xml(invoice)
    assert_valid(validate_cii(xml), invoice.number)
    assert_valid(validate_ubl(build_ubl(invoice)), invoice.number)  # the UBL syntax too
    tree = etree.fromstring(xml)
    (charge,) = tree.findall(".//ram:SpecifiedTradeAllowanceCharge", NS)
    udt = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
    assert (
        charge.findtext("ram:ChargeIndicator/udt:Indicator", namespaces={**NS, "udt": udt})
        == "true"
    )
    assert charge.findtext("ram:ActualAmount", namespaces=NS) == "6.00"
    assert charge.findtext("ram:Reason", namespaces=NS) == "Frais de port (Colissimo — domicile)"


def test_an_invoice_with_a_shipping_charge_passes_the_independent_validator(colissimo, tmp_path):
    """The second opinion: ../shared/validation/check-facturx --fr on its Factur-X PDF."""
    if not CHECKER.exists():
        pytest.skip(f"no second opinion: {CHECKER} is not beside the project (CI has it)")
    seller()
    customer = CustomerFactory(siren="732829320", vat_id="FR44732829320")
    invoice = create_invoice(customer, [LineSpec(heavy_item(), D("3"))], shipping_method=colissimo)
    invoice = issue_invoice(invoice)
    assert invoice.total_charges == D("23.25")  # 7,5 kg: 12 € + 7,5 × 1,50 €
    (tmp_path / "port.pdf").write_bytes(render_facturx(invoice))
    result = subprocess.run(
        [str(CHECKER), "--fr", "--quiet", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1/1 valid" in result.stdout, result.stdout[-4000:]


def test_a_quotation_converted_to_an_order_keeps_its_method_and_charge(colissimo):
    quotation = sales.create_quotation(
        CustomerFactory(), [LineSpec(heavy_item(), D("1"))], shipping_method=colissimo
    )
    sales.send_quotation(quotation)
    sales.accept_quotation(quotation)
    order = sales.convert_quotation_to_order(quotation)
    assert order.shipping_method == colissimo
    assert [e["amount"] for e in order.allowances_charges] == ["9.00"]  # once, not twice


@pytest.fixture
def as_line(colissimo):
    """The company states shipping as a line of the method's service item « PORT »."""
    from comptoir.core.services import update_company

    update_company(shipping_as_line=True)
    port = ItemFactory(code="PORT", name="Frais de port", kind="service", sale_price=0)
    return save_shipping(ShippingMethod, colissimo, item=port)


def test_shipping_as_a_line_is_a_recomputed_line_of_the_methods_item(as_line):
    from comptoir.billing.services import invoice_orders
    from comptoir.core.services import update_company
    from comptoir.pricing.forms import DocumentForm

    customer = CustomerFactory()
    item = heavy_item()
    order = sales.create_order(customer, [LineSpec(item, D("2"))], shipping_method=as_line)
    lines = list(order.lines.order_by("position"))
    assert [(x.item_code, x.is_shipping, x.is_service) for x in lines] == [
        (item.code, False, False),
        ("PORT", True, True),
    ]
    assert lines[1].description == "Frais de port (Colissimo — domicile)"
    assert (lines[1].quantity, lines[1].unit_price, lines[1].vat_rate) == (1, D("9"), D("20"))
    assert order.allowances_charges == [] and order.total_charges == 0
    assert (order.total_lines, order.total_gross) == (D("49.00"), D("58.80"))

    # The form shows the lines typed, not the shipping line; saving them back recomputes it.
    form = DocumentForm(document=order)
    assert [row.values["item"] for row in form.rows] == [item.code]
    sales.update_order(order, lines=[LineSpec(item, D("1"))])
    assert [(x.item_code, x.unit_price) for x in order.lines.order_by("position")] == [
        (item.code, D("20")),
        ("PORT", D("9")),  # 2,5 kg
    ]
    # Another method, or none: the line follows.
    sales.update_order(order, shipping_method=None)
    assert [x.item_code for x in order.lines.all()] == [item.code]
    order.refresh_from_db()
    assert order.total_gross == D("24.00")
    sales.update_order(order, shipping_method=as_line)
    order.refresh_from_db()
    assert order.lines.filter(is_shipping=True).count() == 1 and order.total_gross == D("34.80")

    # Invoiced with the order's first invoice, as a service, still marked.
    update_company(invoice_basis="ordered")
    sales.confirm_order(order)
    (invoice,) = invoice_orders([order])
    shipped = invoice.lines.get(is_shipping=True)
    assert (shipped.item_code, shipped.net_amount) == ("PORT", D("9.00"))
    assert invoice.total_gross == order.total_gross


def test_shipping_as_a_line_needs_the_methods_item(as_line):
    save_shipping(ShippingMethod, as_line, item=None)
    as_line.refresh_from_db()
    with pytest.raises(BusinessError) as refused:
        sales.create_order(CustomerFactory(), [LineSpec(heavy_item(), 1)], shipping_method=as_line)
    assert refused.value.code == "shipping_method_item_missing"
    assert refused.value.field == "shipping_method"


def test_a_batch_of_orders_reads_the_rules_once(colissimo, django_assert_num_queries):
    item = heavy_item()
    customers = [CustomerFactory() for _ in range(12)]

    def build(count):
        requests = [
            DocumentRequest(c, [LineSpec(item, D("1"))], {"shipping_method": colissimo})
            for c in customers[:count]
        ]
        return build_documents(SalesOrder, SalesOrderLine, requests)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        build(1)
    with CaptureQueriesContext(connection) as twelve:
        built = build(12)
    assert len(twelve) == len(one)
    assert all(doc.total_charges == D("9.00") for doc, _lines in built)
    rules = [q["sql"] for q in twelve.captured_queries if "pricing_shippingrule" in q["sql"]]
    assert len(rules) == 1


def test_shipping_rules_are_read_once_for_several_methods(colissimo, django_assert_num_queries):
    other = save_shipping(
        ShippingMethod, code="CHRONO", name="Chronopost", tax=Tax.objects.get(code="TVA20")
    )
    save_shipping(ShippingRule, method=other, country="FR", charge=D("25"))
    with django_assert_num_queries(1):
        rules = ShippingRules([colissimo, other, None, colissimo])
    with django_assert_num_queries(0):
        assert rules.quote(other, LYON, D("1"), D("1")).charge == D("25.00")
        assert rules.quote(colissimo, LYON, D("1"), D("1")).charge == D("6.00")


# API --------------------------------------------------------------------------------------------


def test_shipping_methods_zones_and_rules_through_the_api(api):
    made = api.post(
        "/shipping-methods",
        {"code": "DPD", "name": "DPD — relais", "carrier": "DPD", "tax": "TVA20"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["tax"] == "TVA20"
    zone = api.post("/shipping-zones", {"code": "NORD", "name": "Nord", "postal_prefixes": "59,62"})
    assert zone.status_code == 201, zone.content
    made_rule = api.post(
        "/shipping-rules",
        {"method": "DPD", "zone": "NORD", "weight_up_to": "2", "charge": "7.50"},
    )
    assert made_rule.status_code == 201, made_rule.content
    assert made_rule.json()["zone"] == "NORD" and made_rule.json()["country"] == "FR"
    pk = made_rule.json()["id"]
    changed = api.patch(f"/shipping-rules/{pk}", {"charge": "8", "weight_up_to": None})
    assert changed.status_code == 200 and changed.json()["weight_up_to"] is None
    assert [r["id"] for r in api.get("/shipping-rules").json()] == [pk]
    bad = api.post("/shipping-rules", {"method": "NOPE", "charge": "1"})
    assert bad.status_code == 404 and bad.json()["field"] == "method"
    upside_down = api.post(
        "/shipping-rules", {"method": "DPD", "amount_from": "50", "amount_below": "10", "charge": 1}
    )
    assert upside_down.status_code == 400 and upside_down.json()["field"] == "amount_below"
    # Switched off, it is left out of the list unless asked for.
    assert api.patch(f"/shipping-methods/{made.json()['id']}", {"active": False}).status_code == 200
    assert api.get("/shipping-methods").json() == []
    assert len(api.get("/shipping-methods?inactive=true").json()) == 1
    # A zone its rules use cannot go.
    refused = api.delete(f"/shipping-zones/{zone.json()['id']}")
    assert refused.status_code == 409 and refused.json()["code"] == "shipping.in_use"


def test_an_order_through_the_api_gets_its_charge_or_a_clear_4xx(api, colissimo):
    lyon = CustomerFactory(code="LYON")
    CustomerFactory(code="MADRID", billing__country="ES", billing__postal_code="28001")
    item = heavy_item()
    body = {"lines": [{"item": item.code, "quantity": "1"}], "shipping_method": "COLI"}
    made = api.post("/orders", {**body, "customer": "LYON"})
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["total_charges"] == "9.00" and order["shipping_method_id"] == colissimo.pk
    (entry,) = order["allowances_charges"]
    assert entry["source"] == "shipping" and "Colissimo" in entry["explanation"]

    refused = api.post("/orders", {**body, "customer": "MADRID"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "shipping_not_covered"
    assert refused.json()["field"] == "shipping_method"
    assert "28001 Espagne" in refused.json()["message"]

    unknown = api.post("/orders", {**body, "customer": "LYON", "shipping_method": "NOPE"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "shipping_method"

    # Removing the method of a draft removes its charge.
    removed = api.patch(f"/orders/{order['id']}", {"shipping_method": ""})
    assert removed.status_code == 200, removed.content
    assert removed.json()["total_charges"] == "0.00" and removed.json()["allowances_charges"] == []
    assert lyon.pk == order["customer_id"]


# Items weigh ------------------------------------------------------------------------------------


def test_an_items_weight_through_the_api_the_form_and_an_import(api, tmp_path, settings):
    made = api.post(
        "/items", {"code": "SAC", "name": "Sac 25 kg", "sale_price": "9", "weight": "25"}
    )
    assert made.status_code == 201, made.content
    assert made.json()["weight"] == "25.000"
    pk = made.json()["id"]
    assert api.patch(f"/items/{pk}", {"weight": "24.5"}).json()["weight"] == "24.500"
    negative = api.patch(f"/items/{pk}", {"weight": "-1"})
    assert negative.status_code == 422

    # The item form: a weight typed the French way; left blank, the item weighs nothing.
    from comptoir.catalog.forms import ItemForm
    from comptoir.catalog.models import Item

    item = Item.objects.get(pk=pk)
    data = {
        "code": "SAC", "name": "Sac 25 kg", "kind": "goods", "unit": item.unit_id,
        "sale_price": "9", "cost_price": "0", "tax": item.tax_id, "lead_time_days": "0",
        "active": "on",
    }  # fmt: skip
    typed = ItemForm({**data, "weight": "1,25"}, instance=item)
    assert typed.is_valid(), typed.errors
    assert typed.cleaned_data["weight"] == D("1.25")
    blank = ItemForm({**data, "weight": ""}, instance=item)
    assert blank.is_valid(), blank.errors
    assert blank.cleaned_data["weight"] == 0

    # An import creating an item gives it the file's weight.
    from comptoir.imports.tests.conftest import run

    settings.MEDIA_ROOT = tmp_path
    header = (
        "reference_partenaire;date_document;code_client;nom_client;code_postal_facturation;"
        "ville_facturation;code_article;designation;quantite;prix_unitaire;poids"
    )
    content = (
        f"{header}\nW1;2026-03-15;C1;Dupont SARL;69003;Lyon;SEAU;Seau 10 L;2;4,50;0,8\n"
    ).encode()
    from comptoir.imports.services import save_partner

    _batch, report = run(save_partner(name="Boutique"), content)
    assert report.items_created == 1, report
    assert Item.objects.get(code="SEAU").weight == D("0.800")


def test_an_import_naming_a_shipping_method_charges_it_or_says_why_not(
    colissimo, tmp_path, settings, english
):
    """A file's documents priced by the method's rules; an unknown method is an anomaly of its
    row; a destination no rule covers fails its document with the reason, the others go on."""
    from comptoir.imports.models import ImportRow
    from comptoir.imports.services import save_partner
    from comptoir.imports.tests.conftest import run

    settings.MEDIA_ROOT = tmp_path
    header = (
        "reference_partenaire;date_document;nom_client;adresse_facturation;"
        "code_postal_facturation;ville_facturation;pays_facturation;code_article;quantite;prix_unitaire;poids;mode_livraison;frais_port"
    )
    rows = [
        "S1;2026-03-15;Dupont SARL;1 rue A;69003;Lyon;FR;SAC;2;20;1,5;COLI;",  # 3 kg: 9 €
        "S2;2026-03-15;Garcia SL;2 calle B;28001;Madrid;ES;SAC;1;20;1,5;COLI;",  # not covered
        "S3;2026-03-15;Martin SAS;3 rue C;75011;Paris;FR;SAC;1;20;1,5;NOPE;",  # unknown method
        "S4;2026-03-15;Petit SA;4 rue D;75011;Paris;FR;SAC;1;20;1,5;COLI;5",  # both: refused
    ]
    partner = save_partner(name="Boutique")
    batch, report = run(partner, "\n".join([header, *rows, ""]).encode())
    assert report.documents_created == 1, [
        (r.reference, r.errors) for r in ImportRow.objects.filter(batch=batch)
    ]
    from comptoir.billing.models import Invoice

    created = Invoice.objects.get(customer_reference="S1")
    assert created.total_charges == D("9.00") and created.shipping_method == colissimo
    errors = {
        row.reference: " ".join(e["message"] for e in row.errors)
        for row in ImportRow.objects.filter(batch=batch).exclude(reference="S1")
    }
    assert "No rule of « Colissimo — domicile » covers a delivery to 28001 Spain" in errors["S2"]
    assert errors["S3"] == "Unknown shipping method: NOPE."
    assert "not both" in errors["S4"]


def test_a_country_is_an_iso_code_typed_as_it_comes(api, client, user):
    wrong = api.post(
        "/shipping-zones",
        {"code": "X", "name": "Nulle part", "country": "XX", "postal_prefixes": "75"},
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "country"
    client.force_login(user)
    page = client.post(
        "/settings/shipping-zones/new/",
        {"code": "DE1", "name": "Allemagne", "country": "Allemagne", "postal_prefixes": "10"},
    )
    assert page.status_code == 400  # the form, again, with the message beside the field
    assert "«\u00a0ALLEMAGNE\u00a0» n’est pas un code de pays" in page.content.decode()
    client.post(
        "/settings/shipping-zones/new/",
        {"code": "DE1", "name": "Berlin", "country": "de", "postal_prefixes": "10"},
    )
    assert ShippingZone.objects.get(code="DE1").country == "DE"


def test_an_identical_rule_is_refused_on_the_form_and_through_the_api(api, client, user):
    tva20 = Tax.objects.get(code="TVA20")
    chrono = save_shipping(ShippingMethod, code="CHRONO", name="Chronopost 24 h", tax=tva20)
    save_shipping(ShippingRule, method=chrono, country="FR", charge=D("12"))
    same = {"method": "CHRONO", "country": "FR", "charge": "9", "priority": 0}
    refused = api.post("/shipping-rules", same)
    assert refused.status_code == 400, refused.content
    assert (refused.json()["code"], refused.json()["field"]) == (
        "shipping_rule.overlaps",
        "priority",
    )
    assert "«\u00a0Chronopost 24 h vers France\u00a0»" in refused.json()["message"]
    assert "12,00\u00a0€" in refused.json()["message"]
    client.force_login(user)
    page = client.post(
        "/settings/shipping-rules/new/",
        {
            "method": chrono.pk,
            "country": "FR",
            "charge": "9",
            "charge_per_kg": "0",
            "priority": "0",
            "active": "on",
        },
    )
    assert page.status_code == 400
    assert "a les mêmes conditions et la même priorité" in page.content.decode()
    assert ShippingRule.objects.filter(method=chrono).count() == 1
    # Another priority, another weight range, or the other one switched off: accepted.
    assert api.post("/shipping-rules", {**same, "priority": 1}).status_code == 201
    assert api.post("/shipping-rules", {**same, "weight_up_to": "2"}).status_code == 201
    other = api.post("/shipping-rules", {**same, "country": "BE"}).json()["id"]
    assert api.patch(f"/shipping-rules/{other}", {"country": "FR"}).status_code == 400
    assert api.patch(f"/shipping-rules/{other}", {"active": False}).status_code == 200
