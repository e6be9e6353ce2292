"""Writing a plan: the customers, items, addresses, documents and payments it needs."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoices, create_issued_invoices
from comptoir.catalog.models import Unit
from comptoir.catalog.services import create_items
from comptoir.core.bulk import insert_objects, new_instances, update_rows
from comptoir.core.money import round_amount, round_quantity
from comptoir.imports.models import (
    Creates,
    ImportBatch,
    ImportRow,
    PartnerCustomer,
    PartnerDocument,
    Then,
)
from comptoir.imports.planning import (
    Known,
    Plan,
    PlannedDocument,
    address_key,
    address_of,
    net_unit_price,
    unit_code,
)
from comptoir.parties.models import Address, Customer
from comptoir.parties.services import create_customers
from comptoir.payments.services import PaymentRequest, register_payments
from comptoir.pricing.documents import DocumentRequest
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import RuleChannel, Tax, VatCategory
from comptoir.sales.services import confirm_orders, create_orders


@dataclass
class _Context:
    batch: ImportBatch
    by: object
    currency: str
    customers_created: int = 0
    items_created: int = 0
    known: Known = field(default_factory=Known)
    recent_customers: list = field(default_factory=list)  # created by the last chunk written


def _save_row_states(rows: list[ImportRow]) -> None:
    update_rows(ImportRow, ["state", "errors"], [(r.pk, r.state, r.errors) for r in rows])


# Writing a plan ---------------------------------------------------------------------------------


def _create_reference_rows(plan: Plan) -> tuple[dict[str, Tax], dict[str, Unit]]:
    taxes = dict(plan.taxes)
    if plan.new_taxes:
        created = Tax.objects.bulk_create(
            [
                Tax(
                    code=f"TVA{text}".replace(".", "")[:20],
                    name=f"TVA {text} %",
                    rate=Decimal(text),
                    category=VatCategory.STANDARD,
                )
                for text in sorted(plan.new_taxes)
            ]
        )
        taxes |= dict(zip(sorted(plan.new_taxes), created, strict=True))
    units = dict(plan.units)
    if plan.new_units:
        created = Unit.objects.bulk_create(
            [Unit(code=unit_code(text)[:10], name=text[:50]) for text in sorted(plan.new_units)]
        )
        units |= dict(zip(sorted(plan.new_units), created, strict=True))
    return taxes, units


def _create_customers(plan: Plan, context: _Context) -> dict[str, Customer]:
    customers = dict(plan.customers)
    if not plan.new_customers:
        return customers
    keys = list(plan.new_customers)
    rows, addresses = [], []
    for key in keys:
        header = plan.new_customers[key]
        rows.append(
            {
                "name": header["nom_client"],
                "kind": header.get("type_client", Customer.Kind.COMPANY),
                "siren": header.get("siren", ""),
                "vat_id": header.get("tva_intracom", ""),
                "email": header.get("email", ""),
                "phone": header.get("telephone", ""),
            }
        )
        addresses.append(_new_addresses(header))
    created = create_customers(rows, addresses=addresses)
    links = []
    for key, customer in zip(keys, created, strict=True):
        customers[key] = plan.known.customers[key] = customer
        external = plan.new_customers[key].get("code_client") or (key if key[0] == "~" else "")
        if external:
            links.append(
                PartnerCustomer(partner=plan.partner, external_id=external, customer=customer)
            )
    PartnerCustomer.objects.bulk_create(links)
    context.customers_created += len(created)
    context.recent_customers = created
    return customers


def _new_addresses(header: dict) -> list[dict]:
    found = []
    for kind in (Address.Kind.BILLING, Address.Kind.SHIPPING):
        address = address_of(header, kind)
        if (
            address
            and address["city"]
            and address_key(address) not in {address_key(a) for a in found}
        ):
            found.append({**address, "kind": kind, "is_default": True})
    return found


def _add_known_customers_addresses(plan: Plan) -> None:
    """Addresses of matched customers that the file gives and the customer lacks."""
    matched = {c.pk: c for c in plan.customers.values()}
    if not matched:
        return
    known = {
        (a.customer_id, address_key(a.snapshot()))
        for a in Address.objects.filter(customer_id__in=matched)
    }
    new = []
    for doc in plan.ready:
        if doc.customer is None:
            continue
        for data in _new_addresses(doc.header):
            key = (doc.customer.pk, address_key(data))
            if key not in known:
                known.add(key)
                new.append(Address(customer=doc.customer, **{**data, "is_default": False}))
    Address.objects.bulk_create(new)


def _create_items(plan: Plan, taxes, units, context: _Context) -> dict:
    items = dict(plan.items)
    if not plan.new_items:
        return items
    rows = []
    for code, values in plan.new_items.items():
        tax = taxes.get(values.get("taux_tva")) or plan.default_tax
        price = Decimal(values["prix_unitaire"])
        if values.get("prix_ttc"):
            price = price / (1 + Decimal(tax.rate) / 100)
        rows.append(
            {
                "code": code,
                "name": (values.get("designation") or code)[:200],
                "unit": units.get(values.get("unite")) or units.get("C62") or _default_unit(units),
                "tax": tax,
                "sale_price": round(price, 4),
                "weight": round_quantity(Decimal(values.get("poids") or 0)),
            }
        )
    for item in create_items(rows):
        items[item.code] = plan.known.items[item.code] = item
    context.items_created += len(rows)
    return items


def _default_unit(units: dict) -> Unit:
    unit = Unit.objects.filter(code="C62").first()
    units["C62"] = unit
    return unit


def _requests(plan: Plan, customers, items, taxes) -> list[tuple[PlannedDocument, DocumentRequest]]:
    requests = []
    for doc in plan.ready:
        customer = customers[doc.customer_key] if doc.customer is None else doc.customer
        specs = []
        for row in doc.rows:
            values = row.values
            item = items[values["code_article"]]
            tax = taxes.get(values.get("taux_tva"))
            effective = tax or customer.default_tax or item.tax
            price = net_unit_price(plan, doc, row, effective)
            specs.append(
                LineSpec(
                    item=item,
                    quantity=Decimal(values["quantite"]),
                    unit_price=price,
                    # A price from the file is the price sold at: its discount too (none
                    # given: none). A price from the price list leaves the rules their say.
                    discount_pct=Decimal(values.get("remise_pct") or 0)
                    if values.get("remise_pct") or price is not None
                    else None,
                    description=values.get("designation") or None,
                    tax=tax,
                )
            )
        header = _header(doc, specs, customer, plan.partner.print_layout)
        request = DocumentRequest(
            customer, specs, header, channel=RuleChannel.IMPORT, partner=plan.partner.name
        )
        requests.append((doc, request))
    return requests


def _header(doc: PlannedDocument, specs: list[LineSpec], customer: Customer, layout: str) -> dict:
    header = doc.header
    result = {"date": _date(header["date_document"]), "customer_reference": doc.reference}
    if layout:
        result["print_layout"] = layout
    if header.get("notes"):
        result["notes"] = header["notes"]
    billing = address_of(header, Address.Kind.BILLING)
    shipping = address_of(header, Address.Kind.SHIPPING)
    if billing:
        result["billing_address"] = billing
    if shipping or billing:
        result["shipping_address"] = shipping or billing
    if doc.shipping_method is not None:
        result["shipping_method"] = doc.shipping_method
    if header.get("code_promo"):
        result["coupon_code"] = header["code_promo"]
    shipping_amount = Decimal(header.get("frais_port") or 0)
    if shipping_amount:
        first = specs[0]
        tax = first.tax or customer.default_tax or first.item.tax
        if doc.prices_include_vat:
            shipping_amount = shipping_amount / (1 + Decimal(tax.rate) / 100)
        result["allowances_charges"] = [
            {
                "amount": str(round(shipping_amount, 2)),
                "is_charge": True,
                "reason": _("Shipping costs"),
                "vat_category": tax.category,
                "vat_rate": str(tax.rate),
            }
        ]
    return result


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _write(plan: Plan, context: _Context) -> list[tuple[PlannedDocument, object]]:
    """Create what the plan's ready documents need, then the documents themselves."""
    context.recent_customers = []
    if not plan.ready:
        return []
    taxes, units = _create_reference_rows(plan)
    customers = _create_customers(plan, context)
    _add_known_customers_addresses(plan)
    items = _create_items(plan, taxes, units, context)
    pairs = _requests(plan, customers, items, taxes)
    requests = [request for _doc, request in pairs]
    partner = plan.partner
    if partner.creates == Creates.ORDERS:
        documents = create_orders(requests, by=context.by)
        if partner.then == Then.VALIDATE:
            documents = confirm_orders(documents, by=context.by)
    else:
        for request in requests:
            request.header["supply_date"] = request.header["date"]
        if partner.then == Then.VALIDATE:
            paid = [_paid(doc) for doc, _request in pairs] if partner.record_payments else None
            documents = create_issued_invoices(requests, by=context.by, paid=paid)
        else:
            documents = create_invoices(requests, by=context.by)
    docs = [doc for doc, _request in pairs]
    if partner.record_payments:
        _record_payments(docs, documents, context)
    links = insert_objects(
        new_instances(
            PartnerDocument,
            [
                {
                    "partner": partner,
                    "reference": doc.reference,
                    "batch": context.batch,
                    "number": document.number,
                    "order" if partner.creates == Creates.ORDERS else "invoice": document,
                }
                for doc, document in zip(docs, documents, strict=True)
            ],
        )
    )
    # The rows planned are the open rows of these references (the batch is locked); they
    # link to their document by reference (ImportRow.objects.with_document).
    ImportRow.objects.filter(
        batch=context.batch,
        reference__in=[link.reference for link in links],
        state__in=ImportRow.OPEN_STATES,
    ).update(state=ImportRow.State.CREATED, errors=[])
    return list(zip(docs, documents, strict=True))


def _paid(doc: PlannedDocument) -> Decimal:
    return max(round_amount(Decimal(doc.header.get("montant_paye") or 0)), Decimal("0"))


def _record_payments(docs: list[PlannedDocument], documents, context: _Context) -> None:
    """What the file says was paid: allocated to the invoice when it is issued (its stored
    settlement already counts it), else kept as the customer's credit."""
    requests = []
    for doc, document in zip(docs, documents, strict=True):
        paid = _paid(doc)
        if paid <= 0:
            continue
        payable = isinstance(document, Invoice) and document.status == Invoice.Status.ISSUED
        share = min(paid, document.total_gross) if payable else Decimal("0")
        requests.append(
            PaymentRequest(
                customer=document.customer,  # at hand: the document was built with it
                amount=paid,
                date=_date(doc.header["date_document"]),
                method=doc.payment_method,
                reference=doc.reference[:100],
                allocations=[(document, share)] if share > 0 else [],
            )
        )
    if requests:
        partner = context.batch.partner
        issued = partner.creates == Creates.INVOICES and partner.then == Then.VALIDATE
        register_payments(requests, by=context.by, settled=issued)
