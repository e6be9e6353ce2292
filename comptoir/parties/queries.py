"""Read-side helpers over customers."""

from comptoir.core import access
from comptoir.parties.models import Address, Customer


def visible_customers(user):
    """The customers ``user`` sees: all of them, or their own when the company keeps
    salespeople to their own customers (no user: all)."""
    return access.owned(Customer.objects.all(), user, "")


def default_address(customer: Customer, kind: str) -> Address | None:
    """The customer's default address of ``kind`` (uses prefetched addresses when present)."""
    addresses = [a for a in customer.addresses.all() if a.kind == kind]
    for address in addresses:
        if address.is_default:
            return address
    return addresses[0] if addresses else None


def document_header(customer: Customer) -> dict:
    """What a new document copies from its customer (the snapshot, DESIGN §3)."""
    billing = default_address(customer, Address.Kind.BILLING)
    shipping = default_address(customer, Address.Kind.SHIPPING) or billing
    return {
        "customer": customer,
        "customer_name": customer.name,
        "customer_siren": customer.siren,
        "customer_vat_id": customer.vat_id,
        "customer_is_business": customer.is_business,
        "billing_address": billing.snapshot() if billing else {},
        "shipping_address": shipping.snapshot() if shipping else {},
    }
