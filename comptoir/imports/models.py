"""Partners who send files, the files as received, their rows, and what each row became."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.documents import PrintLayout
from comptoir.core.links import record_url
from comptoir.core.money import AmountField
from comptoir.imports.parsing import file_texts


class Creates(models.TextChoices):
    INVOICES = "invoices", _("Invoices")
    ORDERS = "orders", _("Sales orders")


class WhenUnknown(models.TextChoices):
    CREATE = "create", _("Create it")
    REFUSE = "refuse", _("Refuse the row")
    IGNORE = "ignore", _("Drop the value")


class Then(models.TextChoices):
    DRAFT = "draft", _("Leave as draft")
    VALIDATE = "validate", _("Confirm the orders / issue the invoices")


class Strictness(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing")
    VALID_DOCUMENTS = "valid", _("Valid documents only")


class PriceSource(models.TextChoices):
    FILE = "file", _("The file")
    PRICE_LIST = "price_list", _("The price list")


class ImportPartner(models.Model):
    """Someone who sends us files of sales (an e-shop, a marketplace, a franchisee)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    creates = models.CharField(
        _("creates"), max_length=10, choices=Creates.choices, default=Creates.INVOICES
    )
    then = models.CharField(
        _("after creation"), max_length=10, choices=Then.choices, default=Then.VALIDATE
    )
    strictness = models.CharField(
        _("strictness"),
        max_length=5,
        choices=Strictness.choices,
        default=Strictness.VALID_DOCUMENTS,
    )
    price_source = models.CharField(
        _("prices from"), max_length=10, choices=PriceSource.choices, default=PriceSource.FILE
    )
    unknown_customer = models.CharField(
        _("unknown customer"),
        max_length=6,
        choices=WhenUnknown.choices[:2],
        default=WhenUnknown.CREATE,
    )
    unknown_item = models.CharField(
        _("unknown item"), max_length=6, choices=WhenUnknown.choices[:2], default=WhenUnknown.CREATE
    )
    unknown_tax = models.CharField(
        _("unknown VAT rate"), max_length=6, choices=WhenUnknown.choices, default=WhenUnknown.REFUSE
    )
    unknown_unit = models.CharField(
        _("unknown unit"), max_length=6, choices=WhenUnknown.choices, default=WhenUnknown.IGNORE
    )
    unknown_payment_method = models.CharField(
        _("unknown payment method"),
        max_length=6,
        choices=WhenUnknown.choices[1:],
        default=WhenUnknown.IGNORE,
    )
    record_payments = models.BooleanField(_("record what the file says is paid"), default=True)
    print_layout = models.CharField(
        _("print layout of the documents created"),
        max_length=10,
        choices=PrintLayout.choices,
        blank=True,
        help_text=_("Empty: the company's layout."),
    )
    has_header = models.BooleanField(_("first line holds the column names"), default=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import partner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("imports:partner", self.pk)


class ImportBatch(models.Model):
    """One file as the partner sent it (kept verbatim), and what became of it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        REFUSED = "refused", _("File refused")
        PARSED = "parsed", _("Read")
        PROCESSING = "processing", _("Processing")
        PROCESSED = "processed", _("Processed")

    partner = models.ForeignKey(ImportPartner, on_delete=models.PROTECT, related_name="batches")
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same file as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    has_header = models.BooleanField(_("first line holds the column names"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    error = models.TextField(_("file error"), blank=True)
    layout = models.JSONField(default=dict, blank=True)  # format, encoding, separator, columns
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)  # progress while processing
    processed_at = models.DateTimeField(null=True, blank=True)
    file_total = AmountField(_("file total"))
    created_total = AmountField(_("created total"))

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.partner} — {self.file_name}"

    def get_absolute_url(self) -> str:
        return record_url("imports:batch", self.pk)


class ImportRowQuerySet(models.QuerySet):
    def with_document(self):
        """Each row's document, as ``document_id`` and ``document_number``: the one created,
        or found already created, for its partner reference (rows created or duplicate)."""
        links = PartnerDocument.objects.filter(
            partner=models.OuterRef("batch__partner"), reference=models.OuterRef("reference")
        )
        done = [ImportRow.State.CREATED, ImportRow.State.DUPLICATE]
        return self.annotate(
            document_id=models.Case(
                models.When(state__in=done, then=models.Subquery(links.values("pk")[:1]))
            ),
            document_number=models.Case(
                models.When(state__in=done, then=models.Subquery(links.values("number")[:1]))
            ),
        )


class ImportRow(models.Model):
    """A line of the file: its cells as read, its values per column, and its outcome.

    Rows link to their document through their partner reference (``with_document``): a row is
    written once when it is read and once when it is processed, and that second write changes
    no indexed column, so PostgreSQL rewrites it in place (its table keeps room for it).
    """

    class State(models.TextChoices):
        READY = "ready", _("Ready")
        INVALID = "invalid", _("Anomaly")
        FAILED = "failed", _("Failed")
        CREATED = "created", _("Created")
        DUPLICATE = "duplicate", _("Duplicate")

    OPEN_STATES = (State.READY, State.INVALID, State.FAILED)

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False
    )  # the indexes below start with it
    line = models.PositiveIntegerField(_("line"))
    raw = models.JSONField(default=list)  # the file's cells, never changed
    # Text per template column once edited; None while the row is as the file gave it (its
    # texts are then read from its cells: ``texts``).
    data = models.JSONField(null=True, blank=True, default=None)
    values = models.JSONField(default=dict)  # typed values parsed from the texts
    errors = models.JSONField(default=list)  # [{"field", "message"}]: the row's anomaly
    reference = models.CharField(_("partner reference"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)

    objects = ImportRowQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "reference"])]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="import_row_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"

    @property
    def texts(self) -> dict[str, str]:
        """Text per template column: as edited, else as the file gave it."""
        if self.data is not None:
            return self.data
        return file_texts(self.batch.layout, self.batch.has_header, self.raw)

    @property
    def anomaly(self) -> str:
        return " · ".join(
            f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in self.errors
        )


class PartnerDocument(models.Model):
    """The document created for a partner's reference: never created twice."""

    partner = models.ForeignKey(ImportPartner, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=100)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "reference"], name="imports_partnerdocument_once"
            )
        ]

    def __str__(self) -> str:
        return self.number or self.reference

    @property
    def target(self):
        return self.invoice or self.order


class PartnerCustomer(models.Model):
    """A partner's id for one of our customers."""

    partner = models.ForeignKey(ImportPartner, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=50)
    customer = models.ForeignKey("parties.Customer", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="imports_partnercustomer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.external_id}"


class PartnerItem(models.Model):
    """A partner's code for one of our items."""

    partner = models.ForeignKey(ImportPartner, on_delete=models.CASCADE, related_name="+")
    external_code = models.CharField(max_length=50)
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_code"], name="imports_partneritem_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.external_code}"
