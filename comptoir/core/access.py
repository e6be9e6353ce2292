"""Who may open each page, call each API operation and run each action: one table, one check.

Every route of the web UI (by URL name) and every API operation (by operation id) is listed
here with the permission it needs; ``AccessMiddleware`` checks it before any view runs. A
route missing from the table is refused to everyone but superusers, and the route walk test
fails, so no new page or endpoint can ship without deciding who may use it.

Pages: reading (GET, HEAD) needs the first permission, sending a form (POST) the second.
API operations have one method each, so one permission. Document actions (issue, credit,
ship…) carry their own permission in ``comptoir.web.actions``.
"""

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

PUBLIC = "public"  # no login: the login page, the language switch
LOGGED_IN = "logged-in"  # any active user: home, own tokens, the file template
NOT_FOUND = "not-found"  # a dynamic route whose arguments name nothing: 404 once logged in
# No login: the operation checks a secret of its own (the approved platform's webhook).
OWN_SECRET = "own-secret"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# What a user sees of money: selling prices and amounts, and cost prices and margins. Pages,
# lists, PDFs and API answers leave them out for a user without the permission.
SEE_PRICES = "catalog.see_prices"
SEE_COSTS = "catalog.see_costs"
# Money fields holding a cost rather than a selling price.
COST_FIELDS = {"cost_price", "unit_cost", "average_cost", "cost_amount"}
# The approved platform's connection: administrators only (no shipped role but theirs has it).
PLATFORM = "einvoicing.change_platformconnection"
# Who sees every customer when the company keeps salespeople to their own (a setting).
SEE_ALL_CUSTOMERS = "parties.see_all_customers"
# Seeing every customer now: the company does not keep salespeople to their own, or the user
# may see all customers. Files made of every customer's records need it (the FEC, import files).
EVERY_CUSTOMER = "every-customer"


@dataclass(frozen=True)
class Rule:
    read: str | tuple[str, ...]  # a tuple: each of them
    write: str | tuple[str, ...]


def page(read: str | tuple[str, ...], write: str | tuple[str, ...] = "") -> Rule:
    return Rule(read, write or read)


def model(app_model: str) -> Rule:
    """A model's list or detail page: view it, change it (or add, for a list's form)."""
    app, name = app_model.split(".")
    return Rule(f"{app}.view_{name}", f"{app}.change_{name}")


def listing(app_model: str) -> Rule:
    app, name = app_model.split(".")
    return Rule(f"{app}.view_{name}", f"{app}.add_{name}")


def adding(app_model: str) -> Rule:
    app, name = app_model.split(".")
    return page(f"{app}.add_{name}")


def changing(app_model: str) -> Rule:
    app, name = app_model.split(".")
    return page(f"{app}.change_{name}")


