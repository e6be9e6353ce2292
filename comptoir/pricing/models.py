import calendar
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import RateField


class VatCategory(models.TextChoices):
    """EN 16931 VAT category codes (UNTDID 5305)."""

    STANDARD = "S", _("Standard rate")
    ZERO = "Z", _("Zero rated")
    EXEMPT = "E", _("Exempt")
    REVERSE_CHARGE = "AE", _("Reverse charge")
    INTRA_EU = "K", _("Intra-community supply")
    EXPORT = "G", _("Export outside the EU")
    OUTSIDE_SCOPE = "O", _("Outside the scope of VAT")


class Tax(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rate = RateField(_("rate %"))
    category = models.CharField(
        _("category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    exemption_reason = models.CharField(_("exemption reason"), max_length=200, blank=True)
    exemption_reason_code = models.CharField(
        _("exemption reason code"), max_length=30, blank=True, help_text="VATEX code"
    )
    account = models.CharField(
        _("VAT collected account"),
        max_length=20,
        default="445710",
        help_text=_("The general ledger account of the VAT collected at this rate."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")
        ordering = ["-rate", "code"]

    def __str__(self) -> str:
        return self.name


class PaymentTerms(models.Model):
    """Due date = invoice date + days, then to the end of that month when asked
    ("45 jours fin de mois": the end of the month in which date + 45 days falls)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    days = models.PositiveIntegerField(_("days"), default=0)
    end_of_month = models.BooleanField(_("end of month"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")
        ordering = ["days", "code"]

    def __str__(self) -> str:
        return self.name

    def due_date(self, invoice_date: date) -> date:
        due = invoice_date + timedelta(days=self.days)
        if self.end_of_month:
            due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
        return due


class TermsTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    body = models.TextField(_("text"))
    default_for_quotations = models.BooleanField(default=False)
    default_for_invoices = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("terms and conditions")
        verbose_name_plural = _("terms and conditions")

    def __str__(self) -> str:
        return self.name
