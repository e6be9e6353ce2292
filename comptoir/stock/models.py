from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import QuantityField


class DeliveryNote(models.Model):
    """Goods leaving for a customer against one sales order (stock moves come later)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.SHIPPED, Status.CANCELLED},
    }
    ERROR_PREFIX = "delivery"

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    order = models.ForeignKey(
        "sales.SalesOrder", on_delete=models.PROTECT, related_name="deliveries"
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    shipping_address = models.JSONField(default=dict, blank=True)
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
        return reverse("stock:delivery", args=[self.pk])

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

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"
