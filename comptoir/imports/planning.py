"""What processing rows would do, worked out without writing anything.

Rows are grouped into documents; each document's header is checked for consistency, then its
customer, items, VAT rates, unit and payment method are matched against what exists (a few
set-based queries for a whole chunk) or marked to be created, according to the partner's
options. The preview shows this plan; processing writes it.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from comptoir.catalog.models import Item, Unit
from comptoir.core.jsontext import loads
from comptoir.core.money import HUNDRED, round_amount, round_price
from comptoir.imports.columns import BY_NAME, DOCUMENT_FIELDS, REQUIRED
from comptoir.imports.models import (
    ImportBatch,
    ImportPartner,
    ImportRow,
    PartnerCustomer,
    PartnerDocument,
    PartnerItem,
    PriceSource,
    WhenUnknown,
)
from comptoir.imports.parsing import normalise_word
from comptoir.parties.models import Address, Customer
from comptoir.payments.models import PaymentMethod
from comptoir.pricing.coupons import CouponAsked, refusals
from comptoir.pricing.models import ShippingMethod, Tax, VatCategory

DOCUMENT_FIELD_SET = frozenset(DOCUMENT_FIELDS)
DOCUMENT_REQUIRED = [n for n in REQUIRED if BY_NAME[n].document and n != "reference_partenaire"]
PAYMENT_METHODS = {
    "virement": PaymentMethod.TRANSFER,
    "vir": PaymentMethod.TRANSFER,
    "transfer": PaymentMethod.TRANSFER,
    "banktransfer": PaymentMethod.TRANSFER,
    "carte": PaymentMethod.CARD,
    "cartebancaire": PaymentMethod.CARD,
    "cb": PaymentMethod.CARD,
    "card": PaymentMethod.CARD,
    "creditcard": PaymentMethod.CARD,
    "cheque": PaymentMethod.CHEQUE,
    "check": PaymentMethod.CHEQUE,
    "especes": PaymentMethod.CASH,
    "cash": PaymentMethod.CASH,
    "prelevement": PaymentMethod.DIRECT_DEBIT,
    "sepa": PaymentMethod.DIRECT_DEBIT,
    "directdebit": PaymentMethod.DIRECT_DEBIT,
    "autre": PaymentMethod.OTHER,
    "other": PaymentMethod.OTHER,
}
UNIT_NAMES = {
    "u": "C62",
    "un": "C62",
    "unite": "C62",
    "pce": "C62",
    "piece": "C62",
    "pc": "C62",
    "kg": "KGM",
    "h": "HUR",
    "heure": "HUR",
    "j": "DAY",
    "jour": "DAY",
    "m": "MTR",
    "l": "LTR",
}


def line_amount(values: dict) -> Decimal:
    """A row's amount as the file states it (excl. or incl. VAT, as its prices are)."""
    gross = Decimal(values["quantite"]) * Decimal(values["prix_unitaire"])
    discount = Decimal(values.get("remise_pct") or 0)
    return round_amount(gross * (HUNDRED - discount) / HUNDRED)


class PlanRow:
    """What planning reads and writes of an import row (lighter than the model instance)."""

    __slots__ = ("errors", "line", "pk", "reference", "state", "values")

    def __init__(self, pk, line, reference, state, values, errors):
        self.pk, self.line, self.reference, self.state = pk, line, reference, state
        self.values, self.errors = values, errors


@dataclass
class PlannedDocument:
    reference: str
    rows: list[PlanRow]
    header: dict = field(default_factory=dict)
    errors: dict[int, list[dict]] = field(default_factory=dict)  # row id → anomalies
    customer: Customer | None = None
    customer_key: str = ""  # how the file names its customer (customer_key), once matched
    payment_method: str = PaymentMethod.OTHER
    shipping_method: ShippingMethod | None = None  # its rules give the shipping charge

    @property
    def blocked(self) -> bool:
        return bool(self.errors)

    def refuse(self, row: PlanRow, name: str, message: str) -> None:
        self.errors.setdefault(row.pk, []).append({"field": name, "message": str(message)})

    def refuse_document(self, name: str, message: str) -> None:
        self.refuse(self.rows[0], name, message)

    @property
    def file_amount(self) -> Decimal:
        total = sum((line_amount(r.values) for r in self.rows), Decimal("0"))
        return round_amount(total + Decimal(self.header.get("frais_port") or 0))

    @property
    def prices_include_vat(self) -> bool:
        return bool(self.header.get("prix_ttc"))


