import hashlib
import json
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.documents import PrintLayout
from comptoir.core.identifiers import (
    validate_bic,
    validate_iban,
    validate_platform_id,
    validate_siren,
    validate_siret,
    validate_vat_id,
)
from comptoir.core.money import AmountField, RateField

LOGO_MAX_BYTES = 1_000_000
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def validate_logo(file) -> None:
    """A PNG or JPEG image by its content (not its name), and a small one."""
    from django.core.exceptions import ValidationError

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo must weigh 1 MB at most."))
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    if not head.startswith(IMAGE_SIGNATURES):
        raise ValidationError(_("The logo must be a PNG or JPEG image."))


class InvoiceBasis(models.TextChoices):
    DELIVERED = "delivered", _("Delivered quantities")
    ORDERED = "ordered", _("Ordered quantities")


class VatRegime(models.TextChoices):
    """The company's VAT regime: it sets how often sales and payments are e-reported."""

    NORMAL_MONTHLY = "normal_monthly", _("Normal regime, monthly returns")
    NORMAL_QUARTERLY = "normal_quarterly", _("Normal regime, quarterly returns")
    SIMPLIFIED = "simplified", _("Simplified regime")
    FRANCHISE = "franchise", _("VAT-free threshold (franchise en base)")


class Company(models.Model):
    """The company using Comptoir: the seller on every document. One row (pk=1)."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=50, blank=True)
    share_capital = AmountField(_("share capital"))
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    rcs_city = models.CharField(_("RCS city"), max_length=100, blank=True)
    vat_id = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_vat_id]
    )
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validate_bic])
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    default_payment_terms = models.ForeignKey(
        "pricing.PaymentTerms",
        verbose_name=_("default payment terms"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stock_management = models.BooleanField(_("stock management enabled"), default=False)
    reserve_on_confirm = models.BooleanField(
        _("reserve stock for confirmed orders"),
        default=True,
        help_text=_("Confirming an order sets its goods aside; cancelling it gives them back."),
    )
    allow_negative_stock = models.BooleanField(
        _("allow negative stock"),
        default=False,
        help_text=_("Ship even when the warehouse does not have the goods."),
    )
    invoice_basis = models.CharField(
        _("invoice orders on"),
        max_length=10,
        choices=InvoiceBasis.choices,
        default=InvoiceBasis.DELIVERED,
    )
    vat_on_debits = models.BooleanField(_("VAT paid on debits"), default=False)
    vat_regime = models.CharField(
        _("VAT regime"),
        max_length=20,
        choices=VatRegime.choices,
        default=VatRegime.NORMAL_MONTHLY,
        help_text=_("It sets the periods of the e-reporting of sales and payments."),
    )
    platform_id = models.CharField(
        _("approved platform number"),
        max_length=4,
        blank=True,
        help_text=_("The 4-character number of the approved platform that sends your e-reporting."),
    )
    own_customers_only = models.BooleanField(
        _("salespeople see only their own customers"),
        default=False,
        help_text=_(
            "A user who may not see all customers sees only those they are the salesperson "
            "of, with their documents."
        ),
    )
    facturx_profile = models.CharField(
        _("Factur-X profile"),
        max_length=10,
        choices=[("en16931", "EN 16931"), ("basic", "BASIC")],
        default="en16931",
        help_text=_("The profile of the e-invoices issued from now on."),
    )
    print_layout = models.CharField(
        _("print layout"),
        max_length=10,
        choices=PrintLayout.choices,
        default=PrintLayout.STANDARD,
        help_text=_("How documents print unless they have their own layout."),
    )
    late_penalty_text = models.CharField(
        _("late payment penalties"),
        max_length=300,
        default="Pénalités de retard : trois fois le taux d'intérêt légal.",
    )
    early_payment_text = models.CharField(
        _("early payment discount"),
        max_length=300,
        default="Pas d'escompte pour paiement anticipé.",
    )
    quotation_validity_days = models.PositiveIntegerField(
        _("quotation validity (days)"), default=30
    )
    minimum_margin_pct = RateField(
        _("minimum margin %"),
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "Margin on the cost price under which no price or discount goes without the right "
            "permission: 25 means at least the cost + 25 %. Empty: no minimum."
        ),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="company/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, up to 1 MB: printed on the documents."),
    )
    # Accounting: the general ledger accounts of the entries sales produce (French PCG).
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("first month of the fiscal year"), default=1
    )
    account_customers = models.CharField(_("customers account"), max_length=20, default="411000")
    account_goods = models.CharField(_("sales of goods account"), max_length=20, default="707000")
    account_services = models.CharField(
        _("sales of services account"), max_length=20, default="706000"
    )
    account_charges = models.CharField(
        _("charges re-invoiced account"), max_length=20, default="708500"
    )
    account_allowances = models.CharField(
        _("discounts granted account"), max_length=20, default="709000"
    )
    account_bank = models.CharField(_("bank account"), max_length=20, default="512000")

    # How a document states its shipping charge: a charge below the lines (EN 16931 document
    # level), or a line of the shipping method's item.
    shipping_as_line = models.BooleanField(
        _("shipping charged as a line"),
        default=False,
        help_text=_(
            "The shipping charge is a line of the document (its shipping method's item) "
            "instead of a charge below the lines."
        ),
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("company")

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.platform_id:
            try:
                validate_platform_id(self.platform_id)
            except ValidationError as error:
                raise ValidationError({"platform_id": error}) from None

    @classmethod
    def get(cls) -> "Company":
        company = cls.objects.filter(pk=1).first()
        if company is None:
            company = cls.objects.create(pk=1, legal_name="Ma société")
        return company


class Sequence(models.Model):
    """A numbering series for one document type and year; its row is the lock (gapless)."""

    series = models.CharField(max_length=30)
    year = models.PositiveIntegerField()
    prefix = models.CharField(max_length=10)
    last_number = models.PositiveIntegerField(default=0)
    last_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="core_sequence_series_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year} ({self.last_number})"


class ApiToken(models.Model):
    """A user's API token. Only its SHA-256 is stored; the clear token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "cpt_" + secrets.token_urlsafe(32)

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class JournalEntry(models.Model):
    """One issued document sealed in the hash chain (NF525-style inalterability).

    ``content_sha256`` seals what the document states; ``sha256`` seals this entry and the one
    before it, so changing or removing any entry, or any sealed document, breaks the chain
    from there on (``comptoir journal verify``)."""

    position = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=30)
    document_id = models.BigIntegerField()
    number = models.CharField(max_length=32)
    # The canonical JSON text of what the document states: the very bytes that were hashed.
    content = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    previous_sha256 = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["kind", "document_id"])]

    def __str__(self) -> str:
        return f"{self.position} {self.kind} {self.number}"

    @property
    def sealed(self) -> dict:
        """What was sealed, read back from its text."""
        return json.loads(self.content)


class MessageTemplate(models.Model):
    """The e-mail sent with a document: subject and body, with $placeholders."""

    kind = models.CharField(_("document"), max_length=30, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))

    class Meta:
        verbose_name = _("message template")

    def __str__(self) -> str:
        return self.kind


class LoginFailure(models.Model):
    """A failed login, kept while it counts towards making the next attempts wait."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=45)  # the client's IP address
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["username", "address", "at"])]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are never changed.")

    def delete(self):
        raise TypeError("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """Who did what to which record, when, with the values before and after
    (``comptoir.core.audit`` writes them; nothing changes or deletes them)."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(_("who"), max_length=150)  # the user's name then, or the process
    action = models.CharField(_("action"), max_length=30)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    label = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are never changed.")
        super().save(*args, **kwargs)
