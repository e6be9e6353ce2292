"""Shared abstract bases of the business documents: header, lines, stored totals."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core import totals as totals_module
from comptoir.core.errors import BusinessError, Refusals
from comptoir.core.money import (
    MAX_QUANTITY,
    AmountField,
    PriceField,
    QuantityField,
    RateField,
    parse_decimal,
    round_quantity,
)


def sparse_index(field: str, name: str) -> models.Index:
    """An index of a link most rows leave empty (a credited invoice, an order line): only
    the rows that have one are indexed, which is what lookups by it search. Its foreign key
    is declared with ``db_index=False``."""
    return models.Index(
        fields=[field], name=name, condition=models.Q(**{f"{field}__isnull": False})
    )


class PrintLayout(models.TextChoices):
    """How a document looks on paper. Every layout prints every mandatory mention."""

    STANDARD = "standard", _("Standard")
    COMPACT = "compact", _("Compact (no logo, small type, for printing in bulk)")
    LARGE = "large", _("Large print")


class CustomerDocument(models.Model):
    """What every customer-facing document states, copied when it is created (a snapshot)."""

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    customer = models.ForeignKey(
        "parties.Customer", verbose_name=_("customer"), on_delete=models.PROTECT
    )
    customer_name = models.CharField(_("customer name"), max_length=200)
    customer_siren = models.CharField("SIREN", max_length=9, blank=True)
    customer_vat_id = models.CharField(_("VAT number"), max_length=20, blank=True)
    customer_is_business = models.BooleanField(default=True)
    billing_address = models.JSONField(_("billing address"), default=dict, blank=True)
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    payment_terms = models.ForeignKey(
        "pricing.PaymentTerms",
        verbose_name=_("payment terms"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment_terms_text = models.CharField(_("payment terms"), max_length=200, blank=True)
    # Its rules give the shipping charge, kept in allowances_charges (pricing.shipping).
    shipping_method = models.ForeignKey(
        "pricing.ShippingMethod",
        verbose_name=_("shipping method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A coupon's discount is kept in allowances_charges, its use recorded (pricing.coupons).
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    customer_reference = models.CharField(_("customer reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    terms = models.TextField(_("terms and conditions"), blank=True)
    # Document-level allowances and charges (e.g. shipping), as EN 16931 has them.
    allowances_charges = models.JSONField(default=list, blank=True)
    # Stored results of core.totals.compute, written only by services.
    total_lines = AmountField(_("lines total"))
    total_allowances = AmountField(_("allowances"))
    total_charges = AmountField(_("charges"))
    total_net = AmountField(_("total excl. VAT"))
    total_vat = AmountField(_("VAT"))
    total_gross = AmountField(_("total incl. VAT"))
    vat_breakdown = models.JSONField(default=list, blank=True)
    # How it prints; empty: the company's layout at the time it is printed.
    print_layout = models.CharField(
        _("print layout"), max_length=10, choices=PrintLayout.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Which TermsTemplate flag gives a new document of this kind its default terms.
    TERMS_DEFAULT = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return self.number or f"#{self.pk or '—'}"

    @property
    def title_reference(self) -> str:
        """What the document's page calls it: its number, « (brouillon) » until it has one (a
        draft's database id means nothing to a user)."""
        return self.number or str(_("(draft)"))

    @property
    def saved_message(self) -> str:
        return str(_("%(ref)s saved.")) % {"ref": self.title_reference}

    def shown_allowances_charges(self) -> list[dict]:
        """The allowances and charges as a reader sees them on screen: a percentage on the
        whole document once (« Remise 5 % »), its amount the sum of its VAT groups'."""
        given = given_allowances_charges(self.allowances_charges)
        shown = [{"row": row, "item": item} for item, row in given]
        # The stored rows a percentage on the whole document was stated in, by its first one.
        amounts: dict[int, Decimal] = {}
        first = None
        firsts = {id(entry["row"]) for entry in shown}
        for row in self.allowances_charges:
            if id(row) in firsts:
                first = id(row)
            amount = Decimal(str(row.get("amount") or 0))
            amounts[first] = amounts.get(first, Decimal("0")) + amount
        return [
            {
                # The discount typed on the form is named in the reader's language, not in
                # the words stored for the document (« Remise 10 % » to an English reader).
                "reason": "" if entry["row"].get("from_form") else entry["item"].reason,
                "percent": entry["item"].percent,
                "is_charge": entry["item"].is_charge,
                "amount": amounts[id(entry["row"])],
            }
            for entry in shown
        ]

    def apply_totals(self, lines, prepaid: Decimal = Decimal("0")) -> totals_module.Totals:
        """Compute totals with the one totals function and store them on self and the lines,
        with the amount (and base) of each allowance or charge given as a percentage."""
        given = given_allowances_charges(self.allowances_charges)
        result = totals_module.compute(
            [line.totals_input() for line in lines], [item for item, _row in given], prepaid
        )
        self.allowances_charges = stored_allowances_charges(given, result)
        for line, amounts in zip(lines, result.lines, strict=True):
            line.net_amount = amounts.net_amount
        self.total_lines = result.total_lines
        self.total_allowances = result.total_allowances
        self.total_charges = result.total_charges
        self.total_net = result.tax_basis
        self.total_vat = result.total_vat
        self.total_gross = result.total_with_vat
        self.vat_breakdown = [group.as_json() for group in result.vat_breakdown]
        return result


