"""The routes of the application, and a URL for each one naming a real object of the demo
data when there is one: what the walks over every page and operation go through."""

import re

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from comptoir.api import api
from comptoir.billing.models import Invoice
from comptoir.catalog.models import Item, ItemAttribute, PriceList
from comptoir.closings.models import Closing
from comptoir.core import access
from comptoir.ereporting.models import Report
from comptoir.imports.models import ImportBatch, ImportPartner, ImportRow
from comptoir.parties.models import Customer
from comptoir.payments.models import Payment
from comptoir.pricing.models import (
    Coupon,
    PricingRule,
    Promotion,
    ShippingMethod,
    ShippingRule,
    ShippingZone,
    Tax,
)
from comptoir.purchasing.models import PurchaseOrder, Supplier
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.stock.models import CustomerReturn, DeliveryNote, Warehouse
from comptoir.supplierinvoices.models import Decision, IncomingFlow, SupplierInvoice

MISSING = 999999  # a primary key that names nothing: the permission is checked first

# The object a page's `pk` names, by URL name (pages not listed get MISSING: 404 once allowed).
PK_MODELS = {
    "sales:quotation": Quotation,
    "sales:quotation_edit": Quotation,
    "sales:order": SalesOrder,
    "sales:order_edit": SalesOrder,
    "stock:order_deliver": SalesOrder,
    "purchasing:sales_order_purchase": SalesOrder,
    "billing:order_down_payment": SalesOrder,
    "billing:quotation_send": Quotation,
    "billing:order_send": SalesOrder,
    "parties:customer": Customer,
    "parties:customer_edit": Customer,
    "parties:address_new": Customer,
    "parties:contact_new": Customer,
    "einvoicing:customer_directory": Customer,
    "einvoicing:invoice_correction": Invoice,
    "einvoicing:invoice_refusal_credit": Invoice,
    "einvoicing:resend": Invoice,
    "catalog:item": Item,
    "catalog:bundle_components": Item,
    "catalog:item_variants": Item,
    "catalog:attribute": ItemAttribute,
    "catalog:price_list": PriceList,
    "stock:delivery": DeliveryNote,
    "stock:delivery_return": DeliveryNote,
    "stock:return": CustomerReturn,
    "stock:warehouse": Warehouse,
    "pricing:tax": Tax,
    "pricing:shipping_method": ShippingMethod,
    "pricing:shipping_zone": ShippingZone,
    "pricing:shipping_rule": ShippingRule,
    "pricing:rule": PricingRule,
    "pricing:rule_active": PricingRule,
    "pricing:rule_delete": PricingRule,
    "pricing:promotion": Promotion,
    "pricing:coupon": Coupon.objects.filter(customer__isnull=False),  # one customer's
    "purchasing:supplier": Supplier,
    "purchasing:order": PurchaseOrder,
    "purchasing:order_receive": PurchaseOrder,
    "billing:invoice": Invoice,
    "billing:invoice_edit": Invoice,
    "billing:invoice_credit": Invoice,
    "billing:invoice_pdf": Invoice,
    "billing:invoice_send": Invoice,
    "billing:invoice_xml": Invoice.objects.filter(status=Invoice.Status.ISSUED),
    "billing:invoice_ubl": Invoice.objects.filter(status=Invoice.Status.ISSUED),
    "payments:invoice_pay": Invoice,
    "payments:payment": Payment,
    "payments:payment_cancel": Payment,
    "payments:unallocate": Payment,
    "payments:payment_refund": Payment,
    "payments:allocate": Payment,
    "imports:partner": ImportPartner,
    "imports:batch": ImportBatch,
    "imports:progress": ImportBatch,
    "imports:process": ImportBatch,
    "imports:purge": ImportBatch,
    "imports:export": ImportBatch,
    "imports:documents_pdf": ImportBatch,
    "imports:row": ImportBatch,
    "web:user": get_user_model(),
    "closings:closing_file": Closing,
    "ereporting:report_file": Report,
    "ereporting:send_report": Report,
    "supplierinvoices:invoice": SupplierInvoice,
    "supplierinvoices:file": SupplierInvoice,
    "supplierinvoices:supplier": SupplierInvoice,
    "supplierinvoices:match": SupplierInvoice,
    "supplierinvoices:approve": SupplierInvoice,
    "supplierinvoices:decide": SupplierInvoice,
    "supplierinvoices:flow_file": IncomingFlow,
    "supplierinvoices:send_again": Decision,
}
STRINGS = {"format": "csv", "kind": "invoice", "decision": "dispute"}


