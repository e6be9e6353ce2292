"""The summary tables the sales analysis reads: issued invoices and credit notes added up by
month and by what they were sold to, through whom and of what, at a few grains.

Issued documents never change, so these sums change only when a document is issued: the
issuing's own transaction adds its lines (``comptoir.reports.facts``). Amounts are integer
cents and quantities integer thousandths, summed exactly on every database (SQLite sums
decimal columns as floating-point numbers). A credit note counts negative.

The dimensions are copied from the customer and the item as they were at the issue (a
customer moved to another group later keeps its past sales in the old one). They are plain
ids, not foreign keys: a group deleted later leaves its history readable and deletable.
"""

from django.db import models


class SalesGrain(models.Model):
    """One grain: the sums of the lines of a month sharing the values of ``DIMENSIONS``."""

    DIMENSIONS: tuple[str, ...] = ()
    # The column the rows of one issuing are read by, with the month (one query per grain): a
    # selective one, so that issuing one invoice reads a few rows, not a month of the grain.
    LOOKUP = "month"

    month = models.DateField()  # the first day of the invoices' month
    quantity = models.BigIntegerField(default=0)  # thousandths of a unit
    net = models.BigIntegerField(default=0)  # cents
    cost = models.BigIntegerField(default=0)  # cents
    # Invoices (credit notes are not counted) with a line in the row. A grain is read for a
    # pivot only when its rows do not split an invoice across the pivot's cells (see queries).
    invoices = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)}" for name in self.DIMENSIONS)
        return f"{self.month:%Y-%m} {values}"


def _dimension():
    return models.BigIntegerField(null=True)


class SalesByTeam(SalesGrain):
    """Month × customer group × territory × salesperson × sales partner."""

    DIMENSIONS = ("customer_group", "territory", "salesperson", "sales_partner")
    LOOKUP = "customer_group"
    customer_group = _dimension()
    territory = _dimension()
    salesperson = _dimension()
    sales_partner = _dimension()

    class Meta:
        indexes = [models.Index(fields=["month"], name="reports_team_month_idx")]


class SalesByItemGroup(SalesGrain):
    """Month × item group: the smallest, for the sales of the item groups alone."""

    DIMENSIONS = ("item_group",)
    item_group = _dimension()

    class Meta:
        indexes = [models.Index(fields=["month"], name="reports_itemgroup_month_idx")]


class SalesByTeamItemGroup(SalesGrain):
    """Month × customer group × territory × salesperson × sales partner × item group."""

    DIMENSIONS = ("customer_group", "territory", "salesperson", "sales_partner", "item_group")
    LOOKUP = "item_group"
    customer_group = _dimension()
    territory = _dimension()
    salesperson = _dimension()
    sales_partner = _dimension()
    item_group = _dimension()

    class Meta:
        indexes = [models.Index(fields=["month"], name="reports_teamgroup_month_idx")]


class SalesByCustomer(SalesGrain):
    """Month × customer (with its group, territory, salesperson and partner at the issue)."""

    DIMENSIONS = ("customer", "customer_group", "territory", "salesperson", "sales_partner")
    LOOKUP = "customer"
    customer = _dimension()
    customer_group = _dimension()
    territory = _dimension()
    salesperson = _dimension()
    sales_partner = _dimension()

    class Meta:
        indexes = [models.Index(fields=["customer", "month"], name="reports_customer_idx")]


class SalesByItem(SalesGrain):
    """Month × item (with its group at the issue)."""

    DIMENSIONS = ("item", "item_group")
    LOOKUP = "item"
    item = _dimension()
    item_group = _dimension()

    class Meta:
        indexes = [models.Index(fields=["item", "month"], name="reports_item_idx")]


class SalesByCustomerItemGroup(SalesGrain):
    """Month × customer (and its team) × item group."""

    DIMENSIONS = (
        "customer",
        "customer_group",
        "territory",
        "salesperson",
        "sales_partner",
        "item_group",
    )
    LOOKUP = "customer"
    customer = _dimension()
    customer_group = _dimension()
    territory = _dimension()
    salesperson = _dimension()
    sales_partner = _dimension()
    item_group = _dimension()

    class Meta:
        indexes = [models.Index(fields=["customer", "month"], name="reports_custgroup_idx")]


class SalesByCustomerItem(SalesGrain):
    """The finest grain: month × customer (and its team) × item (and its group)."""

    DIMENSIONS = (
        "customer",
        "customer_group",
        "territory",
        "salesperson",
        "sales_partner",
        "item",
        "item_group",
    )
    LOOKUP = "customer"
    customer = _dimension()
    customer_group = _dimension()
    territory = _dimension()
    salesperson = _dimension()
    sales_partner = _dimension()
    item = _dimension()
    item_group = _dimension()

    class Meta:
        indexes = [models.Index(fields=["customer", "month"], name="reports_custitem_idx")]


class SoldTo(models.Model):
    """Whom an issued invoice or credit note sold to, as the customer stood at the issue: its
    group, territory, salesperson and partner. The rebuild reads it, so that recomputing the
    sums gives the figures kept at each issue even after a customer moved."""

    invoice_id = models.BigIntegerField(primary_key=True)
    customer = _dimension()
    customer_group = _dimension()
    territory = _dimension()
    salesperson = _dimension()
    sales_partner = _dimension()

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.customer}"


# From the smallest to the largest: a pivot reads the first that has what it asks.
GRAINS: list[type[SalesGrain]] = [
    SalesByItemGroup,
    SalesByTeam,
    SalesByTeamItemGroup,
    SalesByItem,
    SalesByCustomer,
    SalesByCustomerItemGroup,
    SalesByCustomerItem,
]
# The dimensions of a line rather than of its invoice: a grain holding one of them splits an
# invoice over several rows, and counts it once in each.
LINE_DIMENSIONS = ("item", "item_group")