# A stored allowance or charge that is one VAT group's part of a percentage on the whole document.
EVERY_VAT_GROUP = "every_vat_group"


def given_allowances_charges(rows: list[dict]) -> list[tuple[totals_module.AllowanceCharge, dict]]:
    """The allowances and charges as given, each with the stored row it is read from.

    A row is an amount (``amount``), or a ``percent`` of its VAT group (``vat_category`` and
    ``vat_rate``) or, without a VAT category, of every VAT group of the lines. Stored, such a
    percentage on the whole document is one row per VAT group, marked ``every_vat_group``:
    the consecutive rows of one (same percentage, kind and reason, each group once) are read
    back as the one percentage they came from, so that new lines or VAT rates get it too."""
    given = []
    current = None  # (its kind, percentage and reason, the VAT groups read) while reading one
    for row in rows:
        percent = row.get("percent")
        percent = None if percent in (None, "") else Decimal(str(percent))
        is_charge, reason = bool(row.get("is_charge")), row.get("reason", "")
        if percent is not None and (row.get(EVERY_VAT_GROUP) or not row.get("vat_category")):
            key = (is_charge, percent, reason)
            group = (row.get("vat_category"), Decimal(str(row.get("vat_rate") or 0)))
            if current is not None and current[0] == key and group not in current[1]:
                current[1].add(group)
                continue
            current = (key, {group})
            item = totals_module.AllowanceCharge(
                amount=None,
                vat_category="",
                vat_rate=None,
                is_charge=is_charge,
                reason=reason,
                percent=percent,
            )
        else:
            current = None
            item = totals_module.AllowanceCharge(
                amount=None if percent is not None else Decimal(str(row["amount"])),
                vat_category=row["vat_category"],
                vat_rate=Decimal(str(row["vat_rate"])),
                is_charge=is_charge,
                reason=reason,
                percent=percent,
            )
        given.append((item, row))
    return given


def is_percentage(row: dict) -> bool:
    return row.get("percent") not in (None, "")


def allowances_charges_for(rows: list[dict], lines) -> list[dict]:
    """The rows that apply to a document of these lines (an order's rows on one of its
    invoices, an invoice's on its correction): a percentage of a VAT rate none of the lines
    has is left out, as it would come to nothing."""
    groups = {(line.vat_category, Decimal(line.vat_rate)) for line in lines}
    return [
        row
        for row in rows
        if not is_percentage(row)
        or row.get(EVERY_VAT_GROUP)
        or not row.get("vat_category")
        or (row["vat_category"], Decimal(str(row["vat_rate"]))) in groups
    ]


