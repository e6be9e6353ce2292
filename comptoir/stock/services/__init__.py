"""Every state change of stock: the ledger's moves and balances, and delivery notes."""

from comptoir.stock.services.deliveries import (
    cancel_delivery,
    create_deliveries,
    create_delivery,
    mark_picked,
    ship_deliveries,
    ship_delivery,
)
from comptoir.stock.services.ledger import (
    Move,
    count_inventory,
    default_warehouse,
    post_moves,
    receive,
    save_warehouse,
    transfer,
)
from comptoir.stock.services.reservations import release_for_orders, reserve_for_orders
from comptoir.stock.services.returns import receive_return, returnable

__all__ = [
    "Move",
    "cancel_delivery",
    "count_inventory",
    "create_deliveries",
    "create_delivery",
    "default_warehouse",
    "mark_picked",
    "post_moves",
    "receive",
    "receive_return",
    "release_for_orders",
    "reserve_for_orders",
    "returnable",
    "save_warehouse",
    "ship_deliveries",
    "ship_delivery",
    "transfer",
]
