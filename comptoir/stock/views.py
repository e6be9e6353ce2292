"""Stock pages: figures per item and warehouse, the ledger, warehouses, moves and counts;
delivery notes and the form that delivers an order line by line."""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing
from comptoir.core.views import form_page, quantities_per_line, save_form
from comptoir.sales.models import SalesOrder
from comptoir.stock import services
from comptoir.stock.forms import CountForm, MoveForm, WarehouseForm
from comptoir.stock.models import (
    CustomerReturn,
    DeliveryNote,
    StockLevel,
    StockMove,
    Warehouse,
)
from comptoir.stock.queries import picking_list, stock_figures, with_figures


class DeliveryListing(Listing):
    model = DeliveryNote
    title = gettext_lazy("Delivery notes")
    columns = [
        Column("number", gettext_lazy("Number"), "reference", sort="number"),
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("order", gettext_lazy("Order"), "order.reference", sort="order__number"),
        Column("customer", gettext_lazy("Customer"), "order.customer_name"),
        Column("status", gettext_lazy("Status"), "status", kind="status", sort="status"),
    ]
    search_fields = ("number", "order__number", "order__customer_name")
    amount_field = None

    def get_queryset(self):
        return DeliveryNote.objects.select_related("order").only(
            "id", "number", "date", "status", "order__number", "order__customer_name"
        )


class StockListing(Listing):
    model = StockLevel
    title = gettext_lazy("Stock")
    columns = [
        Column("item", gettext_lazy("Item"), "item.code", sort="item__code"),
        Column("name", gettext_lazy("Name"), "item.name"),
        Column("warehouse", gettext_lazy("Warehouse"), "warehouse.code", sort="warehouse__code"),
        Column("on_hand", gettext_lazy("On hand"), "on_hand", "quantity", "on_hand"),
        Column("reserved", gettext_lazy("Reserved"), "reserved", "quantity"),
        Column("available", gettext_lazy("Available"), "available", "quantity"),
        Column("demand", gettext_lazy("Ordered, to deliver"), "demand", "quantity"),
        Column("incoming", gettext_lazy("Expected"), "incoming", "quantity"),
        Column("projected", gettext_lazy("Projected"), "projected", "quantity"),
    ]
    search_fields = ("item__code", "item__name", "warehouse__code")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "item"
    create_url_name = "stock:move_new"
    create_label = gettext_lazy("Stock move")

    def get_queryset(self):
        return with_figures(StockLevel.objects.select_related("item", "warehouse"))


class MoveListing(Listing):
    model = StockMove
    title = gettext_lazy("Stock moves")
    columns = [
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("item", gettext_lazy("Item"), "item.code", sort="item__code"),
        Column("warehouse", gettext_lazy("Warehouse"), "warehouse.code"),
        Column("kind", gettext_lazy("Kind"), "get_kind_display"),
        Column("quantity", gettext_lazy("Quantity"), "quantity", "quantity"),
        Column("reference", gettext_lazy("Reference"), "reference"),
        Column("reason", gettext_lazy("Reason"), "reason"),
    ]
    search_fields = ("item__code", "item__name", "reference", "reason")
    status_field = "kind"
    customer_field = amount_field = None
    create_url_name = "stock:move_new"
    create_label = gettext_lazy("Stock move")

    def get_queryset(self):
        return StockMove.objects.select_related("item", "warehouse")


class WarehouseListing(Listing):
    model = Warehouse
    title = gettext_lazy("Warehouses")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("city", gettext_lazy("City"), "city"),
        Column("default", gettext_lazy("Default"), "is_default", kind="bool"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "city")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "stock:warehouse_new"
    create_label = gettext_lazy("New warehouse")


def warehouse_form(request, pk: int | None = None):
    warehouse = get_object_or_404(Warehouse, pk=pk) if pk else None
    form = WarehouseForm(request.POST or None, instance=warehouse)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.save_warehouse(warehouse, **data))
        if saved is not None:
            messages.success(request, _("Warehouse %(code)s saved.") % {"code": saved.code})
            return redirect("stock:warehouses")
    return form_page(request, form, str(warehouse) if warehouse else _("New warehouse"))


def _post_move(data: dict, by) -> list:
    fields = {"date": data["date"], "reason": data["reason"], "unit_cost": data["unit_cost"]}
    if data["kind"] == StockMove.Kind.TRANSFER:
        return services.transfer(
            data["item"], data["quantity"], data["warehouse"], data["target"], by=by, **fields
        )
    move = services.Move(data["item"], data["warehouse"], data["quantity"], data["kind"], **fields)
    return services.post_moves([move], by=by)


def move_form(request):
    initial = {"warehouse": services.default_warehouse()} if request.method == "GET" else None
    form = MoveForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = save_form(form, lambda data: _post_move(data, request.user))
        if saved is not None:
            messages.success(request, _("Stock move recorded."))
            return redirect("stock:levels")
    return form_page(request, form, _("Stock move"), submit_label=_("Record"))


