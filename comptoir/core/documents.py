"""Shared abstract bases of the business documents: header, lines, stored totals."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core import totals as totals_module
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

    def document_allowances_charges(self) -> list[totals_module.AllowanceCharge]:
        return [
            totals_module.AllowanceCharge(
                amount=Decimal(item["amount"]),
                vat_category=item["vat_category"],
                vat_rate=Decimal(item["vat_rate"]),
                is_charge=bool(item.get("is_charge")),
                reason=item.get("reason", ""),
            )
            for item in self.allowances_charges
        ]

    def apply_totals(self, lines, prepaid: Decimal = Decimal("0")) -> totals_module.Totals:
        """Compute totals with the one totals function and store them on self and the lines."""
        result = totals_module.compute(
            [line.totals_input() for line in lines], self.document_allowances_charges(), prepaid
        )
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
    ``lines`` (by id), else ``unknown(line_id, field)`` is raised; the quantity between 0 and
    ``left(line)``, else ``excess(line, quantity, field)`` is raised.
    """
    read = []
    for line_id, raw in quantities.items():
        field = f"lines.{line_id}"
        quantity = round_quantity(parse_decimal(raw, field=field, maximum=MAX_QUANTITY))
        if quantity == 0:
            continue
        line = lines.get(int(line_id))
        if line is None:
            raise unknown(line_id, field)
        if quantity < 0 or quantity > left(line):
            raise excess(line, quantity, field)
        read.append((line, quantity))
    return read
