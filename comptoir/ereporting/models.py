from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import AmountField


class Report(models.Model):
    """An e-reporting file of one period: the sales or the payments the company reports to the
    tax administration through its approved platform (flux 10)."""

    class Kind(models.TextChoices):
        TRANSACTIONS = "transactions", _("Sales")
        PAYMENTS = "payments", _("Payments")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")  # the period is not over: prepared again until it is
        READY = "ready", _("Ready to send")
        SENT = "sent", _("Sent")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    state = models.CharField(_("state"), max_length=5, choices=State.choices)
    # The file as it will be sent, and its SHA-256: what the platform receives is this.
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # What it holds, for the list: the documents and their amount excl. VAT and VAT, or the
    # payments and the amount received (VAT included).
    count = models.PositiveIntegerField(_("entries"))
    amount = AmountField(_("amount"))
    vat = AmountField(_("VAT"))
    prepared_at = models.DateTimeField(_("prepared at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    flow_id = models.CharField(_("flow"), max_length=36, blank=True)

    class Meta:
        verbose_name = _("e-reporting file")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="ereporting_kind_start")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}–{self.end}"
