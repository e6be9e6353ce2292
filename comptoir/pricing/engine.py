"""The pricing engine: which price, discount and VAT a document line gets.

Base price of a line = the customer's price list (best quantity break valid on the date), else
the item's sale price. A price list that includes VAT is turned into a price excluding VAT, since
documents state prices excluding VAT (EN 16931). The pricing rules the line meets then give its
price and discount (``comptoir.pricing.rules``); a price or discount typed by the user comes last.
No price goes under the company's minimum margin without the permission to sell under it. Each
step is kept on the line (its explanation), with the price before and after it. The customer's
VAT treatment (reverse charge, intra-EU supply, export) replaces the item's VAT.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.catalog.models import Item, ItemPrice
from comptoir.catalog.variants import find_variant
from comptoir.core.errors import BusinessError, NotFound
from comptoir.core.models import Company
from comptoir.core.money import (
    HUNDRED,
    MAX_PRICE,
    MAX_QUANTITY,
    format_amount,
    parse_decimal,
    round_amount,
    round_price,
    round_quantity,
)
from comptoir.parties.models import Customer
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import SELL_BELOW_MARGIN, RuleChannel, Tax
from comptoir.pricing.rules import LineFacts, Priced, RuleBook, apply_rules
from comptoir.pricing.services import refuse_unusable_tax


@dataclass
class LineSpec:
    """What a user asks for on a line; anything left as None is filled by the engine."""

    item: Item | None
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_pct: Decimal | None = None
    description: str | None = None
    tax: Tax | None = None
    # The explanation of a price agreed on another document (an order made from a quotation):
    # with the price and discount given, the line keeps them and their explanation.
    explanation: list | None = None
    # The promotion that gave the line on that other document (its reward line, kept).
    promotion_code: str = ""


@dataclass
class PricingContext:
    """What pricing a batch of lines shares: the rules in force, where the documents come
    from, the minimum margin and whether the user may go under it."""

    book: RuleBook
    currency: str = "EUR"
    channel: str = RuleChannel.TYPED
    partner: str = ""
    minimum_margin: Decimal | None = None
    below_margin_allowed: bool = False
    # (item id, net unit price) a user allowed to sell under the minimum margin on the draft
    # being edited: kept when another user saves it again unchanged.
    allowed_below: frozenset = frozenset()

    @classmethod
    def load(cls, items=(), *, by=None, channel=RuleChannel.TYPED, partner="", company=None):
        company = company or Company.get()
        book = RuleBook.load(items, currency=company.currency, channel=channel, partner=partner)
        return cls(
            book=book,
            currency=company.currency,
            channel=channel,
            partner=partner,
            minimum_margin=company.minimum_margin_pct,
            below_margin_allowed=bool(by is not None and by.has_perm(SELL_BELOW_MARGIN)),
        )


def read_line_specs(raw_lines: list[dict], *, errors: dict | None = None) -> list[LineSpec]:
    """Turn user input (item id or code, numbers as text) into LineSpecs, in two queries.

    With ``errors`` (a dict), a line that cannot be read is left out and its BusinessError kept
    under the line's index, so that the other lines can still be priced (a form's preview)."""
    # A promotion's line read back (a document's lines sent back as they were read): the
    # promotions give it again, it is not the user's.
    raw_lines = [raw for raw in raw_lines if not raw.get("promotion_code")]
    if not raw_lines and errors is None:
        raise BusinessError(
            PricingError.NO_LINES, _("A document needs at least one line."), "lines"
        )
    keys = [raw.get("item") for raw in raw_lines if raw.get("item") not in (None, "")]
    ids = {k for k in keys if isinstance(k, int) or (isinstance(k, str) and k.isdigit())}
    codes = {str(k) for k in keys}
    items = Item.objects.select_related("tax", "unit").filter(
        Q(pk__in=[int(k) for k in ids]) | Q(code__in=codes)
    )
    by_key = {}
    for item in items:
        by_key[item.code] = item
        by_key.setdefault(str(item.pk), item)
    tax_codes = {raw["tax"] for raw in raw_lines if raw.get("tax")}
    taxes = {t.code: t for t in Tax.objects.filter(code__in=tax_codes)}
    specs = []
    for index, raw in enumerate(raw_lines):
        try:
            specs.append(_read_line_spec(raw, f"lines[{index}]", by_key, taxes))
        except BusinessError as error:
            if errors is None:
                raise
            errors[index] = error
    return specs


def _read_line_spec(raw: dict, where: str, items: dict, taxes: dict) -> LineSpec:
    key = raw.get("item")
    item = None
    if key not in (None, ""):
        item = items.get(str(key))
        if item is None:
            raise NotFound(_("Item"), key, f"{where}.item")
    if raw.get("variant"):  # the template's variant of these values ({attribute: value})
        if item is None:
            raise NotFound(_("Item"), "", f"{where}.item")
        item = find_variant(item, raw["variant"], f"{where}.variant")
    tax = None
    if raw.get("tax"):
        tax = taxes.get(raw["tax"])
        if tax is None:
            raise NotFound(_("Tax"), raw["tax"], f"{where}.tax")
    return LineSpec(
        item=item,
        quantity=parse_decimal(
            raw.get("quantity"), field=f"{where}.quantity", maximum=MAX_QUANTITY
        ),
        unit_price=_optional_decimal(raw.get("unit_price"), f"{where}.unit_price"),
        discount_pct=_optional_decimal(raw.get("discount_pct"), f"{where}.discount_pct"),
        description=raw.get("description") or None,
        tax=tax,
    )


def _optional_decimal(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    return parse_decimal(value, field=field, maximum=MAX_PRICE)


def list_prices(customer: Customer, day: date, items_quantities) -> dict[tuple, Decimal]:
    """Prices excluding VAT from the customer's price list, for (item, quantity) pairs."""
    price_list = customer.price_list
    if price_list is None:
        return {}
    item_ids = {item.pk for item, __ in items_quantities}
    rows = (
        ItemPrice.objects.filter(price_list=price_list, item_id__in=item_ids)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("item_id", "-min_quantity")
    )
    breaks: dict[int, list[ItemPrice]] = {}
    for row in rows:
        breaks.setdefault(row.item_id, []).append(row)
    prices = {}
    for item, quantity in items_quantities:
        for row in breaks.get(item.pk, []):
            if row.min_quantity <= quantity:
                price = row.price
                if price_list.prices_include_vat:
                    price = price / (1 + item.tax.rate / HUNDRED)
                prices[(item.pk, quantity)] = round_price(price)
                break
    return prices


