"""Sending issued documents by e-mail."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comptoir.billing.errors import BillingError
from comptoir.billing.models import Invoice, SentEmail
from comptoir.core.errors import BusinessError
from comptoir.core.messages import render as render_message
from comptoir.core.models import Company
from comptoir.core.money import format_amount

# Sending by e-mail ------------------------------------------------------------------------------


def message_for(invoice: Invoice) -> tuple[str, str]:
    """The subject and body of the message that sends this document, from its template, in
    the company's language (customers have no language of their own yet)."""
    from django.conf import settings
    from django.utils import formats, translation

    company = Company.get()
    with translation.override(settings.LANGUAGE_CODE):
        return _render_message(invoice, company, formats)


def _render_message(invoice: Invoice, company: Company, formats) -> tuple[str, str]:
    return render_message(
        invoice.kind,
        {
            "number": invoice.number,
            "customer": invoice.customer_name,
            "date": formats.date_format(invoice.date, "SHORT_DATE_FORMAT"),
            "due_date": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT")
            if invoice.due_date
            else "",
            "total": format_amount(invoice.total_gross, invoice.currency),
            "company": company.trade_name or company.legal_name,
        },
    )


def send_invoice(
    invoice: Invoice, *, to: list[str], subject: str = "", body: str = "", by=None
) -> SentEmail:
    """E-mail an issued invoice or credit note with its Factur-X PDF attached."""
    import smtplib

    from django.core.mail import EmailMessage
    from django.core.validators import validate_email

    from comptoir.billing.files import read, store_files

    if invoice.status != Invoice.Status.ISSUED:
        raise BusinessError(
            BillingError.NOT_ISSUED, _("Only an issued document can be sent."), "status"
        )
    recipients = [address.strip() for address in to if address.strip()]
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
    default_subject, default_body = message_for(invoice)
    message = EmailMessage(subject or default_subject, body or default_body, to=recipients)
    message.attach(f"{invoice.number}.pdf", read(store_files(invoice), "pdf"), "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise BusinessError(
            BillingError.SEND_FAILED,
            _("The message could not be sent: %(error)s") % {"error": error},
        ) from None
    return SentEmail.objects.create(
        invoice=invoice, to=", ".join(recipients), subject=message.subject, sent_by=by
    )
