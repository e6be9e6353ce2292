"""Delivery note pages, and the form that delivers an order line by line."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.listing import Column, Listing
from comptoir.core.views import quantities_per_line
from comptoir.sales.models import SalesOrder
from comptoir.stock import services
from comptoir.stock.models import DeliveryNote


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
    export_name = "deliveries"

    def get_queryset(self):
        return DeliveryNote.objects.select_related("order").only(
            "id", "number", "date", "status", "order__number", "order__customer_name"
        )


@login_required
def delivery_detail(request, pk: int):
    delivery = get_object_or_404(DeliveryNote.objects.select_related("order"), pk=pk)
    lines = delivery.lines.select_related("source_line")
    return render(request, "stock/delivery_detail.html", {"document": delivery, "lines": lines})


@login_required
def order_deliver(request, pk: int):
    """Choose the quantity to deliver of each line (all that remains by default)."""
    order = get_object_or_404(SalesOrder, pk=pk)
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
