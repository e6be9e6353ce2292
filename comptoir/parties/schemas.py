from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from comptoir.core.schemas import Amount, Id, Out, PriceOut


class AddressIn(Schema):
    kind: str = Field("billing", pattern="^(billing|shipping)$")
    is_default: bool = True
    name: str = Field("", max_length=200)
    line1: str = Field(..., min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field(..., min_length=1, max_length=100)
    country: str = Field("FR", min_length=2, max_length=2)


class AddressOut(AddressIn):
    id: int


class ContactIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    role: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    is_primary: bool = False


class ContactOut(ContactIn):
    id: int


class CustomerIn(Schema):
    code: str = Field("", max_length=50, description="Left empty, a code is given")
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = Field("company", pattern="^(company|individual)$")
    siren: str = Field("", max_length=20)
    siret: str = Field("", max_length=20)
    vat_id: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    group_id: Id | None = None
    territory_id: Id | None = None
    sales_partner_id: Id | None = None
    price_list_id: Id | None = None
    payment_terms_id: Id | None = None
    default_tax_id: Id | None = None
    salesperson_id: Id | None = Field(None, description="The user in charge of the customer")
    credit_limit: Amount | None = None
    invoice_per_order: bool = False
    notes: str = ""
    addresses: list[AddressIn] = []


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = Field(None, pattern="^(company|individual)$")
    siren: str | None = None
    siret: str | None = None
    vat_id: str | None = None
    email: str | None = None
    phone: str | None = None
    group_id: Id | None = None
    territory_id: Id | None = None
    price_list_id: Id | None = None
    payment_terms_id: Id | None = None
    salesperson_id: Id | None = None
    credit_limit: Amount | None = None
    invoice_per_order: bool | None = None
    active: bool | None = None
    notes: str | None = None


class CustomerOut(Out):
    id: int
    code: str
    name: str
    kind: str
    siren: str
    siret: str
    vat_id: str
    email: str
    phone: str
    group_id: int | None
    territory_id: int | None
    price_list_id: int | None
    payment_terms_id: int | None
    salesperson_id: int | None
    credit_limit: PriceOut
    invoice_per_order: bool
    active: bool


class CustomerDetailOut(CustomerOut):
    addresses: list[AddressOut]
    contacts: list[ContactOut]


class CustomerFilter(FilterSchema):
    search: Annotated[
        str | None, FilterLookup(["name__icontains", "code__icontains", "email__icontains"])
    ] = None
    group_id: Id | None = None
    active: bool | None = None


class NamedIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)


class SalesPartnerIn(NamedIn):
    email: str = ""
    commission_rate: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)


class SalesPartnerOut(SalesPartnerIn):
    id: int


class AddressPatch(Schema):
    kind: str | None = Field(None, pattern="^(billing|shipping)$")
    is_default: bool | None = None
    name: str | None = Field(None, max_length=200)
    line1: str | None = Field(None, min_length=1, max_length=200)
    line2: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, min_length=1, max_length=100)
    country: str | None = Field(None, min_length=2, max_length=2)


class ContactPatch(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    role: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    is_primary: bool | None = None