@dataclass
class Known:
    """What a processing run has matched or created so far, by the file's keys: the next
    chunks find it without a query. Forgotten when a chunk fails, as its new rows are."""

    customers: dict[str, Customer] = field(default_factory=dict)  # by identity key
    items: dict[str, Item] = field(default_factory=dict)  # by the file's code


@dataclass
class Plan:
    """Documents of a chunk and the reference rows they need."""

    partner: ImportPartner
    documents: list[PlannedDocument]
    known: Known = field(default_factory=Known)
    customers: dict[str, Customer] = field(default_factory=dict)  # matched, by identity key
    new_customers: dict[str, dict] = field(default_factory=dict)  # identity key → header values
    items: dict[str, Item] = field(default_factory=dict)  # by the file's code
    new_items: dict[str, dict] = field(default_factory=dict)  # code → first row's values
    taxes: dict[str, Tax] = field(default_factory=dict)  # by rate as text
    new_taxes: set[str] = field(default_factory=set)
    units: dict[str, Unit] = field(default_factory=dict)  # by the file's text
    new_units: set[str] = field(default_factory=set)
    default_tax: Tax | None = None

    @property
    def ready(self) -> list[PlannedDocument]:
        return [d for d in self.documents if not d.blocked]


def group_rows(rows: list[PlanRow]) -> list[PlannedDocument]:
    """Rows into documents (in file order); document fields must agree between rows."""
    documents: dict[str, PlannedDocument] = {}
    for row in rows:
        doc = documents.get(row.reference)
        if doc is None:
            doc = documents[row.reference] = PlannedDocument(row.reference, [])
        doc.rows.append(row)
        if row.state == ImportRow.State.INVALID:  # reasons of an earlier processing go
            doc.errors[row.pk] = list(row.errors)
            continue
        given = {
            name: value
            for name, value in row.values.items()
            if name in DOCUMENT_FIELD_SET and value not in (None, "")
        }
        if given.items() <= doc.header.items():
            continue  # the document's fields, as its first row gave them (the usual case)
        for name, value in given.items():
            known = doc.header.setdefault(name, value)
            if known != value:
                doc.refuse(
                    row,
                    name,
                    _("“%(value)s” differs from “%(known)s” on another line of this document.")
                    % {"value": value, "known": known},
                )
    for doc in documents.values():
        for name in DOCUMENT_REQUIRED:
            if not doc.errors and not doc.header.get(name):
                doc.refuse_document(name, _("This column is required."))
        if doc.errors:
            failing = ", ".join(str(r.line) for r in doc.rows if r.pk in doc.errors)
            for row in doc.rows:
                if row.pk not in doc.errors:
                    doc.refuse(
                        row,
                        "",
                        _("Line %(lines)s of this document has an anomaly.") % {"lines": failing},
                    )
    return list(documents.values())


def customer_key(header: dict) -> str:
    """How the partner names a customer: its id, else its SIREN, VAT number, e-mail or name."""
    for name in ("code_client", "siren", "tva_intracom", "email"):
        if header.get(name):
            return f"{name}:{header[name]}".lower()
    who = f"{header.get('nom_client', '')}|{header.get('code_postal_facturation', '')}"
    return "~" + hashlib.sha1(normalise_word(who).encode()).hexdigest()[:40]


# What documents read of their customer (pricing.documents.build_documents).
CUSTOMER_RELATIONS = ("price_list", "payment_terms", "default_tax")


