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