def _year() -> str:
    return f"year={timezone.localdate().year}&separator=tab"


def _picking() -> str:
    found = first(DeliveryNote)
    return f"delivery={found.pk if found else MISSING}"


# Pages and operations reading what they show from the query string: a query naming a real one.
QUERIES = {"billing:picking_pdf": _picking, "payments:fec": _year}
QUERY_MODELS = {"billing:picking_pdf": DeliveryNote}  # the model the query names
API_QUERIES = {"/api/accounting/fec": _year}


def first(model):
    """The first object of a model or a queryset, or None."""
    return model.objects.order_by("pk").first() if isinstance(model, type) else model.first()


def _patterns(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.pattern


def page_routes() -> dict:
    """URL name → pattern, for every page (the admin site and API operations aside)."""
    routes = dict(_patterns(get_resolver().url_patterns))
    return {
        name: pattern
        for name, pattern in routes.items()
        if not name.startswith("admin:")
        and (not name.startswith("api:") or name in access.PAGES)
        and name != "api:api-root"
    }


def api_operations() -> list[tuple[str, str, str]]:
    """(method, path, operation id) of every operation in the OpenAPI schema."""
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def page_url(name: str, pattern) -> str:
    kwargs = {}
    for key in pattern.converters:
        if key == "pk":
            found = first(PK_MODELS[name]) if name in PK_MODELS else None
            kwargs[key] = found.pk if found else MISSING
        elif key == "row_pk":  # a row of the file the pk names
            found = ImportRow.objects.filter(batch_id=kwargs["pk"]).order_by("pk").first()
            kwargs[key] = found.pk if found else MISSING
        else:
            kwargs[key] = STRINGS[key]
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{QUERIES[name]()}" if name in QUERIES else url


# The object an API path's key names, by the path's first part (others get MISSING).
API_MODELS = {
    "customers": Customer,
    "items": Item,
    "item-attributes": ItemAttribute,
    "price-lists": PriceList,
    "quotations": Quotation,
    "orders": SalesOrder,
    "deliveries": DeliveryNote,
    "returns": CustomerReturn,
    "warehouses": Warehouse,
    "taxes": Tax,
    "shipping-methods": ShippingMethod,
    "shipping-zones": ShippingZone,
    "shipping-rules": ShippingRule,
    "pricing-rules": PricingRule,
    "promotions": Promotion,
    "coupons": Coupon.objects.filter(customer__isnull=False),
    "purchase-orders": PurchaseOrder,
    "invoices": Invoice.objects.filter(status=Invoice.Status.ISSUED),
    "payments": Payment,
    "imports": ImportBatch,
    "import-partners": ImportPartner,
    "closings": Closing,
    "ereporting": Report,
    "supplier-invoices": SupplierInvoice,
}


def api_object_path(path: str) -> str:
    """The operation's path with its first key naming a real object (of the demo data)."""
    part = path.removeprefix("/api/").split("/")[0]
    found = first(API_MODELS[part]) if part in API_MODELS else None
    key = str(found.pk) if found else str(MISSING)
    path = re.sub(r"{\w+}", key, path, count=1)
    path = re.sub(r"{\w+}", str(MISSING), path)
    return f"{path}?{API_QUERIES[path]()}" if path in API_QUERIES else path
