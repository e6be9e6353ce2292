"""The connection to the approved platform, the invoices submitted to it and their statuses."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import AmountField

# The file formats, as a user knows them: the connection's choice, the files sent and received.
FILE_FORMATS = {
    "facturx": _("Factur-X (PDF)"),
    "cii": _("CII (XML)"),
    "ubl": _("UBL 2.1 (XML)"),
}


def format_name(syntax: str) -> str:
    """The name of a file format for the user, from how the platform or a file spells it."""
    return str(FILE_FORMATS.get(syntax.lower().replace("-", ""), syntax))


class PlatformConnection(models.Model):
    """How Comptoir reaches the company's approved platform. One row (pk=1).

    The client secret is kept encrypted (``secrets.py``), with a key kept outside the database.
    """

    class Syntax(models.TextChoices):
        FACTURX = "Factur-X", "Factur-X"
        CII = "CII", "CII"
        UBL = "UBL", "UBL 2.1"

    enabled = models.BooleanField(_("connected"), default=False)
    flow_url = models.URLField(_("Flow Service address"), max_length=300, blank=True)
    directory_url = models.URLField(_("Directory Service address"), max_length=300, blank=True)
    token_url = models.URLField(_("token address"), max_length=300, blank=True)
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    secret_encrypted = models.TextField(blank=True, editable=False)
    syntax = models.CharField(
        _("format sent"), max_length=10, choices=Syntax.choices, default=Syntax.FACTURX
    )
    # The lifecycle polling's cursor: the updatedAt of the last flow read (platform's clock).
    polled_until = models.CharField(max_length=40, blank=True, editable=False)
    # The secret the platform sends with each webhook call (Bearer), kept as its SHA-256 only:
    # made by Comptoir, shown once to the administrator who gives it to the platform.
    webhook_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    webhook_secret_made_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("platform connection")
        verbose_name_plural = _("platform connections")

    def __str__(self):
        return str(_("Approved platform"))

    @classmethod
    def get(cls) -> "PlatformConnection":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


# What a submission's file is: an invoice in the connection's format, or an e-reporting file
# (flux 10, "FRR" in the Flow Service) that an app above e-invoicing registers (``flows.py``).
FLOW_SYNTAXES = [*PlatformConnection.Syntax.choices, ("FRR", _("E-reporting file"))]


class Submission(models.Model):
    """One issued invoice or credit note, or one e-reporting file, as the platform is to
    receive it. Its tracking id is made once, with the row: every retry sends it again with the
    same file, so the platform answers the flow it already holds rather than making a second
    one. An e-reporting file's submission has no invoice: its report points to it."""

    class Channel(models.TextChoices):
        B2B = "B2B", _("E-invoice (French business)")
        B2B_INT = "B2BInt", _("E-reporting (business abroad)")
        B2C = "B2C", _("E-reporting (consumer)")

    class State(models.TextChoices):
        TO_SEND = "to_send", _("to send")
        SENT = "sent", _("sent")
        ERROR = "error", _("error")
        TO_REPORT = "to_report", _("to report")

    class Acknowledgement(models.TextChoices):
        """The platform's checks of the flow it took (the Flow Service's FlowAckStatus)."""

        PENDING = "Pending", _("being checked by the platform")
        OK = "Ok", _("accepted by the platform")
        ERROR = "Error", _("rejected by the platform")

    invoice = models.OneToOneField(
        "billing.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="submission",
        null=True,
        blank=True,
    )
    tracking_id = models.CharField(_("tracking id"), max_length=36, unique=True, editable=False)
    channel = models.CharField(
        _("processing rule"), max_length=10, choices=Channel.choices, blank=True
    )
    syntax = models.CharField(_("format"), max_length=10, choices=FLOW_SYNTAXES, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    flow_id = models.CharField(_("flow id"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The buyer's electronic address (BT-49) the file states, settled once before the first
    # attempt (from the directory, refreshed when old): every retry sends the same file.
    electronic_address = models.CharField(_("electronic address"), max_length=125, blank=True)
    address_settled_at = models.DateTimeField(null=True, blank=True, editable=False)
    directory_note = models.TextField(_("directory"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The platform's acknowledgement of the flow, as its polling last read it (e-reporting
    # files: an invoice's answers are its lifecycle statuses): the first reason it gave.
    acknowledgement = models.CharField(
        _("acknowledgement"), max_length=10, choices=Acknowledgement.choices, blank=True
    )
    acknowledgement_code = models.CharField(_("reason code"), max_length=100, blank=True)
    acknowledgement_reason = models.TextField(_("reason"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission to the platform")
        verbose_name_plural = _("submissions to the platform")

    def __str__(self):
        return f"{self.invoice or self.get_syntax_display()} → {self.get_state_display()}"

    def save(self, *args, **kwargs):
        if not self.tracking_id:
            self.tracking_id = str(uuid.uuid4())
        super().save(*args, **kwargs)


class LifecycleStatus(models.Model):
    """One status of an invoice's lifecycle, as a CDAR message from the platform gave it."""

    invoice = models.ForeignKey(
        "billing.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="lifecycle",
    )
    code = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("date"))
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    flow_id = models.CharField(_("flow id"), max_length=100)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # A status Comptoir itself sent about the invoice (212 Encaissée), rather than read.
    sent_by_us = models.BooleanField(_("sent by us"), default=False)

    class Meta:
        verbose_name = _("lifecycle status")
        verbose_name_plural = _("lifecycle statuses")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["flow_id", "invoice", "code"], name="einvoicing_status_once_per_flow"
            )
        ]

    def __str__(self):
        return f"{self.invoice} {self.code}"

    @property
    def status(self):
        from comptoir.einvoicing.statuses import status

        return status(self.code)

    @property
    def reason_text(self) -> str:
        """Why, in words: the platform's own wording (MDT-114), else Comptoir's for its code."""
        from comptoir.einvoicing.statuses import reason_label

        return self.reason.strip() or reason_label(self.reason_code)


class DirectoryEntry(models.Model):
    """Whether and where a customer receives e-invoices, as the platform's Directory Service
    last said. Kept here, keyed by the customer, so that the customers know nothing of
    e-invoicing."""

    class State(models.TextChoices):
        FOUND = "found", _("receives e-invoices")
        ABSENT = "absent", _("absent from the directory")
        NO_SIREN = "no_siren", _("no SIREN")

    # The directory's type of the platform that receives (XP Z12-013 recipientPlatformType).
    PLATFORM_TYPES = {
        "WK": _("an approved platform"),
        "DFH": _("the public invoicing portal"),
    }

    customer = models.OneToOneField(
        "parties.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="directory_entry",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    electronic_address = models.CharField(_("electronic address"), max_length=125, blank=True)
    platform = models.CharField(_("platform"), max_length=10, blank=True)
    looked_up_at = models.DateTimeField(_("looked up at"))
    # The last lookup that failed (the platform down…), when it came after the last answer.
    failure = models.TextField(_("last failure"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")

    def __str__(self):
        return f"{self.customer} {self.get_state_display()}"

    @property
    def sentence(self) -> str:
        """What the directory said, in words."""
        if self.state == self.State.FOUND and self.platform in self.PLATFORM_TYPES:
            return _("Receives its e-invoices at the address %(address)s via %(platform)s.") % {
                "address": self.electronic_address,
                "platform": self.PLATFORM_TYPES[self.platform],
            }
        if self.state == self.State.FOUND:
            return _("Receives its e-invoices at the address %(address)s.") % {
                "address": self.electronic_address
            }
        if self.state == self.State.ABSENT:
            return str(
                _(
                    "Absent from the directory: this customer has not named a platform to "
                    "receive its e-invoices yet. Look it up again later, or ask it which "
                    "platform it chose."
                )
            )
        return str(_("No SIREN: add the customer's SIREN (Edit) to look it up in the directory."))


class OutgoingStatus(models.Model):
    """A lifecycle status Comptoir sends to the platform about one of its invoices, as a CDAR
    flow of its own: 212 Encaissée once the invoice is fully paid. One per invoice and status
    (the idempotent key): its file is written once, with its tracking id and SHA-256, so that
    a retry sends the same flow and the platform never holds two."""

    class State(models.TextChoices):
        TO_SEND = "to_send", _("to send")
        SENT = "sent", _("sent")
        ERROR = "error", _("error")
        WITHDRAWN = "withdrawn", _("withdrawn")

    invoice = models.ForeignKey(
        "billing.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="outgoing_statuses",
    )
    code = models.PositiveSmallIntegerField(_("status"))
    tracking_id = models.CharField(_("tracking id"), max_length=36, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    content = models.BinaryField(editable=False)  # the CDAR message, as sent
    sha256 = models.CharField("SHA-256", max_length=64)
    amount = AmountField(_("amount received"))
    status_at = models.DateTimeField(_("date"))
    flow_id = models.CharField(_("flow id"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("status sent to the platform")
        verbose_name_plural = _("statuses sent to the platform")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "code"], name="einvoicing_outgoing_status_once"
            )
        ]

    def __str__(self):
        return f"{self.invoice} {self.code} → {self.get_state_display()}"

    @property
    def status(self):
        from comptoir.einvoicing.statuses import status

        return status(self.code)
