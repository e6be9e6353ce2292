"""The navigation bar: one entry per area of the day's work, with the pages the user's role
may open."""

from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.core.access import PAGES, allows

AREAS = [
    (_("Sales"), [(_("Quotations"), "sales:quotations"), (_("Orders"), "sales:orders")]),
    (_("Customers"), [(_("Customers"), "parties:customers")]),
    (
        _("Items & prices"),
        [
            (_("Items"), "catalog:items"),
            (_("Item attributes"), "catalog:attributes"),
            (_("Price lists"), "catalog:price_lists"),
            (_("Why this price?"), "pricing:why_price"),
        ],
    ),
    (
        _("Deliveries"),
        [
            (_("Delivery notes"), "stock:deliveries"),
            (_("Picking list"), "stock:picking"),
            (_("Goods returned"), "stock:returns"),
            (_("Stock"), "stock:levels"),
            (_("Stock moves"), "stock:moves"),
            (_("Inventory count"), "stock:count"),
            (_("Opening stock"), "imports:opening_stock"),
            (_("Warehouses"), "stock:warehouses"),
        ],
    ),
    (
        _("Purchases"),
        [
            (_("Purchase orders"), "purchasing:orders"),
            (_("Supplier invoices"), "supplierinvoices:invoices"),
            (_("Suppliers"), "purchasing:suppliers"),
        ],
    ),
    (
        _("Invoicing"),
        [
            (_("Invoices"), "billing:invoices"),
            (_("Invoice the deliveries"), "billing:invoice_deliveries"),
            (_("Credit notes"), "billing:credit_notes"),
        ],
    ),
    (_("Payments"), [(_("Payments"), "payments:payments")]),
    (
        _("Imports"),
        [(_("Imported files"), "imports:batches"), (_("Import partners"), "imports:partners")],
    ),
    (
        _("Reports"),
        [
            (_("Dashboard"), "web:home"),
            (_("Sales analysis"), "reports:sales"),
            (_("Order backlog"), "reports:backlog"),
            (pgettext_lazy("report", "To invoice"), "reports:to_invoice"),
            (_("Quotations pipeline"), "reports:quotations"),
            (_("Sales of the month"), "reports:month_sales"),
            (_("Receivables"), "billing:receivables"),
            (_("Accounting export (FEC)"), "payments:fec"),
            (_("Closings of the journal"), "closings:closings"),
            (_("E-reporting"), "ereporting:reports"),
        ],
    ),
    (
        _("Settings"),
        [
            (_("Company"), "web:company"),
            (_("Taxes"), "pricing:taxes"),
            (_("Payment terms"), "pricing:payment_terms"),
            (_("Shipping methods"), "pricing:shipping_methods"),
            (_("Shipping rules"), "pricing:shipping_rules"),
            (_("Shipping zones"), "pricing:shipping_zones"),
            (_("Promotions"), "pricing:promotions"),
            (_("Coupons"), "pricing:coupons"),
            (_("Price lists"), "catalog:price_lists"),
            (_("Pricing rules"), "pricing:rules"),
            (_("Users"), "web:users"),
            (_("API tokens"), "web:tokens"),
            (_("E-mail messages"), "web:message_template_invoice"),
            (_("Approved platform"), "einvoicing:connection"),
        ],
    ),
]


@cache
def _url(name: str, prefix: str) -> str:
    """A page's address, reversed once per process (and per prefix the site is served at)."""
    return reverse(name)


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    user = request.user
    areas = []
    for label, pages in AREAS:
        links = [
            {"label": text, "url": _url(name, get_script_prefix())}
            for text, name in pages
            if allows(user, PAGES[name].read)
        ]
        if pages is AREAS[-1][1] and user.is_staff:
            links.append(
                {"label": _("Administration"), "url": _url("admin:index", get_script_prefix())}
            )
        if not links:
            continue
        home = links[0]["url"]
        active = any(
            request.path.startswith(link["url"]) and link["url"] != "/" for link in links
        ) or (request.path == "/" and home == "/")
        areas.append({"label": label, "url": home, "links": links, "active": active})
    return {"navigation": areas}
