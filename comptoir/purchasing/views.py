"""Purchase pages: suppliers, purchase orders, receipts, and buying for a sales order."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core import access
from comptoir.core.listing import Column, Listing
from comptoir.core.views import form_page, quantities_per_line, save_form
from comptoir.purchasing import services
from comptoir.purchasing.forms import PurchaseOrderForm, SalesLinesPurchaseForm, SupplierForm
from comptoir.purchasing.models import PurchaseOrder, Supplier
from comptoir.sales.models import SalesOrder
from comptoir.stock.services import default_warehouse


class SupplierListing(Listing):
    model = Supplier
    title = gettext_lazy("Suppliers")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("email", gettext_lazy("E-mail"), "email"),
        Column("lead_time", gettext_lazy("Lead time (days)"), "lead_time_days"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "email")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "purchasing:supplier_new"
    create_label = gettext_lazy("New supplier")


class PurchaseOrderListing(Listing):
    model = PurchaseOrder
    title = gettext_lazy("Purchase orders")
    columns = [
        Column("number", gettext_lazy("Number"), "reference", sort="number"),
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("supplier", gettext_lazy("Supplier"), "supplier.name"),
        Column("expected", gettext_lazy("Expected on"), "expected_date", kind="date"),
        Column("drop_ship", gettext_lazy("Drop shipment"), "drop_ship", kind="bool"),
        Column("status", gettext_lazy("Status"), "status", kind="status", sort="status"),
    ]
    search_fields = ("number", "supplier__name", "supplier__code")
    customer_field = amount_field = None
    create_url_name = "purchasing:order_new"
    create_label = gettext_lazy("New purchase order")

    def get_queryset(self):
        return PurchaseOrder.objects.select_related("supplier")


def supplier_form(request, pk: int | None = None):
    supplier = get_object_or_404(Supplier, pk=pk) if pk else None
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST":
        if supplier is None:
            saved = save_form(form, lambda data: services.create_supplier(**data))
        else:
            saved = save_form(form, lambda data: services.update_supplier(supplier, **data))
        if saved is not None:
            messages.success(request, _("Supplier %(code)s saved.") % {"code": saved.code})
            return redirect("purchasing:suppliers")
    return form_page(request, form, str(supplier) if supplier else _("New supplier"))


def order_form(request):
    initial = {"warehouse": default_warehouse()} if request.method == "GET" else None
    form = PurchaseOrderForm(request.POST or None, initial=initial)
    if request.method == "POST":
        order = save_form(
            form,
            lambda data: services.create_purchase_order(
                data["supplier"],
                [services.PurchaseLine(item, quantity) for item, quantity in data["lines"]],
                expected_date=data["expected_date"],
                warehouse=data["warehouse"],
                by=request.user,
            ),
        )
        if order is not None:
            return redirect(order)
    return form_page(request, form, _("New purchase order"))


def order_detail(request, pk: int):
    order = get_object_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse", "sales_order"), pk=pk
    )
    lines = order.lines.select_related("item", "sales_order_line__order")
    return render(request, "purchasing/order_detail.html", {"document": order, "lines": lines})


def order_receive(request, pk: int):
    """The goods received from the supplier, line by line (or delivered to the customer, for
    a drop shipment)."""
    order = get_object_or_404(PurchaseOrder, pk=pk)
    lines = [line for line in order.lines.all() if line.quantity_to_receive > 0]

    def save(quantities):
        if order.drop_ship:  # the customer's delivery note
            return services.confirm_drop_shipment(order, quantities, by=request.user)
        services.receive_purchase(order, quantities, by=request.user)
        return order

    done = (
        _("Delivered by the supplier: %(ref)s.")
        if order.drop_ship
        else _("Goods received on %(ref)s.")
    )
    return quantities_per_line(
        request,
        lines,
        default=lambda line: line.quantity_to_receive,
        save=save,
        done=done,
        template="purchasing/receive.html",
        context={"order": order},
    )


def sales_order_purchase(request, pk: int):
    """Buy what a confirmed sales order still needs: special order or drop shipment."""
    sales_order = access.get_owned(SalesOrder.objects.all(), request.user, pk=pk)
    form = SalesLinesPurchaseForm(request.POST or None)
    if request.method == "POST":
        goods = [line for line in sales_order.lines.all() if not line.is_service]
        order = save_form(
            form,
            lambda data: services.order_for_sales_lines(
                goods, data["supplier"], drop_ship=data["drop_ship"], by=request.user
            ),
        )
        if order is not None:
            return redirect(order)
    return form_page(
        request,
        form,
        _("Buy for order %(ref)s") % {"ref": sales_order.reference},
        sales_order.get_absolute_url(),
        submit_label=_("Order from the supplier"),
    )
