"""Every change to customers and their contacts and addresses."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.bulk import insert_objects, remember_related
from comptoir.core.identifiers import compact_siren, compact_siret, compact_vat_id
from comptoir.core.numbering import take_numbers
from comptoir.core.validation import (
    create_validated,
    delete_or_refuse,
    full_clean_batch,
    full_clean_or_raise,
)
from comptoir.parties.models import Address, Contact, Customer

CUSTOMER_FIELDS = {
    "code",
    "name",
    "kind",
    "siren",
    "siret",
    "vat_id",
    "email",
    "phone",
    *(
        f"{name}{suffix}"  # the record, or its id as the API gives it
        for name in (
            "group",
            "territory",
            "sales_partner",
            "price_list",
            "payment_terms",
            "default_tax",
            "salesperson",
        )
        for suffix in ("", "_id")
    ),
    "credit_limit",
    "invoice_per_order",
    "active",
    "notes",
}


def _normalise(customer: Customer) -> None:
    customer.siren = compact_siren(customer.siren)
    customer.siret = compact_siret(customer.siret)
    customer.vat_id = compact_vat_id(customer.vat_id).upper()
    if customer.siret and not customer.siren:
        customer.siren = customer.siret[:9]


def create_customers(rows: list[dict], *, addresses: list[list[dict]] | None = None):
    """Create customers (and their addresses), numbering those without a code. Batch-first."""
    with transaction.atomic():
        customers = [
            Customer(**{k: v for k, v in row.items() if k in CUSTOMER_FIELDS}) for row in rows
        ]
        missing = [c for c in customers if not c.code]
        if missing:
            for customer, number in zip(
                missing, take_numbers("customer", timezone.localdate(), len(missing)), strict=True
            ):
                customer.code = number.replace("-", "")
        for customer in customers:
            _normalise(customer)
        full_clean_batch(customers, unique="code", exclude=["created_at"])
        insert_objects(customers, returning=True)
        new_addresses = [
            Address(customer=customer, **data)
            for customer, customer_addresses in zip(
                customers, addresses or [[]] * len(customers), strict=True
            )
            for data in customer_addresses
        ]
        full_clean_batch(new_addresses)
        insert_objects(new_addresses, returning=True)
        by_customer: dict[int, list[Address]] = {}
        for address in new_addresses:
            by_customer.setdefault(address.customer_id, []).append(address)
        remember_related(customers, "addresses", by_customer)
        return customers


def create_customer(*, addresses: list[dict] | None = None, **fields) -> Customer:
    return create_customers([fields], addresses=[addresses or []])[0]


def update_customer(customer: Customer, **fields) -> Customer:
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        for name, value in fields.items():
            if name in CUSTOMER_FIELDS:
                setattr(customer, name, value)
        _normalise(customer)
        full_clean_or_raise(customer)
        customer.save()
        return customer


def add_address(customer: Customer, **fields) -> Address:
    with transaction.atomic():
        address = Address(customer=customer, **fields)
        full_clean_or_raise(address)
        if address.is_default:
            customer.addresses.filter(kind=address.kind).update(is_default=False)
        address.save()
        return address


def add_contact(customer: Customer, **fields) -> Contact:
    with transaction.atomic():
        contact = Contact(customer=customer, **fields)
        full_clean_or_raise(contact)
        contact.save()
        return contact


def create_reference(model, **fields):
    """A row of a small reference table: customer group, territory, sales partner."""
    with transaction.atomic():
        return create_validated(model, **fields)


def _update(instance, fields: dict, allowed: set[str]):
    with transaction.atomic():
        instance = type(instance).objects.select_for_update().get(pk=instance.pk)
        for name, value in fields.items():
            if name in allowed:
                setattr(instance, name, value)
        full_clean_or_raise(instance)
        instance.save()
        return instance


ADDRESS_FIELDS = {"kind", "is_default", "name", "line1", "line2", "postal_code", "city", "country"}
CONTACT_FIELDS = {"first_name", "last_name", "role", "email", "phone", "is_primary"}


def update_address(address: Address, **fields) -> Address:
    return _update(address, fields, ADDRESS_FIELDS)


def update_contact(contact: Contact, **fields) -> Contact:
    return _update(contact, fields, CONTACT_FIELDS)


def delete_address(address: Address) -> None:
    with transaction.atomic():
        address.delete()  # documents keep their own copy of the address


def delete_contact(contact: Contact) -> None:
    with transaction.atomic():
        contact.delete()


def delete_customer(customer: Customer) -> None:
    with transaction.atomic():
        delete_or_refuse(
            customer,
            "customer.in_use",
            _("Customer %(code)s has documents: deactivate it instead.") % {"code": customer.code},
        )
