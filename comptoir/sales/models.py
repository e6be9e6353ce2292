from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.documents import CustomerDocument, DocumentLine
from comptoir.core.links import record_url
from comptoir.core.money import QuantityField


class Progress(models.TextChoices):
    NOT = "not", _("Not yet")
    PARTLY = "partly", _("Partly")
    FULLY = "fully", _("Fully")


class Quotation(CustomerDocument):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")

    TRANSITIONS = {
        Status.DRAFT: {Status.SENT, Status.ACCEPTED, Status.REFUSED},
        Status.SENT: {Status.ACCEPTED, Status.REFUSED, Status.EXPIRED, Status.DRAFT},
        Status.EXPIRED: {Status.DRAFT},
    }
    ERROR_PREFIX = "quotation"
    TERMS_DEFAULT = "default_for_quotations"

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("quotation")
        ordering = ["-date", "-id"]

    def get_absolute_url(self) -> str:
        return record_url("sales:quotation", self.pk)


class QuotationLine(DocumentLine):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("quotation line")


class SalesOrder(CustomerDocument):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.DONE, Status.CANCELLED},
    }
    ERROR_PREFIX = "order"
    TERMS_DEFAULT = "default_for_quotations"

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    quotation = models.ForeignKey(
        Quotation,
        verbose_name=_("quotation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    sales_partner = models.ForeignKey(
        "parties.SalesPartner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    # Caches of what lineage says, written only by sales.services.refresh_order_progress.
    delivery_status = models.CharField(
        _("delivery"), max_length=10, choices=Progress.choices, default=Progress.NOT
    )
    billing_status = models.CharField(
        _("invoicing"), max_length=10, choices=Progress.choices, default=Progress.NOT
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sales order")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "status"])]

    def get_absolute_url(self) -> str:
        return record_url("sales:order", self.pk)


class SalesOrderLine(DocumentLine):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    # Caches recomputed from delivery and invoice lines (lineage), never set by hand.
    quantity_delivered = QuantityField(_("delivered"))
    quantity_invoiced = QuantityField(_("invoiced"))
    promised_date = models.DateField(_("promised for"), null=True, blank=True)

    class Meta(DocumentLine.Meta):
        verbose_name = _("sales order line")
        indexes = [
            # The few lines delivered beyond what is invoiced: what « À facturer » and the
            # dashboard's « Livré, non facturé » read, without scanning every order line.
            models.Index(
                fields=["order"],
                name="sales_line_uninvoiced",
                condition=models.Q(quantity_delivered__gt=models.F("quantity_invoiced")),
            )
        ]

    @property
    def quantity_to_deliver(self):
        return max(self.quantity - self.quantity_delivered, 0) if not self.is_service else 0

    @property
    def quantity_to_invoice(self):
        return max(self.quantity - self.quantity_invoiced, 0)
