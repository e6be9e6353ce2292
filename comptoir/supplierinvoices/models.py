"""Supplier invoices received as e-invoices: what each states (a snapshot of the file, which
is kept verbatim), how its lines match the purchase orders and their receipts, and the
buyer's decisions on it with the lifecycle messages that carry them to the supplier."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.core.links import record_url
from comptoir.core.money import AmountField, PriceField, QuantityField, RateField
from comptoir.einvoicing.statuses import status


class ReceptionSettings(models.Model):
    """How the company receives supplier invoices (one row)."""

    class UnknownSupplier(models.TextChoices):
        HOLD = "hold", _("Hold the invoice until a supplier is chosen")
        CREATE = "create", _("Create the supplier from the invoice")

    unknown_supplier = models.CharField(
        _("invoice from an unknown supplier"),
        max_length=10,
        choices=UnknownSupplier.choices,
        default=UnknownSupplier.HOLD,
    )
    price_tolerance_pct = RateField(
        _("price tolerance (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How far above the ordered price an invoiced price is still accepted."),
    )
    quantity_tolerance = QuantityField(
        _("quantity tolerance"),
        validators=[MinValueValidator(0)],
        help_text=_("How many units more than received an invoice may still state."),
    )
    # The accounts of the purchase journal in the FEC.
    account_suppliers = models.CharField(_("suppliers account"), max_length=20, default="401000")
    account_purchases = models.CharField(
        _("purchases of goods account"), max_length=20, default="607000"
    )
    account_services = models.CharField(
        _("purchases of services account"), max_length=20, default="604000"
    )
    account_allowances = models.CharField(
        _("allowances received account"), max_length=20, default="609000"
    )
    account_vat = models.CharField(_("deductible VAT account"), max_length=20, default="445660")
    # Reading the platform's incoming flows: the updatedAt of the last one read (its clock).
    fetched_until = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("supplier invoice reception settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def get(cls) -> "ReceptionSettings":
        return cls.objects.get_or_create(pk=1)[0]


class SupplierInvoice(models.Model):
    class Status(models.TextChoices):
        HELD = "held", pgettext_lazy("supplier invoice", "Held")
        RECEIVED = "received", _("To decide")
        APPROVED = "approved", _("Approved")
        DISPUTED = "disputed", _("Disputed")
        REFUSED = "refused", pgettext_lazy("supplier invoice", "Refused")

    class Match(models.TextChoices):
        MATCHED = "matched", _("Matches the order")
        MISMATCH = "mismatch", _("Differs from the order")
        NO_ORDER = "no_order", _("No purchase order")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded on its page")
        API = "api", _("through the API")
        CLI = "cli", _("from the command line")
        PLATFORM = "platform", _("from the approved platform")

    class Hold(models.TextChoices):
        """Why a held invoice waits for the buyer."""

        SUPPLIER = "supplier", _("No supplier has its SIREN or VAT number.")
        DUPLICATE = "duplicate", _("The same invoice was already received, in another file.")
        OTHER_BUYER = "other_buyer", _("Addressed to another company.")
        OWN = "own", _("Issued by the company itself.")

    DECIDED = (Status.APPROVED, Status.DISPUTED, Status.REFUSED)
    FINAL = (Status.APPROVED, Status.REFUSED)
    # The decisions each status admits (a dispute is settled by approving or refusing; an
    # invoice held as a duplicate is never decided: the first one carries the decisions).
    DECISIONS_ALLOWED = {
        Status.RECEIVED: (205, 207, 210),
        Status.DISPUTED: (205, 210),
        Status.HELD: (207, 210),
    }

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    held_because = models.CharField(
        _("held because"), max_length=12, choices=Hold.choices, blank=True, default=""
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    supplier = models.ForeignKey(
        "purchasing.Supplier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    number = models.CharField(_("number"), max_length=100, db_index=True)
    type_code = models.CharField(max_length=3, default="380")
    date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    # The parties as the invoice names them (name, siren, vat_id, address, electronic_address).
    seller = models.JSONField(default=dict)
    buyer = models.JSONField(default=dict)
    order_reference = models.CharField(_("order reference"), max_length=100, blank=True)
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_invoices",
    )
    match = models.CharField(
        _("match"), max_length=10, choices=Match.choices, default=Match.NO_ORDER, db_index=True
    )
    vat_breakdown = models.JSONField(default=list)
    total_lines = AmountField(_("total of lines"))
    total_allowances = AmountField(_("allowances"))
    total_charges = AmountField(_("charges"))
    total_net = AmountField(_("total excl. VAT"))
    total_vat = AmountField(_("VAT"))
    total_gross = AmountField(_("total incl. VAT"))
    prepaid = AmountField(_("paid in advance"))
    amount_due = AmountField(_("amount due"))
    # The file as received, never changed.
    syntax = models.CharField(max_length=10)
    file = models.FileField(upload_to="supplier-invoices/%Y/")
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    flow_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    received_at = models.DateTimeField(
        pgettext_lazy("supplier invoice", "received at"), auto_now_add=True
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier invoice")
        ordering = ["-received_at", "-id"]
        permissions = [("decide_supplierinvoice", _("Can approve, dispute or refuse"))]

    def __str__(self) -> str:
        return f"{self.number} — {self.seller_name}"

    def get_absolute_url(self) -> str:
        return record_url("supplierinvoices:invoice", self.pk)

    @property
    def seller_name(self) -> str:
        return self.supplier.name if self.supplier_id else self.seller.get("name", "")

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in ("381", "261", "262", "396", "532")


class SupplierInvoiceLine(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.CharField(max_length=20)
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    seller_item_code = models.CharField(max_length=100, blank=True)
    buyer_item_code = models.CharField(max_length=100, blank=True)
    order_line_reference = models.CharField(max_length=100, blank=True)
    quantity = QuantityField(_("quantity"))
    unit_code = models.CharField(max_length=10, blank=True)
    unit_price = PriceField(_("unit price"))
    net_amount = AmountField(_("net amount"))
    vat_category = models.CharField(max_length=4, blank=True)
    vat_rate = RateField(_("VAT rate"), null=True, blank=True)
    # The three-way match: the order line it bills, and what differs, as codes and values
    # (put in words when shown: see ``matching.describe``).
    order_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class Decision(models.Model):
    """The buyer's decision on a supplier invoice and the lifecycle message (CDAR) that tells
    the supplier; ``sent_at`` empty: the message is still to send."""

    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.PROTECT, related_name="decisions")
    status = models.PositiveSmallIntegerField(_("status"))  # 205, 207, 210
    reason_code = models.CharField(_("reason"), max_length=30, blank=True)
    reason = models.CharField(_("comment"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id = models.CharField(max_length=200)
    message = models.BinaryField()
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    # Sending the message to the platform as a flow: its tracking id is made once, with the
    # row, so that a retry after a crash or a timeout gives back the flow made the first time.
    tracking_id = models.CharField(max_length=36, unique=True, null=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    flow_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(_("last failure"), blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.invoice} — {self.status}"

    def save(self, *args, **kwargs):
        if not self.tracking_id:
            self.tracking_id = str(uuid.uuid4())
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The status in words (« 210 Refusée »)."""
        return str(status(self.status))


class IncomingFlow(models.Model):
    """A supplier invoice flow the platform made available to the company, kept as downloaded
    whether or not it could be read: none is lost, and none makes two supplier invoices."""

    class State(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("incoming flow", "received")
        UNREADABLE = "unreadable", pgettext_lazy("incoming flow", "unreadable")
        FAILED = "failed", pgettext_lazy("incoming flow", "not downloaded")

    flow_id = models.CharField(_("flow id"), max_length=100, unique=True)
    syntax = models.CharField(_("format"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    updated_at = models.CharField(max_length=40, blank=True)  # the platform's clock
    state = models.CharField(_("state"), max_length=12, choices=State.choices, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    content = models.BinaryField(blank=True, default=b"")
    sha256 = models.CharField(max_length=64, blank=True)
    invoice = models.ForeignKey(
        SupplierInvoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flows",
    )
    attempts = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("incoming flow")
        ordering = ["-fetched_at", "-id"]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.get_state_display()}"
