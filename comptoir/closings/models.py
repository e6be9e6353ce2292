from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import AmountField


class Closing(models.Model):
    """A period of the journal closed: its totals and the chain's head, signed with the
    company's key (kept outside the database), so that a re-hashed chain no longer matches."""

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    company = models.CharField(_("company"), max_length=250)
    # The chain as it stood: its number of entries and the hash of the last one.
    position = models.PositiveBigIntegerField(_("journal entries"))
    head_sha256 = models.CharField(max_length=64)
    # The documents dated in the period (credit notes count negative), and since the start.
    count = models.PositiveIntegerField(_("documents"))
    total_net = AmountField(_("total excl. VAT"))
    total_vat = AmountField(_("VAT"))
    total_gross = AmountField(_("total incl. VAT"))
    grand_count = models.PositiveIntegerField(_("documents since the start"))
    grand_net = AmountField(_("total excl. VAT since the start"))
    grand_vat = AmountField(_("VAT since the start"))
    grand_gross = AmountField(_("total incl. VAT since the start"))
    # The SHA-256 of the closing before's signature: closings follow one another.
    previous_sha256 = models.CharField(max_length=64)
    closed_at = models.DateTimeField(_("closed at"))
    public_key = models.CharField(max_length=64)
    signature = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("closing")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "start"], name="closings_period_start")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.start}"
