import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
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
    CANARY_ISLANDS = "L", _("Canary Islands indirect tax (IGIC)")
    CEUTA_MELILLA = "M", _("Ceuta and Melilla tax (IPSI)")


# The categories where no VAT is charged for a stated reason: the invoice gives it, as a text
# (BT-120) or a VATEX code (BT-121), and the rate is 0 (EN 16931 BR-E-10, BR-AE-10, BR-IC-10,
# BR-G-10, BR-O-10 and the rules on their rates).
EXEMPT_CATEGORIES = {
    VatCategory.EXEMPT,
    VatCategory.REVERSE_CHARGE,
    VatCategory.INTRA_EU,
    VatCategory.EXPORT,
    VatCategory.OUTSIDE_SCOPE,
}
# The small-business franchise (art. 293 B du CGI): only for a seller without a VAT number.
FRANCHISE = "VATEX-FR-FRANCHISE"


class Tax(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rate = RateField(_("rate %"))
    category = models.CharField(
        _("category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    exemption_reason = models.CharField(
        _("exemption text"),
        max_length=200,
        blank=True,
        help_text=_("Printed on the invoice, e.g. « Exonération de TVA, art. 261-4-4° a du CGI »."),
    )
    exemption_reason_code = models.CharField(
        _("exemption code (VATEX)"),
        max_length=30,
        blank=True,
        help_text=_("The code of the exemption in the e-invoice, e.g. VATEX-FR-CGI261-4."),
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

    def get_absolute_url(self) -> str:
        return reverse("pricing:tax", args=[self.pk])

    @property
    def is_franchise(self) -> bool:
        return self.exemption_reason_code == FRANCHISE

    def clean(self) -> None:
        """The rules of EN 16931 between a category, its rate and its exemption reason."""
        from comptoir.pricing.reference_data import VATEX_CATEGORIES, vatex_category

        self.exemption_reason_code = self.exemption_reason_code.strip().upper()
        errors = {}
        rate = self.rate if isinstance(self.rate, Decimal | int) else None
        reasoned = self.exemption_reason.strip() or self.exemption_reason_code
        if self.category in EXEMPT_CATEGORIES:
            if rate is not None and rate != 0:
                errors["rate"] = _("No VAT is charged in this category: its rate is 0.")
            if not reasoned:
                errors["exemption_reason"] = _(
                    "Give the reason no VAT is charged: the text printed on the invoice "
                    "(e.g. « Exonération de TVA, art. 262 ter I du CGI ») or its VATEX code."
                )
        elif reasoned:
            errors["exemption_reason"] = _(
                "Only a category without VAT (exempt, reverse charge, intra-EU supply, "
                "export, outside the scope) states an exemption reason."
            )
        if self.category == VatCategory.ZERO and rate is not None and rate != 0:
            errors["rate"] = _("A zero-rated tax has a rate of 0.")
        if self.category == VatCategory.STANDARD and rate is not None and rate <= 0:
            errors["rate"] = _(
                "A taxed category has a rate above 0; for no VAT, choose zero rated or exempt."
            )
        if rate is not None and not 0 <= rate < 100:
            errors["rate"] = _("A VAT rate is a percentage between 0 and 100.")
        code = self.exemption_reason_code
        if code and code not in VATEX_CATEGORIES:
            errors["exemption_reason_code"] = _(
                "%(code)s is not a VATEX code of the official list (e.g. VATEX-EU-IC, "
                "VATEX-FR-CGI261-4)."
            ) % {"code": code}
        elif code and self.category in EXEMPT_CATEGORIES and vatex_category(code) != self.category:
            errors["exemption_reason_code"] = _(
                "%(code)s is a code of the category « %(expected)s », not « %(category)s »."
            ) % {
                "code": code,
                "expected": VatCategory(vatex_category(code)).label,
                "category": self.get_category_display(),
            }
        taken = Tax.objects.filter(code__iexact=self.code).exclude(pk=self.pk)
        if self.code and taken.exists():  # TVA20 and tva20 would read as one tax
            errors["code"] = _("A tax with the code %(code)s already exists.") % {
                "code": taken.values_list("code", flat=True).first()
            }
        if errors:
            raise ValidationError(errors)


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
