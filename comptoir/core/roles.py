"""The roles Comptoir ships: Django groups holding model permissions.

A role is created with its permissions the first time the database is migrated; an
administrator may then change it (the admin site, Groups) and later migrations leave it as it
is. ``comptoir roles --reset`` gives the shipped roles their shipped permissions again.

Permissions are Django's: ``view_``, ``add_``, ``change_``, ``delete_`` per model, and a few
business ones declared on the models (issuing and crediting invoices, exporting the books).
Which permission each page, API operation and action needs is in ``comptoir.core.access``.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
SALES = "Sales"
WAREHOUSE = "Warehouse"
PURCHASING = "Purchasing"
ACCOUNTING = "Accounting"
READ_ONLY = "Read-only"

# Apps whose models are business data; the framework's own (sessions, tasks) are not shown.
BUSINESS_APPS = (
    "core",
    "parties",
    "catalog",
    "pricing",
    "sales",
    "stock",
    "purchasing",
    "supplierinvoices",
    "billing",
    "payments",
    "imports",
    "closings",
    "ereporting",
)
# What nobody but an administrator sees: other users' tokens, login failures, the journal
# internals, who belongs to which role.
PRIVATE = {
    "core.apitoken",
    "core.loginfailure",
    "core.sequence",
}


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    description: str
    # "app.model": the actions (view, add, change, delete) granted on it; "app.*" for all
    # of an app's models. Extra permissions by "app.codename".
    grants: dict[str, str]
    extra: tuple[str, ...] = ()
    everything: bool = False


ALL = "view add change delete"
EDIT = "view add change"

ROLES = [
    Role(
        ADMINISTRATOR,
        _("Administrator"),
        _("Everything, users and roles included."),
        {},
        everything=True,
    ),
    Role(
        SALES,
        _("Sales"),
        _(
            "Customers, quotations and orders; sees items, prices, stock and invoices; cost "
            "prices and margins only if allowed."
        ),
        {
            "parties.*": EDIT,
            "sales.*": ALL,
            "catalog.*": "view",
            "pricing.*": "view",
            "stock.warehouse": "view",
            "stock.stocklevel": "view",
            "stock.deliverynote": "view",
            "stock.customerreturn": "view",
            "billing.invoice": "view",
            "billing.invoiceline": "view",
            "payments.payment": "view",
            "imports.importpartner": "view",
            "imports.importbatch": "view",
            "imports.importrow": "view",
            "core.company": "view",
        },
        # Cost prices and margins, and every customer when salespeople are kept to their own
        # (a setting), only if an administrator allows them.
        extra=("catalog.see_prices",),
    ),
    Role(
        WAREHOUSE,
        _("Warehouse"),
        _(
            "Deliveries, returns, picking and stock; receives the purchase orders; sees orders, "
            "customers and suppliers, without prices."
        ),
        {
            "stock.*": EDIT,
            "purchasing.*": "view",
            "sales.salesorder": "view",
            "sales.salesorderline": "view",
            "parties.customer": "view",
            "parties.address": "view",
            "parties.contact": "view",
            "catalog.item": "view",
            "catalog.unit": "view",
            "catalog.itemgroup": "view",
            "catalog.bundlecomponent": "view",
            "core.company": "view",
        },
        extra=("parties.see_all_customers", "purchasing.receive_purchaseorder"),
    ),
    Role(
        PURCHASING,
        _("Purchasing"),
        _(
            "Suppliers and purchase orders: creates, sends, cancels and receives them; sees "
            "items with their cost prices, stock, and the orders that need buying."
        ),
        {
            "purchasing.*": EDIT,
            "supplierinvoices.*": EDIT,
            "catalog.*": "view",
            "stock.warehouse": "view",
            "stock.stocklevel": "view",
            "stock.stockmove": "view",
            "sales.salesorder": "view",
            "sales.salesorderline": "view",
            "parties.customer": "view",
            "parties.address": "view",
            "parties.contact": "view",
            "core.company": "view",
        },
        extra=(
            "purchasing.receive_purchaseorder",
            "supplierinvoices.decide_supplierinvoice",
            "catalog.see_prices",
            "catalog.see_costs",
            "parties.see_all_customers",
        ),
    ),
    Role(
        ACCOUNTING,
        _("Accounting"),
        _("Invoices, credit notes, payments, imports and exports; issues and credits."),
        {
            "billing.*": ALL,
            "payments.*": ALL,
            "imports.*": ALL,
            "parties.*": "view",
            "catalog.*": "view",
            "pricing.*": "view",
            "sales.*": "view",
            "stock.*": "view",
            "purchasing.*": "view",
            "supplierinvoices.*": EDIT,
            "core.company": "view",
            "core.journalentry": "view",
            "closings.closing": "view add",
            "ereporting.report": "view add",
            "core.messagetemplate": EDIT,
        },
        extra=(
            "billing.issue_invoice",
            "billing.credit_invoice",
            "payments.export_accounting",
            "supplierinvoices.decide_supplierinvoice",
            "catalog.see_prices",
            "catalog.see_costs",
            "parties.see_all_customers",
        ),
    ),
    Role(
        READ_ONLY,
        _("Read-only"),
        _("Sees everything except users and tokens; changes nothing."),
        {f"{app}.*": "view" for app in BUSINESS_APPS},
        extra=("catalog.see_prices", "catalog.see_costs", "parties.see_all_customers"),
    ),
]
BY_NAME = {role.name: role for role in ROLES}


def role_permissions(role: Role):
    """The Permission rows the role is shipped with."""
    from django.contrib.auth.models import Permission

    rows = Permission.objects.select_related("content_type")
    if role.everything:
        return list(rows)
    granted = []
    for permission in rows:
        app = permission.content_type.app_label
        model = permission.content_type.model
        if f"{app}.{model}" in PRIVATE:
            continue
        action, _sep, _rest = permission.codename.partition("_")
        actions = role.grants.get(f"{app}.{model}") or role.grants.get(f"{app}.*", "")
        if action in actions.split() or f"{app}.{permission.codename}" in role.extra:
            granted.append(permission)
    return granted
