"""The minimal purchase side: suppliers, purchase orders and their receipts, for stock,
special orders (bought for one sales order line) and drop shipments (the supplier delivers
the customer)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.identifiers import validate_siren, validate_vat_id
from comptoir.core.links import record_url
from comptoir.core.money import PriceField, QuantityField


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    # How its e-invoices name it (BT-30, BT-31): its invoices are recognised by either.
    siren = models.CharField(
        "SIREN", max_length=9, blank=True, db_index=True, validators=[validate_siren]
    )
    vat_id = models.CharField(
        _("VAT number"), max_length=20, blank=True, db_index=True, validators=[validate_vat_id]
    )
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Ordered")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.RECEIVED, Status.CANCELLED},
    }
    ERROR_PREFIX = "purchase"

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    expected_date = models.DateField(_("expected on"), db_index=True)
    warehouse = models.ForeignKey(
        "stock.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Drop shipment: the supplier delivers the customer of this sales order.
    drop_ship = models.BooleanField(_("drop shipment"), default=False)
    sales_order = models.ForeignKey(
        "sales.SalesOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    ship_to = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase order")
        ordering = ["-date", "-id"]
        # The warehouse receives the goods of purchase orders it neither creates nor sends.
        permissions = [("receive_purchaseorder", _("Can receive purchase orders"))]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return record_url("purchasing:order", self.pk)

    @property
    def reference(self) -> str:
        return self.number or f"#{self.pk or '—'}"


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, related_name="purchase_lines"
    )
    description = models.CharField(max_length=500)
    quantity = QuantityField(_("quantity"))
    unit_cost = PriceField(_("unit cost"))
    quantity_received = QuantityField(_("received"))
    # A special order or a drop shipment buys for this sales order line.
    sales_order_line = models.ForeignKey(
        "sales.SalesOrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchase_lines",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["item", "quantity_received"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def quantity_to_receive(self):
        return self.quantity - self.quantity_received
