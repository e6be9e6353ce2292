"""The import template: its columns, what each holds, and how a header names one.

One row per document line; the document's fields are repeated on each of its rows and
``reference_partenaire`` groups the rows into one document. The French names are canonical;
the English names are accepted too. docs/import.md is the written specification.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    name: str
    english: str
    kind: (
        str  # text, date, quantity, weight, price, rate, amount, boolean, choice, country, currency
    )
    required: bool
    document: bool  # a document field (same on every row of the document) or a line field
    help: str
    max_length: int = 200
    example: str = ""


COLUMNS = [
    Column(
        "reference_partenaire",
        "partner_reference",
        "text",
        True,
        True,
        _("The partner's reference of the document; its rows share it."),
        100,
        "CMD-1001",
    ),
    Column(
        "date_document",
        "document_date",
        "date",
        True,
        True,
        _("Date of the sale: dd/mm/yyyy or yyyy-mm-dd."),
        example="15/03/2026",
    ),
    Column(
        "code_client",
        "customer_code",
        "text",
        False,
        True,
        _("The partner's customer id, or our customer code."),
        50,
        "C-778",
    ),
    Column(
        "nom_client", "customer_name", "text", True, True, _("Customer name."), 200, "Dupont SARL"
    ),
    Column(
        "type_client",
        "customer_type",
        "choice",
        False,
        True,
        _("societe (company, default) or particulier (individual)."),
        example="societe",
    ),
    Column("siren", "siren", "text", False, True, _("SIREN (9 digits)."), 9, "732829320"),
    Column(
        "tva_intracom",
        "vat_number",
        "text",
        False,
        True,
        _("Intra-EU VAT number."),
        20,
        "FR44732829320",
    ),
    Column("email", "email", "text", False, True, _("Customer e-mail."), 254, "achats@dupont.fr"),
    Column("telephone", "phone", "text", False, True, _("Customer phone."), 30, "01 23 45 67 89"),
    Column(
        "adresse_facturation",
        "billing_address",
        "text",
        False,
        True,
        _("Billing address (street)."),
        200,
        "12 rue des Lilas",
    ),
    Column(
        "code_postal_facturation",
        "billing_postal_code",
        "text",
        False,
        True,
        _("Billing postal code."),
        20,
        "69003",
    ),
    Column(
        "ville_facturation", "billing_city", "text", False, True, _("Billing city."), 100, "Lyon"
    ),
    Column(
        "pays_facturation",
        "billing_country",
        "country",
        False,
        True,
        _("Billing country, ISO code (default FR)."),
        example="FR",
    ),
    Column(
        "adresse_livraison",
        "shipping_address",
        "text",
        False,
        True,
        _("Delivery address (street), when it differs."),
        200,
    ),
    Column(
        "code_postal_livraison",
        "shipping_postal_code",
        "text",
        False,
        True,
        _("Delivery postal code."),
        20,
    ),
    Column("ville_livraison", "shipping_city", "text", False, True, _("Delivery city."), 100),
    Column(
        "pays_livraison",
        "shipping_country",
        "country",
        False,
        True,
        _("Delivery country, ISO code (default FR)."),
    ),
    Column("code_article", "item_code", "text", True, False, _("Item code."), 50, "CAFE-1KG"),
    Column(
        "designation",
        "description",
        "text",
        False,
        False,
        _("Line description (default: the item's name)."),
        500,
        "Café en grains 1 kg",
    ),
    Column("quantite", "quantity", "quantity", True, False, _("Quantity."), example="2"),
    Column(
        "unite",
        "unit",
        "text",
        False,
        False,
        _("Unit: UN/ECE code (C62, KGM, HUR…) or name."),
        20,
        "C62",
    ),
    Column(
        "poids",
        "weight",
        "weight",
        False,
        False,
        _("Weight of one unit, kg, for an item the import creates (blank: 0)."),
        example="1,2",
    ),
    Column(
        "prix_unitaire",
        "unit_price",
        "price",
        True,
        False,
        _("Unit price; decimal comma or point."),
        example="18,50",
    ),
    Column(
        "prix_ttc",
        "price_includes_vat",
        "boolean",
        False,
        True,
        _("oui if the prices include VAT, non otherwise (default non)."),
        example="non",
    ),
    Column("remise_pct", "discount_pct", "rate", False, False, _("Line discount, %."), example="5"),
    Column(
        "taux_tva",
        "vat_rate",
        "rate",
        False,
        False,
        _("VAT rate, % (default: the item's)."),
        example="5,5",
    ),
    Column(
        "frais_port",
        "shipping_amount",
        "amount",
        False,
        True,
        _("Shipping charged on the document."),
        example="6,90",
    ),
    Column(
        "mode_livraison",
        "shipping_method",
        "text",
        False,
        True,
        _("Shipping method code: its rules give the shipping charge (instead of frais_port)."),
        20,
        "COLISSIMO",
    ),
    Column(
        "code_promo",
        "coupon_code",
        "text",
        False,
        True,
        _("Coupon code: its discount is taken off the document and its use recorded."),
        40,
        "BIENVENUE10",
    ),
    Column(
        "devise",
        "currency",
        "currency",
        False,
        True,
        _("Currency, ISO code (default EUR)."),
        example="EUR",
    ),
    Column(
        "montant_paye",
        "amount_paid",
        "amount",
        False,
        True,
        _("Amount already paid by the customer."),
    ),
    Column(
        "mode_paiement",
        "payment_method",
        "text",
        False,
        True,
        _("virement, carte, cheque, especes, prelevement, autre."),
        30,
    ),
    Column("notes", "notes", "text", False, True, _("Notes printed on the document."), 2000),
]

BY_NAME = {column.name: column for column in COLUMNS}
NAMES = [column.name for column in COLUMNS]
REQUIRED = [column.name for column in COLUMNS if column.required]
DOCUMENT_FIELDS = [column.name for column in COLUMNS if column.document]


def normalise_header(text) -> str:
    """Case, accents, spaces, dashes and the required mark do not matter in a header."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.strip().strip("*").strip().lower()
    for sep in (" ", "-", "."):
        text = text.replace(sep, "_")
    while "__" in text:
        text = text.replace("__", "_")
    return text.strip("_")


ALIASES = {normalise_header(c.name): c.name for c in COLUMNS} | {
    normalise_header(c.english): c.name for c in COLUMNS
}


def canonical(header) -> str | None:
    return ALIASES.get(normalise_header(header))
