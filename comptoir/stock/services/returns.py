"""Customer returns: goods received back against a shipped delivery."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.queries import stocked_parts
from comptoir.core.documents import read_line_quantities
from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.core.money import format_quantity
from comptoir.core.numbering import take_numbers
from comptoir.sales.services import refresh_order_progress
from comptoir.stock.errors import StockError
from comptoir.stock.models import (
    CustomerReturn,
    DeliveryNote,
    ReturnLine,
    StockMove,
    Warehouse,
)
from comptoir.stock.services.ledger import Move, default_warehouse, post_moves


def returnable(delivery: DeliveryNote) -> dict[int, Decimal]:
    """What may still come back, per delivery line: shipped − returned already."""
    returned = dict(
        ReturnLine.objects.filter(delivery_line__delivery=delivery)
        .order_by()
        .values_list("delivery_line_id")
        .annotate(q=Sum("quantity"))
    )
    return {
        line.pk: line.quantity - returned.get(line.pk, Decimal("0"))
        for line in delivery.lines.all()
    }


def receive_return(
    delivery: DeliveryNote,
    quantities: dict,
    *,
    reason: str = "",
    warehouse: Warehouse | None = None,
    by=None,
    day=None,
) -> CustomerReturn:
    """Goods back from the customer, {delivery line id: quantity}: into the warehouse (with
    stock management), and no longer delivered to the order, which may deliver them again or
    credit them."""
    day = day or timezone.localdate()
    with transaction.atomic():
        delivery = DeliveryNote.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != DeliveryNote.Status.SHIPPED:
            raise BusinessError(
                StockError.NOT_SHIPPED, _("Only a shipped delivery can come back."), "status"
            )
        left = returnable(delivery)
        lines_by_id = {
            line.pk: line for line in delivery.lines.select_related("item", "source_line")
        }
        stocked = Company.get().stock_management
        warehouse = warehouse or delivery.warehouse
        back = read_line_quantities(
            quantities,
            lines_by_id,
            lambda line: left[line.pk],
            unknown=lambda line_id, field: BusinessError(
                StockError.WRONG_DELIVERY,
                _("Line %(line)s is not a line of delivery %(ref)s.")
                % {"line": line_id, "ref": delivery.reference},
                field,
            ),
            excess=lambda line, quantity, field: BusinessError(
                StockError.TOO_MUCH_BACK,
                _("%(qty)s is more than the %(left)s of %(item)s that may come back.")
                % {
                    "qty": format_quantity(quantity),
                    "left": format_quantity(left[line.pk]),
                    "item": line.description,
                },
                field,
            ),
        )
        if not back:
            raise BusinessError(
                StockError.NOTHING_BACK, _("Say what comes back and how many."), "lines"
            )
        customer_return = CustomerReturn.objects.create(
            number=take_numbers("return", day)[0],
            delivery=delivery,
            customer_id=delivery.customer_id,
            warehouse=warehouse or default_warehouse(),
            date=day,
            reason=reason[:200],
            created_by=by,
        )
        lines = ReturnLine.objects.bulk_create(
            [
                ReturnLine(customer_return=customer_return, delivery_line=line, quantity=quantity)
                for line, quantity in back
            ]
        )
        if stocked:
            items = [line.delivery_line.item for line in lines if line.delivery_line.item]
            parts = stocked_parts(items)  # a bundle comes back as its components
            left_at = _costs_left_at([line.delivery_line_id for line in lines])
            moves = []
            for line in lines:
                item = line.delivery_line.item
                if item is None:
                    continue
                for part, per_unit in parts[item.pk]:
                    moves.append(
                        Move(
                            part,
                            customer_return.warehouse,
                            line.quantity * per_unit,
                            StockMove.Kind.RETURN,
                            date=day,
                            reason=reason,
                            reference=customer_return.number,
                            return_line=line,
                            # back at the cost it left with (else the average of today)
                            unit_cost=left_at.get((line.delivery_line_id, part.pk)),
                        )
                    )
            post_moves(moves, by=by)
        refresh_order_progress({line.source_line.order_id for line, _q in back})
        return customer_return


def _costs_left_at(delivery_line_ids) -> dict[tuple[int, int], Decimal]:
    """The unit cost each item of these delivery lines left its warehouse at, by (delivery
    line id, item id)."""
    return {
        (line_id, item_id): unit_cost
        for line_id, item_id, unit_cost in StockMove.objects.filter(
            delivery_line_id__in=delivery_line_ids,
            kind=StockMove.Kind.DELIVERY,
            unit_cost__isnull=False,
        ).values_list("delivery_line_id", "item_id", "unit_cost")
    }
