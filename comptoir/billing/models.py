import dataclasses
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from comptoir.billing.errors import BillingError
from comptoir.core.documents import CustomerDocument, DocumentLine, sparse_index
from comptoir.core.errors import BusinessError, ImmutableDocument
from comptoir.core.links import record_url
from comptoir.core.money import AmountField


class PaymentStatus(models.TextChoices):
    """Derived from allocations, credit notes and the due date; never stored."""

    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")


class InvoiceQuerySet(models.QuerySet):
    """Bulk writes cannot reach issued invoices either (the law forbids changing them); only
    their settlement may follow payments and credit notes. This is also the base manager, so
    no manager writes past it; the database's triggers are the last guard (billing.triggers).
    """

    def update(self, **kwargs):
        if (
            set(kwargs) - set(Invoice.SETTLEMENT_FIELDS)
            and self.filter(status=Invoice.Status.ISSUED).exists()
        ):
            raise ImmutableDocument(gettext("An issued invoice cannot be changed."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Invoice.Status.ISSUED).exists():
            raise ImmutableDocument(gettext("An issued invoice cannot be deleted."))
        return super().delete()


class InvoiceLineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(invoice__status=Invoice.Status.ISSUED).exists():
            raise ImmutableDocument(gettext("An issued invoice cannot be changed."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(invoice__status=Invoice.Status.ISSUED).exists():
            raise ImmutableDocument(gettext("An issued invoice cannot be deleted."))
        return super().delete()


class Invoice(CustomerDocument):
    """An invoice, a credit note or a down-payment invoice; numbered and frozen when issued."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        DOWN_PAYMENT = "down_payment", _("Down-payment invoice")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    TRANSITIONS = {Status.DRAFT: {Status.ISSUED}}
    ERROR_PREFIX = "invoice"
    TERMS_DEFAULT = "default_for_invoices"
    TYPE_CODES = {Kind.INVOICE: "380", Kind.CREDIT_NOTE: "381", Kind.DOWN_PAYMENT: "386"}

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(  # indexed first in the indexes below
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    order = models.ForeignKey(
        "sales.SalesOrder",
        verbose_name=_("sales order"),
        null=True,
        db_index=False,  # sparse_index below
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    quotation = models.ForeignKey(
        "sales.Quotation",
        verbose_name=_("quotation"),
        null=True,
        db_index=False,  # sparse_index below
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("credited invoice"),
        null=True,
        db_index=False,  # sparse_index below
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    customer_return = models.ForeignKey(
        "stock.CustomerReturn",
        verbose_name=_("goods returned"),
        null=True,
        db_index=False,  # sparse_index below
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    # A credit note gives its quantities back to the order (to invoice again) only when the
    # goods came back or the invoice is cancelled or corrected; a price reduction (goods kept)
    # leaves the order invoiced.
    invoice_again = models.BooleanField(_("to invoice again"), default=False)
    # The date of supply (BT-72), or the first day of a period of supply (BT-73) whose last day
    # is supply_end_date (BT-74, empty for one day): the shipping days of the deliveries billed.
    # On a down-payment invoice, nothing is supplied yet: an expected date, or none.
    supply_date = models.DateField(_("date of supply"), null=True, blank=True)
    supply_end_date = models.DateField(_("end of the period of supply"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    # What is settled, as billing.queries.settlements computes it from the lineage; written
    # only by billing.services.refresh_settlements: the one write allowed once issued.
    SETTLEMENT_FIELDS = ("amount_paid", "amount_credited", "amount_due")
    amount_paid = AmountField(_("paid"))
    amount_credited = AmountField(_("credited"))
    amount_due = AmountField(_("left to pay"))
    issued_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        ordering = ["-date", "-id"]
        base_manager_name = "objects"
        permissions = [
            ("issue_invoice", _("Can issue invoices and credit notes")),
            ("credit_invoice", _("Can credit, correct or cancel issued invoices")),
        ]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["status", "kind", "date"]),
            models.Index(fields=["status", "due_date"], name="billing_inv_receivable_idx"),
            sparse_index("order", "billing_inv_order_idx"),
            sparse_index("quotation", "billing_inv_quotation_idx"),
            sparse_index("credited_invoice", "billing_inv_credited_idx"),
            sparse_index("customer_return", "billing_inv_return_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=~models.Q(number=""),
                name="billing_invoice_number_unique",
            )
        ]

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def sign(self) -> int:
        """+1 for what the customer owes, −1 for a credit note."""
        return -1 if self.kind == self.Kind.CREDIT_NOTE else 1

    @property
    def type_code(self) -> str:
        return self.TYPE_CODES[self.kind]

    def status_label(self, status: str | None = None) -> str:
        """The status as the page says it: a credit note (*un avoir*) is *émis*, an invoice
        (*une facture*) *émise*."""
        status = status or self.status
        if status == self.Status.ISSUED and self.kind == self.Kind.CREDIT_NOTE:
            return pgettext("credit note", "Issued")
        return str(self.Status(status).label)

    def get_status_display(self) -> str:
        return self.status_label()

    @property
    def saved_message(self) -> str:
        """A draft has no number until it is issued: it is saved as « the draft invoice »."""
        if self.number:
            return super().saved_message
        if self.kind == self.Kind.CREDIT_NOTE:
            return str(_("Draft credit note saved."))
        if self.kind == self.Kind.DOWN_PAYMENT:
            return str(_("Draft down-payment invoice saved."))
        return str(_("Draft invoice saved."))

    def _stored_status(self):
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args, **kwargs):
        if self._stored_status() == self.Status.ISSUED:
            raise ImmutableDocument(gettext("Issued invoice %s cannot be changed.") % self.number)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() == self.Status.ISSUED:
            raise ImmutableDocument(gettext("Issued invoice %s cannot be deleted.") % self.number)
        return super().delete(*args, **kwargs)

    def check_header(self) -> None:
        """A period of supply ends on or after its first day; one day is a date, not a
        period. (The document form runs it as the user types.)"""
        if self.supply_end_date is None:
            return
        if self.supply_date is None:
            raise BusinessError(
                BillingError.SUPPLY_PERIOD,
                gettext("Give the first day of the period of supply."),
                "supply_date",
            )
        if self.supply_end_date < self.supply_date:
            raise BusinessError(
                BillingError.SUPPLY_PERIOD,
                gettext("The period of supply cannot end before it starts (%(start)s).")
                % {"start": formats.date_format(self.supply_date, "SHORT_DATE_FORMAT")},
                "supply_end_date",
            )
        if self.supply_end_date == self.supply_date:
            self.supply_end_date = None

    @property
    def supply_label(self) -> str:
        """What the invoice's date of supply is called where it is printed."""
        if self.supply_end_date:
            return gettext("Period of supply")
        if self.kind == self.Kind.DOWN_PAYMENT:
            return gettext("Expected date of supply")
        return gettext("Date of supply")

    def get_absolute_url(self) -> str:
        return record_url("billing:invoice", self.pk)


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    source_line = models.ForeignKey(
        "sales.SalesOrderLine",
        null=True,
        db_index=False,  # the sparse indexes below
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    credited_line = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="credit_lines",
    )
    # On a final invoice: the down-payment invoice line this (negative) line deducts.
    deducted_line = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="deductions",
    )
    # What was sold cost, fixed when the document is issued and never changed after (signed
    # as net_amount: positive on a credit note too; billing.costs). Not stated on the invoice.
    cost_amount = AmountField(_("cost"), db_default=Decimal("0"))

    objects = InvoiceLineQuerySet.as_manager()

    class Meta(DocumentLine.Meta):
        verbose_name = _("invoice line")
        base_manager_name = "objects"
        indexes = [
            sparse_index("source_line", "billing_line_source_idx"),
            sparse_index("credited_line", "billing_line_credited_idx"),
            sparse_index("deducted_line", "billing_line_deducted_idx"),
        ]

    @property
    def margin(self) -> Decimal:
        """What the line earns over what it sold cost."""
        return self.net_amount - self.cost_amount

    def _invoice_issued(self) -> bool:
        return (
            Invoice.objects.filter(pk=self.invoice_id, status=Invoice.Status.ISSUED).exists()
            if self.invoice_id
            else False
        )

    def totals_input(self):
        """A down payment taken off (a deduction line) is no part of the base of a document
        discount given as a percentage: the discount is of what the invoice sells."""
        stated = super().totals_input()
        if self.deducted_line_id is not None:
            stated = dataclasses.replace(stated, in_percentage_base=False)
        return stated

    def save(self, *args, **kwargs):
        if self._invoice_issued():
            raise ImmutableDocument(gettext("The lines of an issued invoice cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._invoice_issued():
            raise ImmutableDocument(gettext("The lines of an issued invoice cannot be deleted."))
        return super().delete(*args, **kwargs)


class SentEmail(models.Model):
    """A document sent by e-mail (an invoice, a quotation or an order): to whom, when, by
    whom."""

    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    quotation = models.ForeignKey(
        "sales.Quotation", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    order = models.ForeignKey(
        "sales.SalesOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    to = models.CharField(_("to"), max_length=500)
    subject = models.CharField(_("subject"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.invoice or self.quotation or self.order} → {self.to}"


class IssuedFile(models.Model):
    """The PDF (Factur-X) and XML of an issued document, made once and kept as they were."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="files")
    pdf = models.FileField(upload_to="documents/%Y/")
    pdf_sha256 = models.CharField(max_length=64)
    xml = models.FileField(upload_to="documents/%Y/")
    xml_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.invoice)