def _each(*permissions: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(one for p in permissions for one in (p if isinstance(p, tuple) else (p,)))


def also(rule: Rule, permission: str) -> Rule:
    """The rule, needing one more permission to read and to send."""
    return Rule(_each(rule.read, permission), _each(rule.write, permission))


def priced(rule: Rule) -> Rule:
    """A form whose lines are priced as they are typed: it also needs to see prices."""
    return also(rule, SEE_PRICES)


def whole(rule: Rule) -> Rule:
    """A page or file made of every customer's records: not for a user kept to their own."""
    return also(rule, EVERY_CUSTOMER)


# The PDF of any document, by the kind in its URL: the documents carrying prices need both.
DOCUMENT_KINDS = {
    "quotation": ("sales.view_quotation", SEE_PRICES),
    "order": ("sales.view_salesorder", SEE_PRICES),
    "delivery": "stock.view_deliverynote",
    "invoice": ("billing.view_invoice", SEE_PRICES),
}

# Pages, by URL name. ``None``: decided from the URL's arguments (see ``_dynamic``).
PAGES: dict[str, Rule | None] = {
    "set_language": page(PUBLIC),
    "web:login": page(PUBLIC),
    "web:logout": page(LOGGED_IN),
    "web:home": page(LOGGED_IN),
    "web:action": None,
    "web:company": model("core.company"),
    "web:users": page("auth.view_user", "auth.change_user"),
    "web:user_new": page("auth.add_user"),
    "web:user": page("auth.view_user", "auth.change_user"),
    "web:tokens": page(LOGGED_IN),
    "web:message_template_invoice": model("core.messagetemplate"),
    "web:message_template": model("core.messagetemplate"),
    "sales:quotations": listing("sales.quotation"),
    "sales:quotation_new": priced(adding("sales.quotation")),
    "sales:quotation": model("sales.quotation"),
    "sales:quotation_edit": priced(changing("sales.quotation")),
    "sales:orders": listing("sales.salesorder"),
    "sales:order_new": priced(adding("sales.salesorder")),
    "sales:order": model("sales.salesorder"),
    "sales:order_edit": priced(changing("sales.salesorder")),
    "parties:customers": listing("parties.customer"),
    "parties:customer_new": adding("parties.customer"),
    "parties:customer_options": page("parties.view_customer"),
    "parties:customer": model("parties.customer"),
    "parties:customer_edit": changing("parties.customer"),
    "parties:address_new": adding("parties.address"),
    "parties:contact_new": adding("parties.contact"),
    "catalog:items": listing("catalog.item"),
    "catalog:item_new": adding("catalog.item"),
    "catalog:item_options": page("catalog.view_item"),
    "catalog:item": model("catalog.item"),
    "catalog:bundle_components": page("catalog.view_item", "catalog.change_item"),
    "catalog:item_variants": page("catalog.view_item", "catalog.change_item"),
    "catalog:attributes": listing("catalog.item"),
    "catalog:attribute_new": adding("catalog.item"),
    "catalog:attribute": model("catalog.item"),
    "catalog:price_lists": listing("catalog.pricelist"),
    "catalog:price_list_new": adding("catalog.pricelist"),
    "catalog:price_list": model("catalog.pricelist"),
    "pricing:taxes": model("pricing.tax"),
    "pricing:tax_new": adding("pricing.tax"),
    "pricing:tax": model("pricing.tax"),
    "pricing:payment_terms": listing("pricing.paymentterms"),
    "pricing:why_price": page(SEE_PRICES),
    "pricing:shipping_methods": model("pricing.shippingmethod"),
    "pricing:shipping_method_new": adding("pricing.shippingmethod"),
    "pricing:shipping_method": model("pricing.shippingmethod"),
    "pricing:shipping_zones": model("pricing.shippingzone"),
    "pricing:shipping_zone_new": adding("pricing.shippingzone"),
    "pricing:shipping_zone": model("pricing.shippingzone"),
    "pricing:shipping_rules": model("pricing.shippingrule"),
    "pricing:shipping_rule_new": adding("pricing.shippingrule"),
    "pricing:shipping_rule": model("pricing.shippingrule"),
    "pricing:rules": listing("pricing.pricingrule"),
    "pricing:rule_new": adding("pricing.pricingrule"),
    "pricing:rules_import": page(("pricing.add_pricingrule", "pricing.change_pricingrule")),
    "pricing:rule": model("pricing.pricingrule"),
    "pricing:rule_active": changing("pricing.pricingrule"),
    "pricing:rule_delete": page("pricing.delete_pricingrule"),
    "pricing:promotions": model("pricing.promotion"),
    "pricing:promotion_new": adding("pricing.promotion"),
    "pricing:promotion": model("pricing.promotion"),
    "pricing:coupons": model("pricing.coupon"),
    "pricing:coupon_new": adding("pricing.coupon"),
    "pricing:coupon_generate": adding("pricing.coupon"),
    "pricing:coupon_codes_csv": model("pricing.coupon"),
    "pricing:coupon": model("pricing.coupon"),
    "stock:deliveries": listing("stock.deliverynote"),
    "stock:delivery": model("stock.deliverynote"),
    "stock:order_deliver": adding("stock.deliverynote"),
    "stock:delivery_return": adding("stock.customerreturn"),
    "stock:returns": listing("stock.customerreturn"),
    "stock:return": model("stock.customerreturn"),
    "stock:levels": page("stock.view_stocklevel"),
    "stock:picking": page("stock.view_deliverynote", "stock.change_deliverynote"),
    "stock:moves": listing("stock.stockmove"),
    "stock:move_new": adding("stock.stockmove"),
    "stock:count": adding("stock.stockmove"),
    "stock:warehouses": listing("stock.warehouse"),
    "stock:warehouse_new": adding("stock.warehouse"),
    "stock:warehouse": model("stock.warehouse"),
    "purchasing:suppliers": listing("purchasing.supplier"),
    "purchasing:supplier_new": adding("purchasing.supplier"),
    "purchasing:supplier": model("purchasing.supplier"),
    "purchasing:orders": listing("purchasing.purchaseorder"),
    "purchasing:order_new": adding("purchasing.purchaseorder"),
    "purchasing:order": model("purchasing.purchaseorder"),
    "purchasing:order_receive": page("purchasing.receive_purchaseorder"),
    "purchasing:sales_order_purchase": adding("purchasing.purchaseorder"),
    "supplierinvoices:invoices": listing("supplierinvoices.supplierinvoice"),
    "supplierinvoices:upload": adding("supplierinvoices.supplierinvoice"),
    "supplierinvoices:settings": model("supplierinvoices.receptionsettings"),
    "supplierinvoices:invoice": model("supplierinvoices.supplierinvoice"),
    "supplierinvoices:file": page("supplierinvoices.view_supplierinvoice"),
    "supplierinvoices:flows": page("supplierinvoices.view_supplierinvoice"),
    "supplierinvoices:flow_file": page("supplierinvoices.view_supplierinvoice"),
    "supplierinvoices:supplier": changing("supplierinvoices.supplierinvoice"),
    "supplierinvoices:match": changing("supplierinvoices.supplierinvoice"),
    "supplierinvoices:approve": page("supplierinvoices.decide_supplierinvoice"),
    "supplierinvoices:decide": page("supplierinvoices.decide_supplierinvoice"),
    "supplierinvoices:send_again": page("supplierinvoices.decide_supplierinvoice"),
    "billing:invoices": listing("billing.invoice"),
    "billing:invoice_new": priced(adding("billing.invoice")),
    "billing:invoice_deliveries": adding("billing.invoice"),
    "billing:invoice": model("billing.invoice"),
    "billing:invoice_edit": priced(changing("billing.invoice")),
    "billing:invoice_credit": page("billing.credit_invoice"),
    "billing:invoice_pdf": page(DOCUMENT_KINDS["invoice"]),
    "billing:invoice_send": changing("billing.invoice"),
    "billing:quotation_send": page(("sales.change_quotation", SEE_PRICES)),
    "billing:order_send": page(("sales.change_salesorder", SEE_PRICES)),
    "billing:order_down_payment": adding("billing.invoice"),
    "billing:document_pdf": None,
    "billing:picking_pdf": page("stock.view_deliverynote"),
    "billing:invoice_xml": page(DOCUMENT_KINDS["invoice"]),
    "billing:invoice_ubl": page(DOCUMENT_KINDS["invoice"]),
    "billing:credit_notes": page("billing.view_invoice"),
    "billing:receivables": page("billing.view_invoice"),
    "payments:payments": listing("payments.payment"),
    "payments:payment_new": adding("payments.payment"),
    "payments:payment": model("payments.payment"),
    "payments:invoice_pay": adding("payments.payment"),
    "payments:payment_cancel": page("payments.delete_payment"),
    "payments:unallocate": page("payments.change_payment"),
    "payments:allocate": page("payments.change_payment"),
    "payments:payment_refund": page("payments.add_refund"),
    "payments:fec": whole(page("payments.export_accounting")),
    "imports:batches": whole(listing("imports.importbatch")),
    "imports:upload": whole(adding("imports.importbatch")),
    "imports:opening_stock": adding("stock.stockmove"),
    "imports:template": page(LOGGED_IN),
    "imports:partners": listing("imports.importpartner"),
    "imports:partner_new": adding("imports.importpartner"),
    "imports:partner": model("imports.importpartner"),
    "imports:batch": whole(model("imports.importbatch")),
    "imports:progress": whole(page("imports.view_importbatch")),
    "imports:process": whole(changing("imports.importbatch")),
    "imports:purge": whole(page("imports.delete_importrow")),
    "imports:export": whole(page("imports.view_importrow")),
    "imports:documents_pdf": whole(priced(page("imports.view_importbatch"))),
    "imports:row": whole(model("imports.importrow")),
    "reports:sales": whole(page(("billing.view_invoice", SEE_PRICES))),
    "reports:sales_invoices": whole(page(("billing.view_invoice", SEE_PRICES))),
    "closings:closings": listing("closings.closing"),
    "closings:closing_file": page("closings.view_closing"),
    "ereporting:reports": Rule("ereporting.view_report", ("ereporting.add_report", EVERY_CUSTOMER)),
    "ereporting:report_file": page(("ereporting.view_report", EVERY_CUSTOMER)),
    "ereporting:send_report": page(
        "ereporting.view_report", ("ereporting.add_report", EVERY_CUSTOMER)
    ),
    "einvoicing:connection": page(PLATFORM),
    "einvoicing:webhook_secret": page(PLATFORM),
    "einvoicing:customer_directory": page("parties.view_customer", "parties.change_customer"),
    "einvoicing:resend": page("billing.view_invoice", "billing.change_invoice"),
    "einvoicing:invoice_correction": page("billing.view_invoice", "billing.credit_invoice"),
    "einvoicing:invoice_refusal_credit": page("billing.view_invoice", "billing.credit_invoice"),
    "reports:backlog": page(("sales.view_salesorder", SEE_PRICES)),
    "reports:to_invoice": page(("sales.view_salesorder", SEE_PRICES)),
    "reports:quotations": page(("sales.view_quotation", SEE_PRICES)),
    "reports:month_sales": page(("billing.view_invoice", SEE_PRICES)),
    "api:openapi-json": page(PUBLIC),
    "api:openapi-view": page(PUBLIC),
}


def _api(prefix: str, names: str, permission) -> dict[str, str | tuple[str, ...]]:
    return {f"{prefix}{name}": permission for name in names.split()}


CORE, PARTIES, CATALOG = "comptoir_core_api_", "comptoir_parties_api_", "comptoir_catalog_api_"
PRICING, SALES, STOCK = "comptoir_pricing_api_", "comptoir_sales_api_", "comptoir_stock_api_"
PURCHASING, BILLING = "comptoir_purchasing_api_", "comptoir_billing_api_"
PAYMENTS, IMPORTS = "comptoir_payments_api_", "comptoir_imports_api_"
SUPPLIER_INVOICES = "comptoir_supplierinvoices_api_"
REPORTS = "comptoir_reports_api_"

# API operations, by operation id (as in the OpenAPI schema).
OPERATIONS: dict[str, str | tuple[str, ...]] = {
    **_api(CORE, "get_company", "core.view_company"),
    **_api(CORE, "update_company", "core.change_company"),
    **_api(PARTIES, "list_customers get_customer", "parties.view_customer"),
    **_api(PARTIES, "create_customer", "parties.add_customer"),
    **_api(PARTIES, "update_customer", "parties.change_customer"),
    **_api(PARTIES, "delete_customer", "parties.delete_customer"),
    **_api(PARTIES, "add_address", "parties.add_address"),
    **_api(PARTIES, "update_address", "parties.change_address"),
    **_api(PARTIES, "delete_address", "parties.delete_address"),
    **_api(PARTIES, "add_contact", "parties.add_contact"),
    **_api(PARTIES, "update_contact", "parties.change_contact"),
    **_api(PARTIES, "delete_contact", "parties.delete_contact"),
    **_api("", "list_customer_groups", "parties.view_customergroup"),
    **_api("", "create_customer_groups", "parties.add_customergroup"),
    **_api("", "list_territories", "parties.view_territory"),
    **_api("", "create_territories", "parties.add_territory"),
    **_api("", "list_sales_partners", "parties.view_salespartner"),
    **_api("", "create_sales_partners", "parties.add_salespartner"),
    **_api(CATALOG, "list_items get_item get_components", "catalog.view_item"),
    **_api(CATALOG, "create_item", "catalog.add_item"),
    **_api(CATALOG, "update_item set_components", "catalog.change_item"),
    **_api(CATALOG, "delete_item", "catalog.delete_item"),
    # Attributes and variants are part of the items: the same permissions.
    **_api(CATALOG, "list_attributes get_attribute list_variants", "catalog.view_item"),
    **_api(CATALOG, "create_attribute", "catalog.add_item"),
    **_api(CATALOG, "generate_variants", "catalog.add_item"),
    **_api(
        CATALOG,
        "update_attribute set_template_attributes update_variant",
        "catalog.change_item",
    ),
    **_api(CATALOG, "delete_attribute", "catalog.delete_item"),
    **_api(CATALOG, "list_units", "catalog.view_unit"),
    **_api(CATALOG, "list_item_groups", "catalog.view_itemgroup"),
    **_api(CATALOG, "list_price_lists list_item_prices", "catalog.view_pricelist"),
    **_api(CATALOG, "create_price_list", "catalog.add_pricelist"),
    **_api(CATALOG, "set_item_price delete_item_price", "catalog.change_pricelist"),
    **_api(PRICING, "list_taxes get_tax", "pricing.view_tax"),
    **_api(PRICING, "why_price", SEE_PRICES),
    **_api(PRICING, "create_tax", "pricing.add_tax"),
    **_api(PRICING, "update_tax", "pricing.change_tax"),
    **_api(PRICING, "delete_tax", "pricing.delete_tax"),
    **_api(PRICING, "list_rules get_rule export_rules", "pricing.view_pricingrule"),
    **_api(PRICING, "create_rule", "pricing.add_pricingrule"),
    **_api(PRICING, "update_rule activate_rule deactivate_rule", "pricing.change_pricingrule"),
    **_api(PRICING, "delete_rule", "pricing.delete_pricingrule"),
    **_api(PRICING, "import_rules", ("pricing.add_pricingrule", "pricing.change_pricingrule")),
    **_api(PRICING, "list_payment_terms", "pricing.view_paymentterms"),
    **_api(PRICING, "create_payment_terms", "pricing.add_paymentterms"),
    **_api(PRICING, "list_terms_templates", "pricing.view_termstemplate"),
    **_api(PRICING, "create_terms_template", "pricing.add_termstemplate"),
    **_api("", "list_shipping_methods get_shipping_method", "pricing.view_shippingmethod"),
    **_api("", "create_shipping_method", "pricing.add_shippingmethod"),
    **_api("", "update_shipping_method", "pricing.change_shippingmethod"),
    **_api("", "delete_shipping_method", "pricing.delete_shippingmethod"),
    **_api("", "list_shipping_zones get_shipping_zone", "pricing.view_shippingzone"),
    **_api("", "create_shipping_zone", "pricing.add_shippingzone"),
    **_api("", "update_shipping_zone", "pricing.change_shippingzone"),
    **_api("", "delete_shipping_zone", "pricing.delete_shippingzone"),
    **_api("", "list_shipping_rules get_shipping_rule", "pricing.view_shippingrule"),
    **_api("", "create_shipping_rule", "pricing.add_shippingrule"),
    **_api("", "update_shipping_rule", "pricing.change_shippingrule"),
    **_api("", "delete_shipping_rule", "pricing.delete_shippingrule"),
    **_api(PRICING, "list_promotions get_promotion", "pricing.view_promotion"),
    **_api(PRICING, "create_promotion", "pricing.add_promotion"),
    **_api(PRICING, "update_promotion", "pricing.change_promotion"),
    **_api(PRICING, "delete_promotion", "pricing.delete_promotion"),
    **_api(PRICING, "list_coupons get_coupon", "pricing.view_coupon"),
    **_api(PRICING, "list_coupon_redemptions", "pricing.view_couponredemption"),
    **_api(PRICING, "create_coupon generate_coupons", "pricing.add_coupon"),
    **_api(PRICING, "update_coupon", "pricing.change_coupon"),
    **_api(PRICING, "delete_coupon", "pricing.delete_coupon"),
    **_api(SALES, "list_quotations get_quotation", "sales.view_quotation"),
    **_api(SALES, "create_quotation", "sales.add_quotation"),
    **_api(SALES, "update_quotation", "sales.change_quotation"),
    **_api("quotation_", "send accept refuse", "sales.change_quotation"),
    **_api(SALES, "convert_to_order create_order", "sales.add_salesorder"),
    **_api(SALES, "list_orders get_order", "sales.view_salesorder"),
    **_api(SALES, "update_order confirm_order cancel_order", "sales.change_salesorder"),
    **_api(STOCK, "deliver_order", "stock.add_deliverynote"),
    **_api(STOCK, "list_deliveries get_delivery", "stock.view_deliverynote"),
    **_api(STOCK, "ship_delivery cancel_delivery", "stock.change_deliverynote"),
    **_api(STOCK, "receive_return", "stock.add_customerreturn"),
    **_api(STOCK, "get_return", "stock.view_customerreturn"),
    **_api(STOCK, "list_warehouses", "stock.view_warehouse"),
    **_api(STOCK, "create_warehouse", "stock.add_warehouse"),
    **_api(STOCK, "update_warehouse", "stock.change_warehouse"),
    **_api(STOCK, "list_stock", "stock.view_stocklevel"),
    **_api(STOCK, "list_moves", "stock.view_stockmove"),
    **_api(STOCK, "post_move post_transfer post_count", "stock.add_stockmove"),
    **_api(PURCHASING, "list_suppliers", "purchasing.view_supplier"),
    **_api(PURCHASING, "create_supplier", "purchasing.add_supplier"),
    **_api(PURCHASING, "list_purchase_orders get_purchase_order", "purchasing.view_purchaseorder"),
    **_api(PURCHASING, "create_purchase_order purchase_for_order", "purchasing.add_purchaseorder"),
    **_api(
        PURCHASING,
        "confirm_purchase_order cancel_purchase_order",
        "purchasing.change_purchaseorder",
    ),
    **_api(
        PURCHASING, "receive_purchase confirm_drop_shipment", "purchasing.receive_purchaseorder"
    ),
    **_api(
        SUPPLIER_INVOICES,
        "list_supplier_invoices get_supplier_invoice supplier_invoice_file",
        "supplierinvoices.view_supplierinvoice",
    ),
    **_api(SUPPLIER_INVOICES, "receive_supplier_invoice", "supplierinvoices.add_supplierinvoice"),
    **_api(
        SUPPLIER_INVOICES,
        "set_supplier_invoice_supplier",
        "supplierinvoices.change_supplierinvoice",
    ),
    **_api(SUPPLIER_INVOICES, "decide_supplier_invoice", "supplierinvoices.decide_supplierinvoice"),
    **_api(BILLING, "list_invoices get_invoice", "billing.view_invoice"),
    **_api(BILLING, "invoice_pdf invoice_xml invoice_ubl", DOCUMENT_KINDS["invoice"]),
    **_api(
        BILLING,
        "create_invoice invoice_deliveries invoice_order invoice_quotation create_down_payment",
        "billing.add_invoice",
    ),
    **_api(BILLING, "update_invoice send_invoice", "billing.change_invoice"),
    **_api(BILLING, "email_quotation", ("sales.change_quotation", SEE_PRICES)),
    **_api(BILLING, "email_order", ("sales.change_salesorder", SEE_PRICES)),
    **_api(BILLING, "delete_invoice", "billing.delete_invoice"),
    **_api(BILLING, "issue_invoice", "billing.issue_invoice"),
    **_api(
        BILLING,
        "credit_invoice credit_return cancel_invoice correct_invoice",
        "billing.credit_invoice",
    ),
    **_api(PAYMENTS, "list_payments get_payment get_balance", "payments.view_payment"),
    **_api(PAYMENTS, "register_payment", "payments.add_payment"),
    **_api(PAYMENTS, "allocate_payment unallocate_payment", "payments.change_payment"),
    **_api(PAYMENTS, "cancel_payment", "payments.delete_payment"),
    **_api(PAYMENTS, "refund_payment", "payments.add_refund"),
    **_api(PAYMENTS, "fec_export", ("payments.export_accounting", EVERY_CUSTOMER)),
    **_api("comptoir_closings_api_", "list_closings closing_file", "closings.view_closing"),
    **_api("comptoir_closings_api_", "close_period", "closings.add_closing"),
    **_api("comptoir_ereporting_api_", "list_reports", "ereporting.view_report"),
    **_api("comptoir_ereporting_api_", "report_file", ("ereporting.view_report", EVERY_CUSTOMER)),
    **_api("comptoir_ereporting_api_", "prepare_report", ("ereporting.add_report", EVERY_CUSTOMER)),
    **_api("comptoir_ereporting_api_", "send_report", ("ereporting.add_report", EVERY_CUSTOMER)),
    **_api(
        "comptoir_einvoicing_api_",
        "get_platform_connection update_platform_connection check_platform_connection",
        PLATFORM,
    ),
    **_api("comptoir_einvoicing_api_", "invoice_platform", "billing.view_invoice"),
    **_api(
        "comptoir_einvoicing_api_",
        "correct_rejected_invoice credit_refused_invoice",
        "billing.credit_invoice",
    ),
    **_api("comptoir_einvoicing_api_", "platform_webhook", OWN_SECRET),
    **_api("comptoir_einvoicing_api_", "customer_directory", "parties.view_customer"),
    **_api("comptoir_einvoicing_api_", "look_up_customer_directory", "parties.change_customer"),
    **_api(IMPORTS, "template", LOGGED_IN),
    **_api(IMPORTS, "list_partners get_partner", "imports.view_importpartner"),
    **_api(IMPORTS, "create_partner", "imports.add_importpartner"),
    **_api(IMPORTS, "update_partner", "imports.change_importpartner"),
    **_api(IMPORTS, "upload", ("imports.add_importbatch", EVERY_CUSTOMER)),
    **_api(
        IMPORTS,
        "list_batches get_batch preview_batch",
        ("imports.view_importbatch", EVERY_CUSTOMER),
    ),
    **_api(IMPORTS, "list_rows", ("imports.view_importrow", EVERY_CUSTOMER)),
    **_api(IMPORTS, "purge", ("imports.delete_importrow", EVERY_CUSTOMER)),
    **_api(IMPORTS, "edit_row", ("imports.change_importrow", EVERY_CUSTOMER)),
    **_api(IMPORTS, "process", ("imports.change_importbatch", EVERY_CUSTOMER)),
    **_api(REPORTS, "sales_analysis", ("billing.view_invoice", SEE_PRICES, EVERY_CUSTOMER)),
}


@cache
def _operations_by_route() -> dict[tuple[str, str], str]:
    """(route as Django writes it, method) → operation id, from the API's OpenAPI schema."""
    from comptoir.api import api

    schema = api.get_openapi_schema()
    found = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            found[(path, method.upper())] = operation["operationId"]
    return found


def _openapi_path(route: str) -> str:
    """``api/invoices/<int:pk>/issue`` → ``/api/invoices/{pk}/issue``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operation(request) -> str | None:
    match = request.resolver_match
    return _operations_by_route().get((_openapi_path(match.route), request.method))


def required(request) -> str | tuple[str, ...] | None:
    """The permission the request needs (PUBLIC, LOGGED_IN or "app.codename"); None when the
    route is missing from the table (nobody but a superuser may use it)."""
    return needs(request.resolver_match, request.method)


def needs(match, method: str) -> str | tuple[str, ...] | None:
    """The same, for a resolved URL and a method."""
    if match.namespace == "api" and match.view_name not in PAGES:
        operation = _operations_by_route().get((_openapi_path(match.route), method))
        return OPERATIONS.get(operation) if operation else LOGGED_IN  # 405 from the API
    if match.view_name not in PAGES:
        return None
    rule = PAGES[match.view_name]
    if rule is None:
        return _dynamic(match)
    return rule.read if method in SAFE_METHODS else rule.write


def _dynamic(match) -> str | None:
    if match.view_name == "billing:document_pdf":
        return DOCUMENT_KINDS.get(match.kwargs.get("kind"), NOT_FOUND)
    if match.view_name == "web:action":
        from comptoir.web.actions import permission_for

        return permission_for(match.kwargs.get("kind"), match.kwargs.get("name")) or NOT_FOUND
    return None


def allows(user, permission: str | tuple[str, ...] | None) -> bool:
    """Whether the user has the permission (each of them, for a tuple)."""
    if isinstance(permission, tuple):
        return all(allows(user, one) for one in permission)
    if permission in (PUBLIC, OWN_SECRET):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if permission in (LOGGED_IN, NOT_FOUND) or user.is_superuser:
        return True
    if permission == EVERY_CUSTOMER:
        return customers_limited_to(user) is None
    return permission is not None and user.has_perm(permission)


class AccessMiddleware:
    """Checks the table above before each view; the admin site keeps its own checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.namespace == "admin":
            return None
        is_api = match.namespace == "api"
        if is_api:
            from comptoir.core.auth import bearer_user

            bearer_user(request)  # a token's user is the request's user
        permission = required(request)
        if allows(request.user, permission):
            return None
        if not request.user.is_authenticated:
            if is_api:
                return _json(401, "unauthorized", _("Authentication required."))
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if is_api:
            return _json(403, "forbidden", _("Your role does not allow this."))
        return render(request, "web/forbidden.html", status=403)


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def may_open(user, url_name: str) -> bool:
    """Whether the page of this URL name opens for the user: what a link or a button to it is
    shown on (none that would lead to a refusal)."""
    rule = PAGES.get(url_name)
    return rule is not None and allows(user, rule.read)


def may_submit(user, url: str) -> bool:
    """Whether the user may send a form to this path (POST): what a form or a button posting
    to it is shown on; a path that names no route is no one's to send to."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return False
    return allows(user, needs(match, "POST"))


def may_view(user, model) -> bool:
    """Whether the user may see the records of this model (a link, a group of a page)."""
    return allows(user, f"{model._meta.app_label}.view_{model._meta.model_name}")


def may_open_url(user, url: str) -> bool:
    """The same, for a path (a row's link); a path that names no page in the table opens."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return True
    return match.view_name not in PAGES or may_open(user, match.view_name)


def hidden_money_fields(model, user) -> set[str]:
    """The names of the model's money fields whose values ``user`` may not see."""
    hidden = set()
    for field in model._meta.concrete_fields:
        if getattr(field, "is_money", False):
            needs = SEE_COSTS if field.name in COST_FIELDS else SEE_PRICES
            if not allows(user, needs):
                hidden.add(field.name)
    return hidden


# Whose customers -------------------------------------------------------------------------------


def customers_limited_to(user):
    """The user whose customers alone ``user`` sees, or None when they see every customer (or
    when no user asks: services and commands)."""
    from comptoir.core.models import Company

    if user is None or allows(user, SEE_ALL_CUSTOMERS):
        return None
    return user if Company.get().own_customers_only else None


def get_owned(queryset, user, customer: str = "customer", **lookup):
    """The row ``lookup`` names among those whose customer ``user`` sees; 404 otherwise, as for
    a row that does not exist (``customer`` as for ``owned``)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(owned(queryset, user, customer), **lookup)


def owned(queryset, user, customer: str = "customer"):
    """The rows of ``queryset`` whose customer ``user`` sees; ``customer`` is the path from a row
    to its customer ("" when the rows are the customers)."""
    owner = customers_limited_to(user)
    if owner is None:
        return queryset
    return queryset.filter(**{f"{customer}__salesperson" if customer else "salesperson": owner})
