from django import template
from django.urls import reverse

from comptoir.core import access
from comptoir.einvoicing.models import PlatformConnection, format_name
from comptoir.einvoicing.services import directory_entry

register = template.Library()


@register.inclusion_tag("einvoicing/customer_directory.html", takes_context=True)
def customer_directory(context, customer):
    """What the directory said of the customer, and the button that asks it again (for a user
    who may, while the platform's directory is connected)."""
    url = reverse("einvoicing:customer_directory", args=[customer.pk])
    connection = PlatformConnection.objects.filter(pk=1, enabled=True).first()
    return {
        "customer": customer,
        "entry": directory_entry(customer),
        "look_up_url": url
        if connection
        and connection.directory_url
        and access.may_submit(context["request"].user, url)
        else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def file_format(syntax: str) -> str:
    """``{{ submission.syntax|file_format }}``: « Factur-X (PDF) », never « FACTURX »."""
    return format_name(syntax or "")


@register.inclusion_tag("einvoicing/verdict.html", takes_context=True)
def platform_verdict(context, invoice):
    """What the seller does after the platform rejected the invoice (correct it) or its
    customer refused it (its credit note): the button when the user may press it, else the
    credit notes already made."""
    from comptoir.billing.models import Invoice
    from comptoir.einvoicing.queries import verdict

    found = verdict(invoice) if invoice.status == Invoice.Status.ISSUED else None
    user = context["request"].user
    correct_url = reverse("einvoicing:invoice_correction", args=[invoice.pk])
    credit_url = reverse("einvoicing:invoice_refusal_credit", args=[invoice.pk])
    # A credit note is never credited: a rejected or refused one gets no button.
    creditable = invoice.kind != Invoice.Kind.CREDIT_NOTE
    untouched = invoice.amount_paid == 0 and invoice.amount_credited == 0
    may_correct = found and found.rejected and untouched and creditable
    may_credit = found and found.refused and not found.credit_notes and creditable
    return {
        "verdict": found,
        "document": invoice,
        "correct_url": correct_url if may_correct and access.may_submit(user, correct_url) else "",
        "credit_url": credit_url if may_credit and access.may_submit(user, credit_url) else "",
        "csrf_token": context.get("csrf_token"),
    }
