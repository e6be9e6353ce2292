"""Building new documents: header snapshot from the customer, priced lines, totals."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.bulk import insert_objects, new_instances
from comptoir.core.errors import BusinessError, InvalidInput, NotFound
from comptoir.core.models import Company
from comptoir.core.money import round_amount
from comptoir.parties.models import Customer
from comptoir.parties.queries import document_header, visible_customers
from comptoir.pricing.coupons import CouponBook, apply_coupon
from comptoir.pricing.engine import LineSpec, PricingContext, price_lines, read_line_specs
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import (
    PaymentTerms,
    RuleChannel,
    ShippingMethod,
    Tax,
    TermsTemplate,
    normalize_code,
)
from comptoir.pricing.promotions import Promotions, apply_promotions
from comptoir.pricing.rules import net_price
from comptoir.pricing.shipping import ShippingRules, apply_shipping


@dataclass
class DocumentRequest:
    """What a user asks for: a customer, lines, and header fields (date, notes, …)."""

    customer: Customer
    lines: list[LineSpec]
    header: dict = field(default_factory=dict)
    # Given, a line that cannot be priced is left out and its error kept here by its index.
    line_errors: dict | None = None
    # Where it comes from, for the pricing rules of a channel: typed, or a partner's import.
    channel: str = RuleChannel.TYPED
    partner: str = ""
    # Given, a shipping charge that cannot be priced is left out and its error kept here.
    header_errors: list | None = None


def document_defaults(
    customer: Customer, company: Company, day: date, payment_terms: PaymentTerms | None = None
) -> dict:
    terms = payment_terms or customer.payment_terms or company.default_payment_terms
    return {
        **document_header(customer),
        "date": day,
        "currency": company.currency,
        "payment_terms": terms,
        "payment_terms_text": terms.name if terms else "",
    }


def build_documents(doc_model, line_model, requests: list[DocumentRequest], *, by=None):
    """Unsaved documents with their priced lines and totals, in a constant number of queries."""
    company = Company.get()
    customers = at_hand(
        [r.customer for r in requests],
        ("price_list", "payment_terms", "default_tax"),
        prefetch=("addresses",),
    )
    default_terms = (
        TermsTemplate.objects.filter(**{doc_model.TERMS_DEFAULT: True}).first()
        if doc_model.TERMS_DEFAULT
        else None
    )
    items = at_hand(
        [spec.item for r in requests for spec in r.lines if spec.item is not None], ("tax", "unit")
    )
    headers, lines = [], []
    known_defaults: dict[tuple, dict] = {}  # a customer's many documents of a batch
    contexts: dict[tuple, PricingContext] = {}  # the batch's rules, read once
    for request in requests:
        customer = customers[request.customer.pk]
        header = dict(request.header)
        day = header.pop("date", None) or timezone.localdate()
        if default_terms and not header.get("terms"):
            header["terms"] = default_terms.body
        terms = header.pop("payment_terms", None)
        key = (customer.pk, terms.pk if terms else None)
        defaults = known_defaults.get(key)
        if defaults is None:
            defaults = known_defaults[key] = document_defaults(customer, company, day, terms)
        headers.append({**defaults, "date": day, "created_by": by, **header})
        for spec in request.lines:
            if spec.item is not None:
                spec.item = items[spec.item.pk]
        channel = (request.channel, request.partner)
        context = contexts.get(channel)
        if context is None:
            context = contexts[channel] = _pricing_context(items, by, company, *channel)
        priced = price_lines(
            customer, day, request.lines, errors=request.line_errors, context=context
        )
        lines.append(new_instances(line_model, priced))
    built = []
    rules = ShippingRules(
        [header.get("shipping_method") for header in headers], as_line=company.shipping_as_line
    )
    promotions = Promotions.load()
    docs = new_instances(doc_model, headers)
    coupons = CouponBook(docs)
    for request, doc, doc_lines in zip(requests, docs, lines, strict=True):
        # A document made from another (an order from its quotation) keeps what was agreed,
        # its promotions included; the others get the promotions in force, before shipping
        # (a free shipping from an amount sees the amount after promotions).
        if not any(spec.explanation is not None for spec in request.lines):
            apply_promotions(
                doc,
                doc_lines,
                promotions,
                customers[request.customer.pk],
                line_model=line_model,
                channel=request.channel,
            )
        apply_coupon(doc, doc_lines, coupons, request.header_errors)
        try:
            doc_lines = apply_shipping(
                doc, doc_lines, rules, customers[request.customer.pk], line_model
            )
        except BusinessError as error:
            if request.header_errors is None:
                raise
            request.header_errors.append(error)
        doc.apply_totals(doc_lines)
        built.append((doc, doc_lines))
    return built


def _pricing_context(items: dict, by, company, channel: str, partner: str) -> PricingContext:
    return PricingContext.load(
        items.values(),
        by=by,
        channel=channel or RuleChannel.TYPED,
        partner=partner,
        company=company,
    )


def at_hand(instances: list, relations: tuple, prefetch: tuple = ()) -> dict:
    """The instances by id, each with these relations at hand: those that have them already
    (an import's matched or new customers and items) are kept, the others read in one query."""
    if not instances:
        return {}
    meta = type(instances[0])._meta
    fields = [meta.get_field(name) for name in relations]

    def ready(obj) -> bool:
        cached = getattr(obj, "_prefetched_objects_cache", {})
        return all(f.is_cached(obj) or getattr(obj, f.attname) is None for f in fields) and all(
            name in cached for name in prefetch
        )

    by_pk = {obj.pk: obj for obj in instances}
    missing = [pk for pk, obj in by_pk.items() if not ready(obj)]
    if missing:
        by_pk |= (
            meta.model.objects.select_related(*relations)
            .prefetch_related(*prefetch)
            .in_bulk(missing)
        )
    return by_pk


def save_documents(built, parent_field: str) -> list:
    """Insert built documents and their lines with two bulk inserts."""
    if not built:
        return []
    docs = insert_objects([doc for doc, _ in built], returning=True)
    all_lines = []
    attname = f"{parent_field}_id"
    for doc, lines in built:
        for line in lines:  # the parent set as its descriptor would, without its checks
            line.__dict__[attname] = doc.pk
            line._state.fields_cache[parent_field] = doc
            all_lines.append(line)
    insert_objects(all_lines)
    return docs


def read_document_input(data: dict, user=None) -> DocumentRequest:
    """API/UI input (customer id or code, lines, tax and terms codes) as a DocumentRequest;
    the customer among those ``user`` sees."""
    data = dict(data)
    lines = data.pop("lines", None) or []
    customer, header = read_document_header(data, user)
    return DocumentRequest(customer, read_line_specs(lines), header)


def read_document_header(data: dict, user=None) -> tuple[Customer, dict]:
    """The customer (among those ``user`` sees) and the header fields of a document input."""
    data = dict(data)
    customer = find_customer(data.pop("customer"), user=user)
    header = {k: v for k, v in data.items() if v is not None}
    if "payment_terms" in header:
        code = header["payment_terms"]
        header["payment_terms"] = PaymentTerms.objects.filter(code=code).first()
        if header["payment_terms"] is None:
            raise NotFound(_("Payment terms"), code, "payment_terms")
    if "allowances_charges" in header:
        header["allowances_charges"] = read_allowances_charges(header["allowances_charges"])
    if "shipping_method" in header:
        header["shipping_method"] = find_shipping_method(header["shipping_method"])
    if "coupon_code" in header:
        header["coupon_code"] = normalize_code(header["coupon_code"])
    return customer, header


def find_shipping_method(code) -> ShippingMethod | None:
    """The shipping method by its code (or id); an empty code is no shipping method."""
    if code in ("", None):
        return None
    method = find_by_id_or_code(
        ShippingMethod.objects.select_related("tax"), code, _("Shipping method"), "shipping_method"
    )
    if not method.active:
        raise BusinessError(
            PricingError.SHIPPING_METHOD_ARCHIVED,
            _("The shipping method « %(name)s » is archived: choose another.")
            % {"name": method.name},
            "shipping_method",
        )
    return method


def find_by_id_or_code(model, key, what: str, field: str):
    """A row named by its code, or by its id when the key is a number and no code matches;
    ``model`` may be a queryset, the rows the row is looked for in."""
    key = str(key)
    query = Q(code=key) | (Q(pk=int(key)) if key.isdigit() else Q(pk__in=[]))
    rows = model if isinstance(model, QuerySet) else model.objects.all()
    rows = {row.code: row for row in rows.filter(query)[:2]}
    row = rows.get(key) or next(iter(rows.values()), None)
    if row is None:
        raise NotFound(what, key, field)
    return row


def find_customer(key, field: str = "customer", *, user=None) -> Customer:
    """The customer by id or code, among those ``user`` sees (all of them without a user)."""
    return find_by_id_or_code(visible_customers(user), key, _("Customer"), field)


def read_allowances_charges(raw: list[dict]) -> list[dict]:
    """Document allowances/charges as stored: amounts and percentages as text, VAT from the tax
    code. A percentage without a tax is on every VAT rate of the lines (``core.totals``)."""
    # A promotion's discount read back: the promotions give it again, it is not the user's.
    raw = [row for row in raw if not row.get("promotion")]
    codes = {r["tax"] for r in raw if r.get("tax")}
    taxes = {t.code: t for t in Tax.objects.filter(code__in=codes)}
    stored = []
    for index, row in enumerate(raw):
        field = f"allowances_charges[{index}]"
        amount, percent = row.get("amount"), row.get("percent")
        if (amount is None) == (percent is None):
            raise InvalidInput(
                PricingError.ALLOWANCE_AMOUNT_OR_PERCENT,
                _("Give either an amount or a percentage for this discount or charge, not both.")
                if amount is not None
                else _("Give an amount or a percentage for this discount or charge."),
                f"{field}.amount",
            )
        if percent is not None and not 0 <= Decimal(str(percent)) <= 100:
            raise InvalidInput(
                PricingError.ALLOWANCE_PERCENT_OUT_OF_RANGE,
                _("A percentage is between 0 and 100."),
                f"{field}.percent",
            )
        item = {"is_charge": bool(row.get("is_charge")), "reason": row.get("reason") or ""}
        if row.get("tax"):
            tax = taxes.get(row["tax"])
            if tax is None:
                raise NotFound(_("Tax"), row["tax"], f"{field}.tax")
            item.update(vat_category=tax.category, vat_rate=str(tax.rate))
        elif percent is None:
            raise InvalidInput(
                PricingError.ALLOWANCE_TAX_MISSING,
                _("Choose the VAT of a discount or charge given as an amount."),
                f"{field}.tax",
            )
        if percent is None:
            item["amount"] = str(round_amount(amount))
        else:
            item["percent"] = str(Decimal(str(percent)))
        stored.append(item)
    return stored


def read_document_patch(data: dict) -> dict:
    """The fields a draft's edit changes; lines, when given, replace the draft's lines;
    allowances and charges, when given, replace the draft's."""
    if data.get("lines") is not None:
        data["lines"] = read_line_specs(data["lines"])
    if data.get("allowances_charges") is not None:
        data["allowances_charges"] = read_allowances_charges(data["allowances_charges"])
    if "shipping_method" in data:
        data["shipping_method"] = find_shipping_method(data["shipping_method"])
    if data.get("coupon_code") is not None:
        data["coupon_code"] = normalize_code(data["coupon_code"])
    return data


def made_from_another(document, lines) -> bool:
    """Whether a document was made from another (an order from its quotation, an invoice from
    its orders): it keeps the promotions agreed there until its lines are replaced."""
    return bool(
        getattr(document, "quotation_id", None)
        or getattr(document, "order_id", None)
        or any(getattr(line, "source_line_id", None) for line in lines)
    )


def reprice_document(document, line_model, parent_field: str) -> None:
    """A draft's promotions (unless it was made from another document), coupon discount,
    shipping charge and totals again, its user's lines kept (its coupon, its shipping method or
    its allowances and charges changed)."""
    customer = Customer.objects.select_related("default_tax").get(pk=document.customer_id)
    stored = list(
        line_model.objects.filter(**{parent_field: document}).select_related("item", "tax")
    )
    lines = [line for line in stored if not line.is_shipping]  # stated again below
    if not made_from_another(document, stored):
        apply_promotions(document, lines, Promotions.load(), customer, line_model=line_model)
    apply_coupon(document, lines, CouponBook([document]))
    lines = apply_shipping(document, lines, _rules_of(document), customer, line_model)
    document.apply_totals(lines)
    kept = {line.pk for line in lines if line.pk is not None}
    line_model.objects.filter(pk__in=[x.pk for x in stored if x.pk not in kept]).delete()
    line_model.objects.bulk_update([x for x in lines if x.pk is not None], ["net_amount"])
    added = [line for line in lines if line.pk is None]
    for line in added:
        setattr(line, parent_field, document)
    line_model.objects.bulk_create(added)


def _rules_of(document) -> ShippingRules:
    return ShippingRules([document.shipping_method], as_line=Company.get().shipping_as_line)


def allowed_below_margin(line_model, parent_field: str, document) -> frozenset:
    """The draft's prices a user allowed to sell under the minimum margin, as (item id, net
    unit price): whoever saves the draft again keeps them (changing them needs the right)."""
    rows = line_model.objects.filter(**{parent_field: document}, item__isnull=False).values_list(
        "item_id", "unit_price", "discount_pct", "price_explanation"
    )
    return frozenset(
        (item_id, net_price(price, discount))
        for item_id, price, discount, steps in rows
        if any(step.get("below_margin") for step in steps or ())
    )


def replace_lines(
    document, line_model, parent_field: str, specs: list[LineSpec], *, by=None
) -> None:
    """Price new lines for a draft, store its totals and swap its old lines for them."""
    customer = Customer.objects.select_related("price_list", "default_tax").get(
        pk=document.customer_id
    )
    context = PricingContext.load([s.item for s in specs], by=by)
    context.allowed_below = allowed_below_margin(line_model, parent_field, document)
    priced = price_lines(customer, document.date, specs, context=context)
    lines = [line_model(**values) for values in priced]
    apply_promotions(document, lines, Promotions.load(), customer, line_model=line_model)
    apply_coupon(document, lines, CouponBook([document]))
    lines = apply_shipping(document, lines, _rules_of(document), customer, line_model)
    document.apply_totals(lines)
    line_model.objects.filter(**{parent_field: document}).delete()
    for line in lines:
        setattr(line, parent_field, document)
    line_model.objects.bulk_create(lines)