def _match_customers(plan: Plan) -> None:
    known = plan.known.customers
    keyed = [(customer_key(doc.header), doc) for doc in plan.ready]
    docs = [doc for key, doc in keyed if key not in known]  # those to look for
    codes = {d.header["code_client"] for d in docs if d.header.get("code_client")}
    keys = {key for key, _doc in keyed if key not in known}
    by_partner_id = {
        link.external_id.lower(): link.customer
        for link in PartnerCustomer.objects.filter(partner=plan.partner)
        .filter(Q(external_id__in=codes) | Q(external_id__in=keys))
        .select_related(*(f"customer__{name}" for name in CUSTOMER_RELATIONS))
        .prefetch_related("customer__addresses")
    }
    sirens = {d.header["siren"] for d in docs if d.header.get("siren")}
    vats = {d.header["tva_intracom"] for d in docs if d.header.get("tva_intracom")}
    emails = {d.header["email"].lower() for d in docs if d.header.get("email")}
    found = (
        Customer.objects.filter(
            Q(code__in=codes) | Q(siren__in=sirens) | Q(vat_id__in=vats) | Q(email__in=emails)
        )
        .select_related(*CUSTOMER_RELATIONS)
        .prefetch_related("addresses")
        if codes or sirens or vats or emails
        else []
    )
    by = {"code": {}, "siren": {}, "vat": {}, "email": {}}
    for customer in found:
        by["code"][customer.code.lower()] = customer
        by["siren"].setdefault(customer.siren, customer)
        by["vat"].setdefault(customer.vat_id, customer)
        by["email"].setdefault(customer.email.lower(), customer)
    for key, doc in keyed:
        header = doc.header
        code = (header.get("code_client") or "").lower()
        doc.customer = known.get(key) or (
            by_partner_id.get(code)
            or by_partner_id.get(key)
            or by["code"].get(code)
            or by["siren"].get(header.get("siren") or None)
            or by["vat"].get(header.get("tva_intracom") or None)
            or by["email"].get((header.get("email") or "").lower() or None)
        )
        doc.customer_key = key
        if doc.customer is not None:
            known[key] = doc.customer
            if not doc.customer.active:
                doc.refuse_document(
                    "code_client",
                    _("Customer %(code)s is inactive.") % {"code": doc.customer.code},
                )
            plan.customers[key] = doc.customer
        elif plan.partner.unknown_customer == WhenUnknown.REFUSE:
            doc.refuse_document(
                "code_client",
                _("Unknown customer: %(name)s.")
                % {"name": header.get("code_client") or header["nom_client"]},
            )
        else:
            plan.new_customers.setdefault(key, header)


def unit_code(text: str) -> str:
    return UNIT_NAMES.get(normalise_word(text), text.strip().upper())


def _match_items(plan: Plan) -> None:
    docs = plan.ready
    codes = {row.values["code_article"] for d in docs for row in d.rows} - set(plan.known.items)
    mapped = {
        link.external_code: link.item
        for link in PartnerItem.objects.filter(
            partner=plan.partner, external_code__in=codes
        ).select_related("item__tax", "item__unit")
    }
    by_code = Item.objects.select_related("tax", "unit").in_bulk(
        codes - set(mapped), field_name="code"
    )
    plan.known.items |= {**by_code, **mapped}
    plan.items = plan.known.items
    unit_texts = {row.values["unite"] for d in docs for row in d.rows if row.values.get("unite")}
    units = Unit.objects.all()
    by_unit = {u.code.upper(): u for u in units} | {normalise_word(u.name): u for u in units}
    for text in unit_texts:
        unit = by_unit.get(unit_code(text)) or by_unit.get(normalise_word(text))
        if unit is not None:
            plan.units[text] = unit
    for doc in docs:
        for row in doc.rows:
            code = row.values["code_article"]
            item = plan.items.get(code)
            if item is not None:
                if not item.active:
                    doc.refuse(
                        row, "code_article", _("Item %(code)s is no longer sold.") % {"code": code}
                    )
                elif item.is_template:
                    doc.refuse(
                        row,
                        "code_article",
                        _(
                            "%(code)s is a model sold in several sizes or colours: "
                            "give the code of one of its variants."
                        )
                        % {"code": code},
                    )
                continue
            if plan.partner.unknown_item == WhenUnknown.REFUSE:
                doc.refuse(row, "code_article", _("Unknown item: %(code)s.") % {"code": code})
                continue
            plan.new_items.setdefault(code, row.values)
            unit = row.values.get("unite")
            if unit and unit not in plan.units:
                if plan.partner.unknown_unit == WhenUnknown.REFUSE:
                    doc.refuse(row, "unite", _("Unknown unit: %(unit)s.") % {"unit": unit})
                elif plan.partner.unknown_unit == WhenUnknown.CREATE:
                    plan.new_units.add(unit)


def _match_taxes(plan: Plan) -> None:
    taxes = list(Tax.objects.filter(active=True).order_by("-rate", "code"))
    standard = [t for t in taxes if t.category == VatCategory.STANDARD]
    plan.default_tax = standard[0] if standard else None
    by_rate = {}
    for tax in taxes:
        if tax.category in (VatCategory.STANDARD, VatCategory.ZERO):
            by_rate.setdefault(Decimal(tax.rate).normalize(), tax)
    by_text: dict[str, Tax | None] = {}  # a file has a handful of rates on thousands of rows
    for doc in plan.ready:
        for row in doc.rows:
            text = row.values.get("taux_tva")
            if text is None:
                continue
            if text not in by_text:
                by_text[text] = by_rate.get(Decimal(text).normalize())
            tax = by_text[text]
            if tax is not None:
                plan.taxes[text] = tax
            elif plan.partner.unknown_tax == WhenUnknown.REFUSE:
                doc.refuse(row, "taux_tva", _("No VAT at %(rate)s %%.") % {"rate": text})
            elif plan.partner.unknown_tax == WhenUnknown.CREATE:
                plan.new_taxes.add(text)
    if plan.new_items and plan.default_tax is None:
        for doc in plan.ready:
            doc.refuse_document("taux_tva", _("No standard VAT rate is set up for new items."))


