from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.identifiers import validate_siren, validate_siret, validate_vat_id
from comptoir.core.links import record_url
from comptoir.core.money import AmountField, RateField


class CustomerGroup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("customer group")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Territory(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SalesPartner(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    commission_rate = RateField(_("commission rate %"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sales partner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    vat_id = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_vat_id]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    group = models.ForeignKey(
        CustomerGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT
    )
    sales_partner = models.ForeignKey(
        SalesPartner,
        verbose_name=_("sales partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    price_list = models.ForeignKey(
        "catalog.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment_terms = models.ForeignKey(
        "pricing.PaymentTerms",
        verbose_name=_("payment terms"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_tax = models.ForeignKey(
        "pricing.Tax",
        verbose_name=_("VAT treatment"),
        help_text=_("Replaces the items' VAT (reverse charge, intra-EU supply, export)."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credit_limit = AmountField(_("credit limit"), null=True, blank=True, default=None)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        help_text=_("The user in charge of this customer."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invoice_per_order = models.BooleanField(
        _("one invoice per order"),
        default=False,
        help_text=_("When deliveries are invoiced together, each order gets its own invoice."),
    )
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        ordering = ["name"]
        # Who sees every customer when salespeople see only their own (a company setting).
        permissions = [("see_all_customers", _("Can see all customers"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return record_url("parties:customer", self.pk)

    def clean(self):
        if self.credit_limit is not None and self.credit_limit < 0:
            raise ValidationError(
                {"credit_limit": _("A credit limit cannot be negative: leave it empty for none.")}
            )

    @property
    def is_business(self) -> bool:
        return self.kind == self.Kind.COMPANY


class Address(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BILLING)
    is_default = models.BooleanField(_("default"), default=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FR")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [models.Index(fields=["customer", "kind"])]

    def __str__(self) -> str:
        return f"{self.line1}, {self.postal_code} {self.city}"

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
        }


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    role = models.CharField(_("role"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