def allowances_charges_as_amounts(rows: list[dict], lines) -> list[dict]:
    """The rows with each percentage stated as the amount it comes to on these lines (for a
    part of a document that is put with others: an order's lines on an invoice of several
    orders, whose percentage is of its own lines only)."""
    given = given_allowances_charges(allowances_charges_for(rows, lines))
    result = totals_module.compute([line.totals_input() for line in lines], [g for g, _r in given])
    return [
        {k: v for k, v in row.items() if k not in ("percent", "base", EVERY_VAT_GROUP)}
        for row in stored_allowances_charges(given, result)
    ]


def stored_allowances_charges(given, result: totals_module.Totals) -> list[dict]:
    """The rows to store: an amount's row as it was, a percentage's with its base and amount
    as ``core.totals`` computed them (one row per VAT group for the whole document)."""
    stored = []
    for item, source in zip(result.allowances_charges, result.allowance_sources, strict=True):
        given_item, row = given[source]
        if item.percent is None:
            stored.append(row)
            continue
        row = {k: v for k, v in row.items() if k != EVERY_VAT_GROUP}
        row.update(
            amount=str(item.amount),
            percent=str(item.percent),
            base=str(item.base),
            is_charge=item.is_charge,
            reason=item.reason,
            vat_category=item.vat_category,
            vat_rate=str(item.vat_rate),
        )
        if given_item.on_every_vat_group:
            row[EVERY_VAT_GROUP] = True
        stored.append(row)
    return stored


class DocumentLine(models.Model):
    """A line as it is stated on the document: item snapshot, quantity, price, VAT."""

    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField(_("item code"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=500)
    is_service = models.BooleanField(default=False)
    unit_code = models.CharField(_("unit"), max_length=10, default="C62")
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price excl. VAT"))
    discount_pct = RateField(_("discount %"))
    tax = models.ForeignKey(
        "pricing.Tax", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vat_category = models.CharField(_("VAT category"), max_length=2, default="S")
    vat_rate = RateField(_("VAT rate"))
    vat_exemption_reason = models.CharField(max_length=200, blank=True)
    vat_exemption_code = models.CharField(max_length=30, blank=True)  # VATEX (BT-121)
    net_amount = AmountField(_("net amount"))
    # How the line got its price: the steps the pricing engine took, each with the price
    # before and after it (``comptoir.pricing.explanation``); empty for lines it did not price.
    price_explanation = models.JSONField(default=list, blank=True)
    # The promotion that added the line (a reward line, ``comptoir.pricing.promotions``):
    # applying the promotions again replaces it; the user does not edit it.
    promotion_code = models.CharField(_("promotion"), max_length=50, blank=True)
    # The shipping charge stated as a line (company option): recomputed, never typed.
    is_shipping = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    def totals_input(self) -> totals_module.LineInput:
        return totals_module.LineInput(
            quantity=Decimal(self.quantity),
            unit_price=Decimal(self.unit_price),
            vat_category=self.vat_category,
            vat_rate=Decimal(self.vat_rate),
            discount_pct=Decimal(self.discount_pct),
            exemption_reason=self.vat_exemption_reason,
            exemption_code=self.vat_exemption_code,
        )


def read_line_quantities(quantities: dict, lines: dict, left, *, unknown, excess) -> list:
    """(line, quantity) for each {line id: quantity as typed} that is not zero: a quantity per
    line of a document (what to credit, what comes back, what is received).

    Each quantity must be a number (the error names its field, ``lines.<id>``); the line one of
    ``lines`` (by id), else ``unknown(line_id, field)``; the quantity between 0 and
    ``left(line)``, else ``excess(line, quantity, field)``. Every line refused is said at once
    (``Refusals``), each on its field.
    """
    read, refused = [], []
    for line_id, raw in quantities.items():
        field = f"lines.{line_id}"
        try:
            quantity = round_quantity(parse_decimal(raw, field=field, maximum=MAX_QUANTITY))
        except BusinessError as error:
            refused.append(error)
            continue
        if quantity == 0:
            continue
        line = lines.get(int(line_id))
        if line is None:
            refused.append(unknown(line_id, field))
        elif quantity < 0 or quantity > left(line):
            refused.append(excess(line, quantity, field))
        else:
            read.append((line, quantity))
    if refused:
        raise Refusals(refused)
    return read