def _check_documents(plan: Plan, currency: str) -> None:
    for doc in plan.ready:
        header = doc.header
        if header.get("devise", currency) != currency:
            doc.refuse_document(
                "devise",
                _("Only documents in %(currency)s can be imported.") % {"currency": currency},
            )
        method = header.get("mode_paiement")
        if method:
            known = PAYMENT_METHODS.get(normalise_word(method))
            if known is not None:
                doc.payment_method = known
            elif plan.partner.unknown_payment_method == WhenUnknown.REFUSE:
                doc.refuse_document(
                    "mode_paiement", _("Unknown payment method: %(method)s.") % {"method": method}
                )


def _match_shipping_methods(plan: Plan) -> None:
    """The shipping method each document names (one query for the chunk): its rules give the
    charge when the document is written, and a destination they do not cover fails it then,
    with its reason. A document states its shipping amount or its method, not both."""
    codes = {d.header["mode_livraison"] for d in plan.ready if d.header.get("mode_livraison")}
    if not codes:
        return
    methods = ShippingMethod.objects.select_related("tax").in_bulk(codes, field_name="code")
    for doc in plan.ready:
        code = doc.header.get("mode_livraison")
        if not code:
            continue
        method = methods.get(code)
        if method is None or not method.active:
            doc.refuse_document(
                "mode_livraison", _("Unknown shipping method: %(code)s.") % {"code": code}
            )
        elif doc.header.get("frais_port"):
            doc.refuse_document(
                "mode_livraison",
                _(
                    "Give the shipping amount (frais_port) or the shipping method "
                    "(mode_livraison), not both."
                ),
            )
        else:
            doc.shipping_method = method


def _check_coupons(plan: Plan) -> None:
    """The coupon each document names, checked as far as can be before it is priced (its
    customer, dates and uses; one query for the chunk): one it cannot use is an anomaly of the
    document, never a price without its discount. The rest is checked when it is written."""
    docs = [d for d in plan.ready if d.header.get("code_promo")]
    if not docs:
        return
    asked = [
        CouponAsked(
            d.header["code_promo"],
            d.customer.pk if d.customer is not None else None,
            dt.date.fromisoformat(d.header["date_document"]),
        )
        for d in docs
    ]
    for doc, refusal in zip(docs, refusals(asked), strict=True):
        if refusal is not None:
            doc.refuse_document("code_promo", refusal.message)


def plan_documents(
    partner: ImportPartner, rows: list[PlanRow], currency: str, known: Known | None = None
) -> Plan:
    plan = Plan(partner, group_rows(rows), known or Known())
    _check_documents(plan, currency)
    _match_shipping_methods(plan)
    _match_customers(plan)
    _check_coupons(plan)
    _match_items(plan)
    _match_taxes(plan)
    return plan


def catch_up(plan: Plan, known: Known) -> None:
    """Bring a plan made ahead, while the run was still writing, up to date with what the run
    has matched and created since (``known``): a customer or item the plan would create that
    the run has made since is taken instead, and the plan goes on with the run's ``known``."""
    for key, customer in plan.known.customers.items():
        known.customers.setdefault(key, customer)
    for code, item in plan.known.items.items():
        known.items.setdefault(code, item)
    for doc in plan.ready:
        current = known.customers.get(doc.customer_key)
        if current is not None and current is not doc.customer:
            doc.customer = plan.customers[doc.customer_key] = current
            plan.new_customers.pop(doc.customer_key, None)
    for code in [code for code in plan.new_items if code in known.items]:
        del plan.new_items[code]
    plan.known, plan.items = known, known.items


def open_references(batch: ImportBatch) -> list[str]:
    """The partner references of the rows still to process, in file order."""
    refs = (
        ImportRow.objects.filter(batch=batch, state__in=ImportRow.OPEN_STATES)
        .order_by("line")
        .values_list("reference", flat=True)
    )
    return list(dict.fromkeys(refs))