def price_lines(
    customer: Customer,
    day: date,
    specs: list[LineSpec],
    *,
    errors: dict | None = None,
    context: PricingContext | None = None,
) -> list[dict]:
    """The field values of each document line (snapshot of the item, price, discount, VAT, and
    the explanation of the price). ``context`` is shared by a batch's documents; without it,
    the rules are read for these lines.

    With ``errors`` (a dict), a line that cannot be priced is left out and its BusinessError
    kept under the line's index (as ``read_line_specs`` does)."""
    if not specs and errors is None:
        raise BusinessError(
            PricingError.NO_LINES, _("A document needs at least one line."), "lines"
        )
    if context is None:
        context = PricingContext.load([s.item for s in specs])
    listed = list_prices(
        customer, day, [(s.item, round_quantity(s.quantity)) for s in specs if s.item is not None]
    )
    lines = []
    for index, spec in enumerate(specs):
        try:
            line = _price_line(customer, day, spec, listed, context, f"lines[{index}]")
        except BusinessError as error:
            if errors is None:
                raise
            errors[index] = error
        else:
            lines.append({"position": len(lines) + 1, **line})
    return lines


def price_given_line(customer: Customer, spec: LineSpec, where: str) -> dict:
    """The field values of one line whose price was agreed elsewhere (``spec.explanation``
    set): no price list or rule is read."""
    assert spec.unit_price is not None and spec.explanation is not None
    return _price_line(customer, None, spec, {}, None, where)


def _price_line(
    customer: Customer, day: date, spec: LineSpec, listed: dict, context, where: str
) -> dict:
    item = spec.item
    quantity = round_quantity(spec.quantity)
    if quantity <= 0:
        raise BusinessError(
            PricingError.QUANTITY_NOT_POSITIVE,
            _("The quantity must be greater than zero."),
            f"{where}.quantity",
        )
    if item is not None and not item.active:
        raise BusinessError(
            PricingError.ITEM_INACTIVE,
            _("Item %(code)s is no longer sold.") % {"code": item.code},
            f"{where}.item",
        )
    if item is not None and item.is_template:
        raise BusinessError(
            PricingError.ITEM_IS_TEMPLATE,
            _("%(name)s comes in several sizes or colours: choose one of its variants.")
            % {"name": item.name},
            f"{where}.item",
        )
    priced = _price(customer, day, spec, quantity, listed, context, where)
    tax = spec.tax or customer.default_tax or (item.tax if item is not None else None)
    if tax is None:
        raise BusinessError(
            PricingError.TAX_MISSING, _("Choose the VAT of this line."), f"{where}.tax"
        )
    refuse_unusable_tax(tax, f"{where}.tax")
    description = spec.description or (item.name if item is not None else "")
    if not description:
        raise BusinessError(
            PricingError.DESCRIPTION_MISSING,
            _("A line without an item needs a description."),
            f"{where}.description",
        )
    line = {
        "item": item,
        "item_code": item.code if item is not None else "",
        "description": description[:500],
        "is_service": item.is_service if item is not None else False,
        "unit_code": item.unit.code if item is not None else "C62",
        "quantity": quantity,
        "unit_price": priced.unit_price,
        "discount_pct": priced.discount_pct,
        "price_explanation": priced.steps,
        "tax": tax,
        "vat_category": tax.category,
        "vat_rate": tax.rate,
        "vat_exemption_reason": tax.exemption_reason,
        "vat_exemption_code": tax.exemption_reason_code,
    }
    if spec.promotion_code:
        line["promotion_code"] = spec.promotion_code
    return line


