from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from comptoir.core import access
from comptoir.core.schemas import ERRORS, ErrorOut, Id, NamedOut
from comptoir.parties import services
from comptoir.parties.models import (
    Address,
    Contact,
    Customer,
    CustomerGroup,
    SalesPartner,
    Territory,
)
from comptoir.parties.queries import visible_customers
from comptoir.parties.schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerDetailOut,
    CustomerFilter,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    NamedIn,
    SalesPartnerIn,
    SalesPartnerOut,
)

router = Router(tags=["customers"])


@router.get("/customers", response=list[CustomerOut])
@paginate
def list_customers(request, filters: Query[CustomerFilter]):
    return filters.filter(visible_customers(request.user).order_by("name", "pk"))


@router.post("/customers", response={201: CustomerDetailOut, **ERRORS})
def create_customer(request, payload: CustomerIn):
    data = payload.dict()
    addresses = data.pop("addresses")
    customer = services.create_customer(addresses=addresses, **data)
    return Status(
        201, Customer.objects.prefetch_related("addresses", "contacts").get(pk=customer.pk)
    )


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, 404: ErrorOut})
def get_customer(request, customer_id: Id):
    return get_object_or_404(
        visible_customers(request.user).prefetch_related("addresses", "contacts"), pk=customer_id
    )


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def update_customer(request, customer_id: Id, payload: CustomerPatch):
    customer = get_object_or_404(visible_customers(request.user), pk=customer_id)
    return services.update_customer(customer, **payload.dict(exclude_unset=True))


@router.post("/customers/{customer_id}/addresses", response={201: AddressOut, **ERRORS})
def add_address(request, customer_id: Id, payload: AddressIn):
    customer = get_object_or_404(visible_customers(request.user), pk=customer_id)
    return Status(201, services.add_address(customer, **payload.dict()))


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut, **ERRORS})
def add_contact(request, customer_id: Id, payload: ContactIn):
    customer = get_object_or_404(visible_customers(request.user), pk=customer_id)
    return Status(201, services.add_contact(customer, **payload.dict()))


@router.delete("/customers/{customer_id}", response={204: None, **ERRORS})
def delete_customer(request, customer_id: Id):
    services.delete_customer(get_object_or_404(visible_customers(request.user), pk=customer_id))
    return Status(204, None)


def _address(request, customer_id: int, address_id: int) -> Address:
    """The address of a customer the token's user sees."""
    addresses = Address.objects.filter(customer_id=customer_id)
    return access.get_owned(addresses, request.user, pk=address_id)


def _contact(request, customer_id: int, contact_id: int) -> Contact:
    contacts = Contact.objects.filter(customer_id=customer_id)
    return access.get_owned(contacts, request.user, pk=contact_id)


@router.patch(
    "/customers/{customer_id}/addresses/{address_id}", response={200: AddressOut, **ERRORS}
)
def update_address(request, customer_id: Id, address_id: Id, payload: AddressPatch):
    address = _address(request, customer_id, address_id)
    return services.update_address(address, **payload.dict(exclude_unset=True))


@router.delete("/customers/{customer_id}/addresses/{address_id}", response={204: None, **ERRORS})
def delete_address(request, customer_id: Id, address_id: Id):
    services.delete_address(_address(request, customer_id, address_id))
    return Status(204, None)


@router.patch(
    "/customers/{customer_id}/contacts/{contact_id}", response={200: ContactOut, **ERRORS}
)
def update_contact(request, customer_id: Id, contact_id: Id, payload: ContactPatch):
    contact = _contact(request, customer_id, contact_id)
    return services.update_contact(contact, **payload.dict(exclude_unset=True))


@router.delete("/customers/{customer_id}/contacts/{contact_id}", response={204: None, **ERRORS})
def delete_contact(request, customer_id: Id, contact_id: Id):
    services.delete_contact(_contact(request, customer_id, contact_id))
    return Status(204, None)


def _simple_crud(path: str, model, schema_in, schema_out, tag: str):
    """List and create for small reference tables (groups, territories, partners)."""

    @router.get(path, response=list[schema_out], tags=[tag], operation_id=f"list_{tag}")
    def list_rows(request):
        return model.objects.all()

    @router.post(
        path, response={201: schema_out, **ERRORS}, tags=[tag], operation_id=f"create_{tag}"
    )
    def create_row(request, payload: schema_in):
        return Status(201, services.create_reference(model, **payload.dict()))


_simple_crud("/customer-groups", CustomerGroup, NamedIn, NamedOut, "customer_groups")
_simple_crud("/territories", Territory, NamedIn, NamedOut, "territories")
_simple_crud("/sales-partners", SalesPartner, SalesPartnerIn, SalesPartnerOut, "sales_partners")
