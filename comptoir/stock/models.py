from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.core.links import record_url
from comptoir.core.money import AmountField, PriceField, QuantityField


class Warehouse(models.Model):
    """A place where goods are kept; deliveries ship from one."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    is_default = models.BooleanField(_("default warehouse"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="stock_one_default_warehouse",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return record_url("stock:warehouse", self.pk)


class StockMove(models.Model):
    """One line of the stock ledger: goods in (positive) or out (negative) of a warehouse.

    Moves are never changed nor deleted; a mistake is corrected by another move."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        DELIVERY = "delivery", _("Delivery")
        RETURN = "return", _("Customer return")
        TRANSFER = "transfer", _("Transfer")
        ADJUSTMENT = "adjustment", _("Adjustment")

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="stock_moves")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves")
    date = models.DateField(_("date"), default=timezone.localdate)
    quantity = QuantityField(_("quantity"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit_cost = PriceField(_("unit cost"), null=True, blank=True, default=None)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    delivery_line = models.ForeignKey(
        "DeliveryNoteLine", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    return_line = models.ForeignKey(
        "ReturnLine", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("stock move")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["item", "date", "id"], name="stock_move_item_ledger")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.quantity} × {self.item_id}"


class StockLevel(models.Model):
    """The ledger's running balance per item and warehouse, written in the transaction that
    posts the moves (and checked against them by ``stock.queries.ledger_differences``): the
    figures of an item are one indexed read, whatever the number of its moves."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    on_hand = QuantityField(_("on hand"))
    reserved = QuantityField(_("reserved"))
    # The stock's valuation: the weighted average cost of one unit (CUMP), moved by every
    # receipt and return at its unit cost, written with the balance (``stock.valuation``).
    # None until goods first come in with a cost.
    average_cost = PriceField(_("average unit cost"), null=True, blank=True, default=None)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "warehouse"], name="stock_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.warehouse_id}: {self.on_hand}"

    def get_absolute_url(self) -> str:
        """The ledger of this item."""
        return f"{reverse('stock:moves')}?q={self.item.code}"


class StockReservation(models.Model):
    """Goods of a warehouse set aside for a confirmed order line, until it ships them or is
    cancelled; their sum per item and warehouse is the balance's ``reserved``."""

    order_line = models.OneToOneField(
        "sales.SalesOrderLine", on_delete=models.CASCADE, related_name="reservation"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("reserved"))

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} for line {self.order_line_id}"


class DeliveryNote(models.Model):
    """Goods leaving for a customer against one sales order; shipping posts its stock moves
    when stock management is on."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Picked")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", pgettext_lazy("delivery note", "Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.READY, Status.SHIPPED, Status.CANCELLED},
        Status.READY: {Status.DRAFT, Status.SHIPPED, Status.CANCELLED},
    }
    ERROR_PREFIX = "delivery"

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    order = models.ForeignKey(
        "sales.SalesOrder", on_delete=models.PROTECT, related_name="deliveries"
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    shipping_address = models.JSONField(default=dict, blank=True)
    # Shipped by a supplier straight to the customer: no move in our warehouses.
    drop_ship = models.BooleanField(_("drop shipment"), default=False)
    shipped_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("delivery note")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return record_url("stock:delivery", self.pk)

    @property
    def reference(self) -> str:
        return self.number or f"#{self.pk or '—'}"


class DeliveryNoteLine(models.Model):
    delivery = models.ForeignKey(DeliveryNote, on_delete=models.CASCADE, related_name="lines")
    source_line = models.ForeignKey(
        "sales.SalesOrderLine", on_delete=models.PROTECT, related_name="delivery_lines"
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=500)
    quantity = QuantityField(_("quantity"))
    # What the goods cost, fixed when they ship (``stock.valuation``): the average cost they
    # left the warehouse at, or the item's cost price when nothing left a warehouse.
    cost_amount = AmountField(_("cost"), db_default=Decimal("0"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class CustomerReturn(models.Model):
    """Goods a customer sends back against a delivery: received into a warehouse, they count
    as no longer delivered to the order; a credit note may follow."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    delivery = models.ForeignKey(
        DeliveryNote, on_delete=models.PROTECT, related_name="returns", verbose_name=_("delivery")
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), default=timezone.localdate)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("customer return")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("stock:return", self.pk)

    @property
    def reference(self) -> str:
        return self.number


class ReturnLine(models.Model):
    customer_return = models.ForeignKey(
        CustomerReturn, on_delete=models.CASCADE, related_name="lines"
    )
    delivery_line = models.ForeignKey(
        DeliveryNoteLine, on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = QuantityField(_("quantity"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.delivery_line_id}"
