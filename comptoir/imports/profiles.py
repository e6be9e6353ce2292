"""Column mappings: a partner's own export read as the template, without retyping it.

A mapping gives, for a template column, where its text comes from in the partner's file:
  "Header"                                   the cell under that header
  ["Header A", "Header B"]                   cells joined with a space (empty ones skipped)
  {"value": "oui"}                           a constant
  {"first": [spec, spec…]}                   the first spec that gives some text
  {"from": spec, "split": " ", "part": 0}    one part of a cell
  {"from": spec, "when": {"Header": "paid"}} the spec only when other cells say so
  {"divide": [spec, spec]}                   a number divided by another (a line total by its
                                             quantity, for exports without unit prices)
A partner's mapping is {"profile": name, "columns": {template column: spec}}; its columns
replace the profile's. Columns it does not name are read from template headers as usual.
"""

from decimal import Decimal, InvalidOperation

from comptoir.imports.columns import normalise_header

# Shopify's orders export: one row per line item; the order's fields are on its first row.
SHOPIFY = {
    "reference_partenaire": "Name",
    "date_document": "Created at",
    "nom_client": {"first": ["Billing Company", "Billing Name", "Shipping Name"]},
    "email": "Email",
    "telephone": "Billing Phone",
    "adresse_facturation": ["Billing Address1", "Billing Address2"],
    "code_postal_facturation": "Billing Zip",
    "ville_facturation": "Billing City",
    "pays_facturation": "Billing Country",
    "adresse_livraison": ["Shipping Address1", "Shipping Address2"],
    "code_postal_livraison": "Shipping Zip",
    "ville_livraison": "Shipping City",
    "pays_livraison": "Shipping Country",
    "code_article": {"first": ["Lineitem sku", "Lineitem name"]},
    "designation": "Lineitem name",
    "quantite": "Lineitem quantity",
    "prix_unitaire": "Lineitem price",
    "prix_ttc": {"value": "oui"},  # shops selling in France show prices with VAT
    "frais_port": "Shipping",
    "devise": "Currency",
    "montant_paye": {"from": "Total", "when": {"Financial Status": "paid"}},
    "mode_paiement": "Payment Method",
    "notes": "Notes",
}

# WooCommerce's Customer/Order/Coupon Export, "one row per line item" CSV format.
WOOCOMMERCE = {
    "reference_partenaire": "order_number",
    "date_document": "order_date",
    "nom_client": {"first": ["billing_company", ["billing_first_name", "billing_last_name"]]},
    "email": "billing_email",
    "telephone": "billing_phone",
    "adresse_facturation": ["billing_address_1", "billing_address_2"],
    "code_postal_facturation": "billing_postcode",
    "ville_facturation": "billing_city",
    "pays_facturation": "billing_country",
    "adresse_livraison": ["shipping_address_1", "shipping_address_2"],
    "code_postal_livraison": "shipping_postcode",
    "ville_livraison": "shipping_city",
    "pays_livraison": "shipping_country",
    "code_article": {"first": ["item_sku", "item_name"]},
    "designation": "item_name",
    "quantite": "item_quantity",
    "prix_unitaire": {"divide": ["item_subtotal", "item_quantity"]},
    "frais_port": "shipping_total",
    "devise": "order_currency",
    "mode_paiement": "payment_method",
    "notes": "customer_note",
}

PROFILES = {"shopify": SHOPIFY, "woocommerce": WOOCOMMERCE}
PROFILE_CHOICES = [("", "—"), ("shopify", "Shopify"), ("woocommerce", "WooCommerce")]


def mapped_columns(mapping: dict | None) -> dict:
    mapping = mapping or {}
    return {**PROFILES.get(mapping.get("profile") or "", {}), **(mapping.get("columns") or {})}


class MappingError(ValueError):
    pass


def compile_spec(spec, index: dict[str, int]):
    """A function giving the text of a spec from a row's cells (headers already known)."""
    if isinstance(spec, str):
        position = index.get(normalise_header(spec))
        if position is None:
            raise MappingError(spec)
        return lambda cells: cells[position].strip() if position < len(cells) else ""
    if isinstance(spec, list):
        parts = [compile_spec(s, index) for s in spec]
        return lambda cells: " ".join(t for t in (p(cells) for p in parts) if t)
    if "value" in spec:
        value = str(spec["value"])
        return lambda cells: value
    if "first" in spec:
        options = [_optional(s, index) for s in spec["first"]]
        options = [o for o in options if o is not None]
        if not options:
            raise MappingError(str(spec["first"]))
        return lambda cells: next((t for t in (o(cells) for o in options) if t), "")
    if "divide" in spec:
        top, bottom = (compile_spec(s, index) for s in spec["divide"])
        return lambda cells: _divide(top(cells), bottom(cells))
    source = compile_spec(spec["from"], index)
    if "split" in spec:
        separator, part = spec["split"], int(spec.get("part", 0))

        def split(cells):
            pieces = source(cells).split(separator)
            return pieces[part].strip() if -len(pieces) <= part < len(pieces) else ""

        return split
    conditions = [(compile_spec(h, index), str(v).lower()) for h, v in spec["when"].items()]
    return lambda cells: source(cells) if all(c(cells).lower() == v for c, v in conditions) else ""


def _optional(spec, index):
    try:
        return compile_spec(spec, index)
    except MappingError:
        return None


def _divide(top: str, bottom: str) -> str:
    from comptoir.imports.parsing import read_number

    try:
        quotient = read_number(top) / read_number(bottom)
    except (InvalidOperation, ZeroDivisionError, ValueError):
        return top  # left as it is: its check then says what is wrong
    return str(quotient.quantize(Decimal("0.0001")))


SPEC_KEYS = (
    {"value"},
    {"first"},
    {"divide"},
    {"from", "split", "part"},
    {"from", "split"},
    {"from", "when"},
)


def check_mapping(mapping) -> str:
    """What is wrong with a mapping, or "" (it must not wait for a file to fail)."""
    from comptoir.imports.columns import BY_NAME

    if not isinstance(mapping, dict):
        return "a mapping is an object"
    if mapping.get("profile") and mapping["profile"] not in PROFILES:
        return f"unknown profile {mapping['profile']!r} (known: {', '.join(PROFILES)})"
    columns = mapping.get("columns") or {}
    if not isinstance(columns, dict):
        return "columns must be an object"
    for name, spec in columns.items():
        if name not in BY_NAME:
            return f"{name!r} is not a template column"
        problem = _check_spec(spec)
        if problem:
            return f"{name}: {problem}"
    return ""


def _check_spec(spec) -> str:
    if isinstance(spec, str):
        return "" if spec else "an empty header"
    if isinstance(spec, list):
        return next((p for p in map(_check_spec, spec) if p), "") if spec else "an empty list"
    if not isinstance(spec, dict) or set(spec) not in SPEC_KEYS:
        return f"cannot read {spec!r}"
    if "value" in spec:
        return ""
    parts = spec.get("first") or spec.get("divide") or [spec["from"]]
    if "divide" in spec and len(spec["divide"]) != 2:
        return "divide takes two specs"
    return next((p for p in map(_check_spec, parts) if p), "")
