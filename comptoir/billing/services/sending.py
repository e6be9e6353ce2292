"""Sending documents by e-mail with their PDF: issued invoices and credit notes (their stored
Factur-X), quotations and order confirmations."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.billing.errors import BillingError
from comptoir.billing.models import Invoice, SentEmail
from comptoir.core import audit
from comptoir.core.errors import BusinessError
from comptoir.core.messages import render as render_message
from comptoir.core.models import Company
from comptoir.core.money import format_amount
from comptoir.sales.models import Quotation, SalesOrder

EMAILED = "emailed"
audit.ACTION_LABELS[EMAILED] = gettext_lazy("sent by e-mail")
audit.CHANGE_LABELS["recipients"] = gettext_lazy("recipients")

# What may be sent, by model: the statuses, and the SentEmail field naming the document.
SENDABLE = {
    Invoice: ({Invoice.Status.ISSUED}, "invoice"),
    Quotation: (
        {Quotation.Status.DRAFT, Quotation.Status.SENT, Quotation.Status.ACCEPTED},
        "quotation",
    ),
    SalesOrder: ({SalesOrder.Status.CONFIRMED, SalesOrder.Status.DONE}, "order"),
}


def message_kind(document) -> str:
    """The message template's kind: the invoice's kind, "quotation" or "order"."""
    return document.kind if isinstance(document, Invoice) else SENDABLE[type(document)][1]


def message_for(document) -> tuple[str, str]:
    """The subject and body of the message that sends this document, from its template, in
    the company's language (customers have no language of their own yet)."""
    from django.conf import settings
    from django.utils import formats, translation

    company = Company.get()
    with translation.override(settings.LANGUAGE_CODE):
        due_date = getattr(document, "due_date", None)
        return render_message(
            message_kind(document),
            {
                "number": document.number,
                "customer": document.customer_name,
                "date": formats.date_format(document.date, "SHORT_DATE_FORMAT"),
                "due_date": formats.date_format(due_date, "SHORT_DATE_FORMAT") if due_date else "",
                "total": format_amount(document.total_gross, document.currency),
                "company": company.trade_name or company.legal_name,
            },
        )


def _pdf(document) -> bytes:
    """An issued invoice's stored Factur-X, made once; another document printed now."""
    from django.conf import settings

    from comptoir.billing.files import read, store_files
    from comptoir.billing.pdf import render_pdf

    if isinstance(document, Invoice):
        return read(store_files(document), "pdf")
    return render_pdf(document, settings.LANGUAGE_CODE)


def _recipients(to: list[str]) -> list[str]:
    from django.core.validators import validate_email

    recipients = [address.strip() for address in to if address and address.strip()]
    if not recipients:
        raise BusinessError(BillingError.NO_RECIPIENT, _("Give an e-mail address."), "to")
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            raise BusinessError(
                BillingError.NO_RECIPIENT,
                _("“%(address)s” is not an e-mail address.") % {"address": address},
                "to",
            ) from None
    return recipients


def send_document(document, *, to: list[str], subject: str = "", body: str = "", by=None):
    """E-mail a document with its PDF attached; its history says to whom. A draft quotation
    sent is marked as sent."""
    import smtplib

    from django.core.mail import EmailMessage

    statuses, field = SENDABLE[type(document)]
    if document.status not in statuses:
        message = (
            _("Only an issued document can be sent.")
            if isinstance(document, Invoice)
            else _("Document %(ref)s cannot be sent in its present state (%(status)s).")
            % {"ref": document.reference, "status": document.get_status_display()}
        )
        raise BusinessError(BillingError.NOT_ISSUED, message, "status")
    recipients = _recipients(to)
    default_subject, default_body = message_for(document)
    message = EmailMessage(subject or default_subject, body or default_body, to=recipients)
    message.attach(f"{document.number}.pdf", _pdf(document), "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise BusinessError(
            BillingError.SEND_FAILED,
            _("The message could not be sent: %(error)s") % {"error": error},
        ) from None
    sent = SentEmail.objects.create(
        **{field: document}, to=", ".join(recipients), subject=message.subject, sent_by=by
    )
    audit.record_event(
        EMAILED, str(document), by=by, target=document, changes={"recipients": [None, sent.to]}
    )
    if isinstance(document, Quotation) and document.status == Quotation.Status.DRAFT:
        from comptoir.sales.services import send_quotation

        send_quotation(document, by=by)
    return sent


def send_invoice(invoice: Invoice, *, to: list[str], subject: str = "", body: str = "", by=None):
    """E-mail an issued invoice or credit note with its Factur-X PDF attached."""
    return send_document(invoice, to=to, subject=subject, body=body, by=by)