def _price(customer, day, spec: LineSpec, quantity, listed, context, where: str) -> Priced:
    """The line's price and discount, step by step: its base price, the rules it meets, the
    minimum margin, then what the user typed."""
    item = spec.item
    if spec.unit_price is not None and spec.explanation is not None:  # agreed elsewhere
        price, discount = _typed(spec, where)
        return Priced(price, discount if discount is not None else Decimal("0"), spec.explanation)
    if item is None:
        priced = Priced(Decimal("0"), Decimal("0"), [])
    else:
        base = listed.get((item.pk, quantity))
        if base is None:
            base, base_step = item.sale_price, {"kind": "item"}
        else:
            base_step = {"kind": "price_list", "name": customer.price_list.name}
        outcomes = []
        if context.book.size:
            facts = LineFacts(
                customer_id=customer.pk,
                customer_group_id=customer.group_id,
                territory_id=customer.territory_id,
                item=item,
                quantity=quantity,
                base_price=base,
                day=day,
                currency=context.currency,
                channel=context.channel,
                partner=context.partner,
                values=context.book.item_values.get(item.pk, frozenset()),
            )
            outcomes = context.book.resolve(facts)
        priced = apply_rules(base, base_step, outcomes)
    floor = _floor(item, context)
    if floor is not None and priced.net < floor:  # the engine never proposes less, to anyone
        priced.unit_price, priced.discount_pct = floor, Decimal("0")
        priced.step("floor", margin=str(context.minimum_margin))
    price, discount = _typed(spec, where)
    if price is not None:  # the price: the discounts of the rules were on another one
        priced.unit_price, priced.discount_pct = price, Decimal("0")
        priced.step("manual_price", value=str(price))
    if discount is not None and discount != priced.discount_pct:
        replaced = priced.discount_pct
        priced.discount_pct = discount
        priced.step("manual_discount", value=str(discount), replaced=str(replaced))
    if not priced.steps:  # a line without an item, at no price
        priced.step("manual_price", value=str(priced.unit_price))
    below = floor is not None and priced.net < floor
    if below and (context.below_margin_allowed or (item.pk, priced.net) in context.allowed_below):
        # The floor kept beside it: the form warns whoever may go under by how much.
        priced.steps[-1]["below_margin"] = True
        priced.steps[-1]["floor"] = str(floor)
    elif below:
        raise BusinessError(
            PricingError.BELOW_MINIMUM_MARGIN,
            _(
                "%(price)s is under the minimum margin: the lowest net price of this item is "
                "%(floor)s. Selling under it needs the permission to."
            )
            % {"price": format_amount(priced.net), "floor": format_amount(floor)},
            f"{where}.{'discount_pct' if discount is not None else 'unit_price'}",
        )
    return priced


def _typed(spec: LineSpec, where: str) -> tuple[Decimal | None, Decimal | None]:
    """The price and discount the user typed (None: not typed), checked."""
    price = discount = None
    if spec.unit_price is not None:
        price = round_price(spec.unit_price)
        if price < 0:
            raise BusinessError(
                PricingError.PRICE_NEGATIVE,
                _("A unit price cannot be negative; use a credit note or a discount."),
                f"{where}.unit_price",
            )
    if spec.discount_pct is not None:
        # Rounded as stored (two places), so the line's amount is computed from what is kept.
        discount = round_amount(spec.discount_pct)
        if not Decimal("0") <= discount <= HUNDRED:
            raise BusinessError(
                PricingError.DISCOUNT_OUT_OF_RANGE,
                _("A discount is a percentage between 0 and 100."),
                f"{where}.discount_pct",
            )
    return price, discount


def _floor(item: Item | None, context: PricingContext) -> Decimal | None:
    """The lowest net price the minimum margin allows for the item (None: no minimum)."""
    margin = context.minimum_margin
    if item is None or margin is None or not item.cost_price:
        return None
    # Up to the cent: a price a customer reads, and not a cent under the margin.
    floor = item.cost_price * (HUNDRED + margin) / HUNDRED
    return floor.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def why_price(customer: Customer, item: Item, quantity, day: date, *, by=None) -> Priced:
    """The price a customer gets for an item, a quantity and a day, with its steps and every
    rule the line meets (``Priced.outcomes``: applied or not, and why not)."""
    quantity = round_quantity(quantity)
    if quantity <= 0:
        raise BusinessError(
            PricingError.QUANTITY_NOT_POSITIVE,
            _("The quantity must be greater than zero."),
            "quantity",
        )
    context = PricingContext.load([item], by=by)
    listed = list_prices(customer, day, [(item, quantity)])
    return _price(customer, day, LineSpec(item, quantity), quantity, listed, context, "")