def plan_references(batch: ImportBatch, refs: list[str], currency: str, known: Known | None = None):
    """The plan of these references' open rows, and the rows whose document already exists
    (marked duplicate, linked to it, not saved). ``known``: what the run found so far."""
    # The JSON columns read as text and decoded here: a fraction of the time Django's
    # per-value converters take on thousands of rows.
    rows = [
        PlanRow(pk, line, reference, state, loads(values), loads(errors) if errors != "[]" else [])
        for pk, line, reference, state, values, errors in ImportRow.objects.filter(
            batch=batch, reference__in=refs, state__in=ImportRow.OPEN_STATES
        )
        .order_by("line")
        .values_list(
            "pk",
            "line",
            "reference",
            "state",
            Cast("values", TextField()),
            Cast("errors", TextField()),
        )
    ]
    existing = {
        d.reference: d
        for d in PartnerDocument.objects.filter(partner=batch.partner_id, reference__in=refs)
    }
    duplicates = []
    for row in rows:
        if row.reference in existing:
            row.state, row.errors = ImportRow.State.DUPLICATE, []
            duplicates.append(row)
    fresh = [r for r in rows if r.reference not in existing]
    return plan_documents(batch.partner, fresh, currency, known or Known()), duplicates


@dataclass
class Preview:
    """What processing the open rows would do, without doing it."""

    rows: int = 0
    documents: int = 0
    ready_documents: int = 0
    duplicate_documents: int = 0
    blocked_documents: int = 0
    customers_matched: int = 0
    customers_to_create: int = 0
    items_matched: int = 0
    items_to_create: int = 0
    total: Decimal = Decimal("0")
    anomalies: list[dict] = field(default_factory=list)  # the first ones: line, reason
    new_customers: list[str] = field(default_factory=list)  # the first names to create
    new_items: list[str] = field(default_factory=list)  # the first codes to create

    MAX_ANOMALIES = 200
    MAX_NAMES = 50


def preview(batch: ImportBatch, currency: str, chunk: int = 500) -> Preview:
    result = Preview()
    refs = open_references(batch)
    customers_matched, customers_new, items_matched, items_new = set(), set(), set(), set()
    for start in range(0, len(refs), chunk):
        plan, duplicates = plan_references(batch, refs[start : start + chunk], currency)
        result.rows += len(duplicates) + sum(len(d.rows) for d in plan.documents)
        result.duplicate_documents += len({r.reference for r in duplicates})
        result.documents += len(plan.documents)
        for doc in plan.documents:
            if doc.blocked:
                result.blocked_documents += 1
                for row in doc.rows:
                    for error in doc.errors.get(row.pk, []):
                        if len(result.anomalies) < Preview.MAX_ANOMALIES:
                            result.anomalies.append({"line": row.line, **error})
            else:
                result.ready_documents += 1
                result.total += doc.file_amount
        customers_matched |= {c.pk for c in plan.customers.values()}
        items_matched |= {i.pk for i in plan.items.values()}
        for key, header in plan.new_customers.items():
            if key not in customers_new and len(result.new_customers) < Preview.MAX_NAMES:
                result.new_customers.append(header["nom_client"])
            customers_new.add(key)
        for code in plan.new_items:
            if code not in items_new and len(result.new_items) < Preview.MAX_NAMES:
                result.new_items.append(code)
            items_new.add(code)
    result.documents += result.duplicate_documents
    result.customers_matched = len(customers_matched)
    result.customers_to_create = len(customers_new)
    result.items_matched, result.items_to_create = len(items_matched), len(items_new)
    return result


# What the plan turns into -----------------------------------------------------------------------


def address_of(header: dict, kind: str) -> dict | None:
    """The file's billing or delivery address as a document states it, or None."""
    suffix = "facturation" if kind == Address.Kind.BILLING else "livraison"
    line1 = header.get(f"adresse_{suffix}")
    if not line1:
        return None
    return {
        "name": header.get("nom_client", ""),
        "line1": line1,
        "line2": "",
        "postal_code": header.get(f"code_postal_{suffix}", ""),
        "city": header.get(f"ville_{suffix}", ""),
        "country": header.get(f"pays_{suffix}", "FR"),
    }


def address_key(address: dict) -> tuple:
    return tuple(
        normalise_word(address.get(name) or "")
        for name in ("line1", "postal_code", "city", "country")
    )


def net_unit_price(plan: Plan, doc: PlannedDocument, row: PlanRow, tax: Tax | None):
    """The unit price excluding VAT, or None when the price list gives it."""
    if plan.partner.price_source == PriceSource.PRICE_LIST:
        return None
    price = Decimal(row.values["prix_unitaire"])
    if doc.prices_include_vat and tax is not None:
        price = price / (1 + Decimal(tax.rate) / HUNDRED)
    return round_price(price)
