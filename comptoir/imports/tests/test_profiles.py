"""Partners' own exports read through a mapping profile (Shopify, WooCommerce, custom)."""

from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.imports.models import ImportBatch
from comptoir.imports.services import save_partner
from comptoir.parties.models import Customer

from .conftest import run, upload

pytestmark = pytest.mark.django_db

# The order's fields are on its first row only, as Shopify exports them.
SHOPIFY = (
    "Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Address1,"
    "Billing Address2,Billing Company,Billing City,Billing Zip,Billing Country,Billing Phone,"
    "Payment Method,Notes,Vendor\n"
    "#1001,lea@exemple.fr,paid,2026-03-02 10:15:00 +0100,EUR,60.00,6.00,11.00,66.00,"
    "2026-03-02 10:15:00 +0100,2,Café en grains 1 kg,18.00,CAFE-1KG,Léa Martin,3 rue Vieille,"
    ",,Dijon,'21000,FR,+33600000000,Shopify Payments,,Torréfacteur\n"
    "#1001,lea@exemple.fr,,,,,,,,,1,Moulin à café,24.00,MOULIN,,,,,,,,,,,Torréfacteur\n"
    "#1002,bob@exemple.fr,pending,,EUR,12.00,0.00,2.00,12.00,2026-03-03 09:00:00 +0100,"
    "1,Thé vert,12.00,THE-VERT,Bob Durand,1 quai Sud,,Durand SAS,Nantes,44000,FR,,,"
    "Livrer le matin,\n"
)

WOOCOMMERCE = (
    "order_id,order_number,order_date,status,shipping_total,order_total,order_currency,"
    "payment_method,customer_id,billing_first_name,billing_last_name,billing_company,"
    "billing_email,billing_phone,billing_address_1,billing_address_2,billing_postcode,"
    "billing_city,billing_country,customer_note,item_name,item_sku,item_quantity,"
    "item_subtotal,item_total\n"
    "501,501,2026-04-01 12:00:00,completed,5.00,53.00,EUR,bacs,0,Anne,Roy,,anne@ex.fr,,"
    "2 rue Haute,,33000,Bordeaux,FR,,Savon,SAV-1,3,24.00,24.00\n"
    "501,501,2026-04-01 12:00:00,completed,5.00,53.00,EUR,bacs,0,Anne,Roy,,anne@ex.fr,,"
    "2 rue Haute,,33000,Bordeaux,FR,,Huile,HUI-1,2,20.00,20.00\n"
)


def test_a_shopify_export_is_imported_as_it_is(partner):
    partner = save_partner(partner, mapping={"profile": "shopify"})
    batch, report = run(partner, SHOPIFY.encode(), "orders_export.csv")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PROCESSED, batch.error
    assert report.failed_rows == 0 and report.documents_created == 2, report
    lea = Invoice.objects.get(customer_reference="#1001")
    assert lea.customer.name == "Léa Martin"
    assert lea.billing_address["postal_code"] == "21000"  # the leading quote mark is gone
    assert lea.lines.count() == 2
    assert lea.total_gross == Decimal("66.00")  # prices with VAT, as the shop shows them
    assert lea.amount_due == Decimal("0.00")  # "paid": the total was recorded as paid
    bob = Invoice.objects.get(customer_reference="#1002")
    assert Customer.objects.get(pk=bob.customer_id).name == "Durand SAS"
    assert bob.amount_paid == Decimal("0.00")  # pending: nothing recorded
    assert bob.notes == "Livrer le matin"
    assert "Vendor" in batch.layout["unknown"]


def test_a_woocommerce_export_is_imported_with_unit_prices_from_line_totals(partner):
    partner = save_partner(partner, mapping={"profile": "woocommerce"})
    _batch, report = run(partner, WOOCOMMERCE.encode(), "orders.csv")
    assert report.documents_created == 1 and report.failed_rows == 0, report
    invoice = Invoice.objects.get()
    assert invoice.customer_name == "Anne Roy"
    assert [line.unit_price for line in invoice.lines.order_by("position")] == [
        Decimal("8.0000"),
        Decimal("10.0000"),
    ]
    assert invoice.total_net == Decimal("49.00")  # 24 + 20 + 5 shipping


def test_a_custom_mapping_splits_combines_and_sets_constants(partner):
    mapping = {
        "columns": {
            "reference_partenaire": "Commande",
            "date_document": {"from": "Horodatage", "split": " ", "part": 0},
            "nom_client": ["Prénom", "Nom"],
            "code_article": "Réf",
            "quantite": "Qté",
            "prix_unitaire": "PU HT",
            "taux_tva": {"value": "20"},
        }
    }
    partner = save_partner(partner, mapping=mapping)
    content = "Commande;Horodatage;Prénom;Nom;Réf;Qté;PU HT\nK1;05/05/2026 08:30;Jo;Lee;X1;2;10\n"
    _batch, report = run(partner, content.encode())
    assert report.documents_created == 1, report
    invoice = Invoice.objects.get()
    assert invoice.customer_name == "Jo Lee" and str(invoice.supply_date) == "2026-05-05"
    assert invoice.total_gross == Decimal("24.00")


def test_a_rows_texts_are_read_through_the_mapping_it_was_read_with(partner):
    """Rows store no texts until edited: they are read from the cells through the layout
    kept with the file, whatever the partner's mapping has become since."""
    columns = {"reference_partenaire": "Commande", "date_document": "Date", "code_article": "Art"}
    columns |= {"nom_client": ["Prénom", "Nom"], "quantite": "Qté", "prix_unitaire": "Prix"}
    partner = save_partner(partner, mapping={"columns": columns})
    content = "Commande;Date;Prénom;Nom;Art;Qté;Prix\nK1;05/05/2026;Jo;Lee;X1;2;10\n"
    batch = upload(partner, content.encode())
    save_partner(partner, mapping={})
    (row,) = batch.rows.all()
    assert row.data is None
    assert row.texts == {
        "reference_partenaire": "K1",
        "date_document": "05/05/2026",
        "nom_client": "Jo Lee",
        "code_article": "X1",
        "quantite": "2",
        "prix_unitaire": "10",
    }


def test_a_mapping_naming_a_missing_column_refuses_the_file_clearly(partner):
    partner = save_partner(partner, mapping={"profile": "shopify"})
    batch = upload(partner, b"Name,Email\n#1,a@b.fr\n")
    assert batch.status == ImportBatch.Status.REFUSED
    assert "Created at" in batch.error


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"profile": "amazon"}, "unknown profile"),
        ({"columns": {"colour": "Couleur"}}, "not a template column"),
        ({"columns": {"quantite": {"twice": "Qty"}}}, "cannot read"),
        ({"columns": {"prix_unitaire": {"divide": ["A"]}}}, "two specs"),
    ],
)
def test_a_wrong_mapping_is_refused_when_it_is_saved(partner, mapping, message):
    from comptoir.core.errors import BusinessError

    with pytest.raises(BusinessError, match=message):
        save_partner(partner, mapping=mapping)
