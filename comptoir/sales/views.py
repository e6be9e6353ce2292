"""Quotation and order pages: lists, detail, and the draft form."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from comptoir.core import access
from comptoir.core.listing import Column, Listing
from comptoir.pricing.views import DocumentKind, document_form_view
from comptoir.sales import services
from comptoir.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine

DOCUMENT_COLUMNS = [
    Column("number", _("Number"), "reference", sort="number"),
    Column("date", _("Date"), "date", kind="date", sort="date"),
    Column("customer", _("Customer"), "customer_name", sort="customer_name"),
    Column("reference", _("Customer reference"), "customer_reference"),
    Column("net", _("Excl. VAT"), "total_net", kind="money", sort="total_net"),
    Column("gross", _("Incl. VAT"), "total_gross", kind="money", sort="total_gross"),
]
SEARCH_FIELDS = ("number", "customer_name", "customer_reference")
LIST_FIELDS = (
    "id", "number", "date", "customer_name", "customer_reference", "total_net", "total_gross",
    "currency", "status",
)  # fmt: skip


class QuotationListing(Listing):
    model = Quotation
    title = _("Quotations")
    columns = [
        *DOCUMENT_COLUMNS,
        Column("valid_until", _("Valid until"), "valid_until", kind="date", sort="valid_until"),
        Column("status", _("Status"), "status", kind="status", sort="status"),
    ]
    search_fields = SEARCH_FIELDS
    create_url_name = "sales:quotation_new"
    create_label = _("New quotation")

    def get_queryset(self):
        return Quotation.objects.only(*LIST_FIELDS, "valid_until")


class OrderListing(Listing):
    model = SalesOrder
    title = _("Sales orders")
    columns = [
        *DOCUMENT_COLUMNS,
        Column("status", _("Status"), "status", kind="status", sort="status"),
        Column("delivery", _("Delivery"), "delivery_status", kind="status"),
        Column("billing", _("Invoicing"), "billing_status", kind="status"),
    ]
    search_fields = SEARCH_FIELDS
    create_url_name = "sales:order_new"
    create_label = _("New order")

    def get_queryset(self):
        return SalesOrder.objects.only(*LIST_FIELDS, "delivery_status", "billing_status")


quotation_form = document_form_view(
    DocumentKind(
        Quotation,
        QuotationLine,
        services.create_quotation,
        services.update_quotation,
        _("Quotation"),
        ("valid_until",),
    )
)
order_form = document_form_view(
    DocumentKind(
        SalesOrder,
        SalesOrderLine,
        services.create_order,
        services.update_order,
        _("Sales order"),
        ("requested_delivery_date",),
    )
)


def quotation_detail(request, pk: int):
    quotation = access.get_owned(Quotation.objects.select_related("customer"), request.user, pk=pk)
    return render(
        request,
        "sales/quotation_detail.html",
        {"document": quotation, "lines": quotation.lines.all()},
    )


def order_detail(request, pk: int):
    order = access.get_owned(
        SalesOrder.objects.select_related("customer", "quotation"), request.user, pk=pk
    )
    return render(
        request, "sales/order_detail.html", {"document": order, "lines": order.lines.all()}
    )
