from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.links import record_url
from comptoir.core.money import AmountField


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    OTHER = "other", _("Other")


class Payment(models.Model):
    """Money received from a customer; allocated to invoices, the rest stays as credit.

    A payment typed by mistake is cancelled, never deleted: it keeps its number (the series is
    gapless), says why, and no longer settles anything."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Recorded")
        CANCELLED = "cancelled", _("Voided")

    TRANSITIONS = {Status.RECEIVED: {Status.CANCELLED}}

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    customer = models.ForeignKey(
        "parties.Customer", on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    method = models.CharField(
        _("method"), max_length=15, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    amount = AmountField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        ordering = ["-date", "-id"]
        permissions = [("export_accounting", _("Can export the accounting entries (FEC)"))]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("payments:payment", self.pk)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Allocation(models.Model):
    """Part of a payment settling an invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="allocations"
    )
    amount = AmountField(_("amount"))
    date = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = _("allocation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payments_allocation_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.invoice}"


class Refund(models.Model):
    """Credit paid back to the customer, out of what a payment left unallocated."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = AmountField(_("amount"))
    date = models.DateField(_("date"), default=timezone.localdate)
    method = models.CharField(
        _("method"), max_length=15, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("refund")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payments_refund_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} ← {self.payment}"