def count_form(request):
    initial = {"warehouse": services.default_warehouse()} if request.method == "GET" else None
    form = CountForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: services.count_inventory(
                data["counts"], data["warehouse"], by=request.user, reason=data["reason"]
            ),
        )
        if saved is not None:
            count = len(saved)
            said = ngettext(
                "Count recorded: %(n)s adjustment.", "Count recorded: %(n)s adjustments.", count
            )
            messages.success(request, said % {"n": count})
            return redirect("stock:levels")
    return form_page(request, form, _("Inventory count"), submit_label=_("Record the count"))


def item_stock_value(request, item):
    """The item page's section: its stock per warehouse at its average cost, to who may see
    costs (``catalog.views.ITEM_SECTIONS``)."""
    if item is None or not access.allows(request.user, access.SEE_COSTS):
        return None
    rows = stock_figures(item_ids=[item.pk])
    if not rows:
        return None
    values = [row.value for row in rows if row.value is not None]
    total = sum(values, Decimal("0")) if values else None
    return "stock/item_value.html", {"rows": rows, "total": total}


OPEN_DELIVERIES = (DeliveryNote.Status.DRAFT, DeliveryNote.Status.READY)


def picking(request):
    """Choose open deliveries, see what to pick for them, print it, mark them picked."""
    chosen = [int(pk) for pk in request.GET.getlist("delivery") if pk.isdigit()]
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("delivery") if pk.isdigit()]
        deliveries = list(DeliveryNote.objects.filter(pk__in=chosen))
        try:
            services.mark_picked(deliveries, by=request.user)
            count = len(deliveries)
            said = ngettext("%(n)s delivery picked.", "%(n)s deliveries picked.", count)
            messages.success(request, said % {"n": count})
        except BusinessError as error:
            messages.error(request, error.message)
        return redirect("stock:deliveries")
    open_deliveries = (
        DeliveryNote.objects.filter(status__in=OPEN_DELIVERIES)
        .select_related("order", "warehouse")
        .order_by("date", "pk")
    )
    return render(
        request,
        "stock/picking.html",
        {
            "open_deliveries": open_deliveries,
            "chosen": chosen,
            "groups": picking_list(chosen) if chosen else [],
            "query": "&".join(f"delivery={pk}" for pk in chosen),
        },
    )


class ReturnListing(Listing):
    model = CustomerReturn
    title = gettext_lazy("Goods returned")
    columns = [
        Column("number", gettext_lazy("Number"), "number", sort="number"),
        Column("date", gettext_lazy("Date"), "date", kind="date", sort="date"),
        Column("delivery", gettext_lazy("Delivery note"), "delivery.reference"),
        Column("customer", gettext_lazy("Customer"), "customer.name"),
        Column("reason", gettext_lazy("Reason"), "reason"),
    ]
    search_fields = ("number", "delivery__number", "customer__name", "reason")
    status_field = amount_field = None

    def get_queryset(self):
        return CustomerReturn.objects.select_related("delivery", "customer")


def delivery_return(request, pk: int):
    """Goods back from the customer: a quantity per delivered line."""
    delivery = access.get_owned(DeliveryNote.objects.all(), request.user, pk=pk)
    left = services.returnable(delivery)
    lines = [line for line in delivery.lines.all() if left.get(line.pk, 0) > 0]
    for line in lines:
        line.returnable = left[line.pk]
    return quantities_per_line(
        request,
        lines,
        default=lambda line: 0,
        save=lambda quantities: services.receive_return(
            delivery, quantities, reason=request.POST.get("reason", ""), by=request.user
        ),
        done=_("Goods returned: %(ref)s."),
        template="stock/return_form.html",
        context={"delivery": delivery},
    )


def return_detail(request, pk: int):
    customer_return = access.get_owned(
        CustomerReturn.objects.select_related("delivery", "customer", "warehouse"),
        request.user,
        pk=pk,
    )
    lines = customer_return.lines.select_related("delivery_line")
    return render(
        request,
        "stock/return_detail.html",
        {
            "document": customer_return,
            "lines": lines,
            "credit_notes": customer_return.credit_notes.all(),
        },
    )


def delivery_detail(request, pk: int):
    delivery = access.get_owned(DeliveryNote.objects.select_related("order"), request.user, pk=pk)
    lines = delivery.lines.select_related("source_line")
    return render(request, "stock/delivery_detail.html", {"document": delivery, "lines": lines})


def order_deliver(request, pk: int):
    """Choose the quantity to deliver of each line (all that remains by default)."""
    order = access.get_owned(SalesOrder.objects.all(), request.user, pk=pk)
    return quantities_per_line(
        request,
        [line for line in order.lines.all() if not line.is_service],
        default=lambda line: line.quantity_to_deliver,
        save=lambda quantities: services.create_delivery(
            order, quantities, ship=bool(request.POST.get("ship")), by=request.user
        ),
        done=_("Delivery note %(ref)s created."),
        template="stock/deliver.html",
        context={"order": order},
    )
